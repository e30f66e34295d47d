"""Money as the API carries it: decimal strings with two places ("120000.00"), computed with
`decimal.Decimal`, never float (DOMAIN §5)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from decimal import InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


_TYPED = re.compile(r"^(?P<number>[0-9]+(?:\.[0-9]+)?)(?P<unit>万)?(?:元)?$")
_NOISE = str.maketrans("", "", " ,，\u00a0\u3000¥￥")
TYPED_HINT = "金额请填写数字，可写 500000、500,000.00 或 50万，最多两位小数"


def normalize(text: str) -> str | None:
    """An amount as people type it — "500000", "500,000.00", "￥500,000", "50万", "1.5万元" — as
    the API's two-place string ("500000.00"); None when it is not an amount or has more than two
    places (in yuan)."""
    found = _TYPED.match(text.translate(_NOISE))
    if found is None:
        return None
    try:
        amount = Decimal(found.group("number")) * (10000 if found.group("unit") else 1)
    except InvalidOperation:
        return None
    if amount != amount.quantize(CENT):
        return None
    return fmt(amount)


def parse(text: str | None) -> Decimal:
    """An amount from its string form; the form schema has already checked the pattern."""
    return Decimal(text or "0").quantize(CENT)


def fmt(amount: Decimal) -> str:
    """Two decimal places, exactly: Decimal("5") → "5.00"."""
    return str(amount.quantize(CENT))


def total(amounts: Iterable[str]) -> Decimal:
    return sum((parse(a) for a in amounts), ZERO)
