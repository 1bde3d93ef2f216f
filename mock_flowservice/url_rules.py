"""URL rules that compile their URL builders when first used, not when the app is built.

werkzeug compiles two URL builders per rule (Python source, parsed and compiled) when the rule
joins a map. The mock has about a hundred rules and builds almost no URL (``url_for`` serves the
inspector's two static files), so this work was most of ``create_app``: about 45 of 55 ms, paid
by every test that makes a fresh mock and by every server before it answers. :class:`LazyRule`
keeps werkzeug's matching as it is and hands werkzeug's builder a stand-in that compiles the real
builder on its first call and puts it in the stand-in's place.

This uses werkzeug's ``Rule._compile_builder``, which ``Rule.compile`` calls for ``_build`` and
``_build_unknown`` (werkzeug 2.2 to 3.1). ``tests/test_url_rules.py`` holds every URL the mock's
rules build to plain werkzeug rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule

__all__ = ["LazyRule"]

Builder = Callable[..., tuple[str, str]]


class LazyRule(Rule):
    """A werkzeug rule whose URL builders compile on their first call."""

    def _compile_builder(self, append_unknown: bool = True) -> Builder:
        compile_now = super()._compile_builder
        slot = "_build_unknown" if append_unknown else "_build"

        def build_on_first_use(rule: Rule, **values: Any) -> tuple[str, str]:
            builder: Builder = compile_now(append_unknown).__get__(rule, None)
            setattr(rule, slot, builder)  # later builds call werkzeug's builder directly
            return builder(**values)

        return build_on_first_use
