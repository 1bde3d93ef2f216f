"""The size of the suite's generated runs, in one place.

The property, schema-driven and fuzz tests of ``tests/`` take their number of examples (or of
requests) from :func:`examples`. The figures in the tests are sized for the README's command on
a 2-core machine; ``MOCK_FLOWSERVICE_TEST_SCALE`` multiplies every one of them, e.g. ``4`` for a
thorough run before a release, ``0.25`` for a quick one. The checks are the same at any scale:
only the number of generated inputs changes. The schema-driven tests also run schemathesis'
coverage phase, whose cases (each parameter missing, at its bounds, of a wrong type) do not
depend on the scale.
"""

from __future__ import annotations

import math
import os

__all__ = ["SCALE", "examples"]

VARIABLE = "MOCK_FLOWSERVICE_TEST_SCALE"


def _scale() -> float:
    text = os.environ.get(VARIABLE, "1")
    try:
        scale = float(text)
    except ValueError:
        scale = -1.0
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"{VARIABLE} must be a positive number, not {text!r}")
    return scale


SCALE = _scale()


def examples(count: int) -> int:
    """``count`` times the scale, at least one."""
    return max(1, round(count * SCALE))
