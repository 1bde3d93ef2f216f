"""The one knob that sizes the suite's generated runs."""

from __future__ import annotations

import pytest

from . import budget


def test_examples_follow_the_scale_and_never_reach_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "SCALE", 0.25)
    assert [budget.examples(n) for n in (1, 10, 400)] == [1, 2, 100]
    monkeypatch.setattr(budget, "SCALE", 4.0)
    assert budget.examples(10) == 40


@pytest.mark.parametrize("text", ["0", "-1", "many", "nan", "inf"])
def test_a_scale_that_is_not_a_positive_number_is_refused(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setenv(budget.VARIABLE, text)
    with pytest.raises(ValueError, match="must be a positive number"):
        budget._scale()
