"""Path globs of the control API (journal filters, fault rules), matched in bounded time.

A pattern is a glob on the whole request path: ``*`` matches any run of characters (``/``
included), ``?`` exactly one, every other character itself (case-sensitive; no ``[...]``
classes, no regular expressions). ``*/connections*`` matches every path that holds
``/connections``; ``/data/foundation/flowservice/flows`` only that path.

No pattern reaches :mod:`re`. A glob is run as a bit-parallel automaton (shift-and): one pass
over the path, a few integer operations per character, whatever the pattern, so no pattern a
client sends can make a match take longer than the path is long (no backtracking).
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import invalid_request

__all__ = ["MAX_PATTERN_LENGTH", "compile_path_pattern"]

MAX_PATTERN_LENGTH = 1000

PathTest = Callable[[str], bool]


def compile_path_pattern(pattern: str) -> PathTest:
    """A path test for a glob; a regular expression or an over-long pattern is 1100-400."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise invalid_request(f"The path pattern is longer than {MAX_PATTERN_LENGTH} characters.")
    if pattern.startswith("^"):
        raise invalid_request("The path pattern is a glob (* and ?), not a regular expression.")
    return _Glob(pattern).matches


class _Glob:
    """Shift-and over the pattern's characters; bit ``j`` set: ``j`` characters consumed."""

    def __init__(self, pattern: str) -> None:
        tokens: list[str] = []
        for char in pattern:
            if not (char == "*" and tokens and tokens[-1] == "*"):  # "**" is "*"
                tokens.append(char)
        self._stars = sum(1 << j for j, token in enumerate(tokens) if token == "*")
        self._any = sum(1 << j for j, token in enumerate(tokens) if token == "?")
        self._by_char: dict[str, int] = {}
        for j, token in enumerate(tokens):
            if token not in "*?":
                self._by_char[token] = self._by_char.get(token, self._any) | 1 << j
        self._accept = 1 << len(tokens)

    def _closed(self, state: int) -> int:
        """Every star may match nothing: a state before a star is also one after it."""
        return state | (state & self._stars) << 1

    def matches(self, path: str) -> bool:
        state = self._closed(1)
        for char in path:
            step = state & self._by_char.get(char, self._any)
            state = self._closed((state & self._stars) | step << 1)
            if not state:
                return False
        return bool(state & self._accept)
