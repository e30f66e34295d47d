"""Money as people type it, normalized to the API's two-place text (workflows.money.normalize)."""

from __future__ import annotations

import pytest

from workflows import money


@pytest.mark.parametrize(("typed", "stored"), [
    ("500000", "500000.00"), ("500000.00", "500000.00"), ("500,000.00", "500000.00"), ("500，000", "500000.00"),
    (" 500 000 ", "500000.00"), ("￥500,000", "500000.00"), ("¥12.5", "12.50"), ("50万", "500000.00"),
    ("1.5万元", "15000.00"), ("0.0001万", "1.00"), ("0", "0.00"), ("12元", "12.00"),
])
def test_amounts_as_typed_are_stored_to_the_fen(typed: str, stored: str) -> None:
    assert money.normalize(typed) == stored


@pytest.mark.parametrize("typed", ["12.345", "0.0000001万", "一百", "", "-5", "5e3", "1,2.3.4", "万", "50万万"])
def test_what_is_not_an_amount_to_the_fen_is_left_for_the_form_to_refuse(typed: str) -> None:
    assert money.normalize(typed) is None
