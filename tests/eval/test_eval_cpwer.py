"""cpWER reads text exactly as WER does: the same normalization and the same readings."""

from __future__ import annotations

import pytest

from eval.cpwer import cp_wer
from eval.wer import word_errors

pytest.importorskip("meeteval")


@pytest.mark.parametrize("reference, hypothesis", [
    ("we sell freshwater fish", "we sell fresh water fish"),  # a compound split
    ("i go there every day", "i go there everyday"),  # and joined
    ("the price range is fine", "the price ranges fine"),  # "range is" after a sibilant
    ("we open at seven thirty", "we open at 730"),  # a clock time read as digits
])
def test_a_reading_that_wer_forgives_is_no_cpwer_error(reference: str, hypothesis: str) -> None:
    assert word_errors(reference, hypothesis).errors == 0
    result = cp_wer({"A": reference, "B": "thank you"}, {"h1": hypothesis, "h2": "thank you"})
    assert result.errors == 0 and result.wer == 0.0


def test_cpwer_counts_what_wer_counts() -> None:
    reference, hypothesis = "we sell freshwater fish", "we sell salt water fish"
    result = cp_wer({"A": reference, "B": "okay"}, {"h1": hypothesis, "h2": "okay"})
    assert result.errors == word_errors(reference, hypothesis).errors > 0
    assert result.length == 5


def test_no_compound_is_made_across_two_speakers() -> None:
    """Speaker A ends on "fresh" and B starts with "water": a hypothesis "freshwater" is no match."""
    result = cp_wer({"A": "it is fresh", "B": "water please"}, {"h1": "it is freshwater", "h2": "please"})
    assert result.errors > 0
