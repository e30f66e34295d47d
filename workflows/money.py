"""Money as the API carries it: decimal strings with two places ("120000.00"), computed with
`decimal.Decimal`, never float (DOMAIN §5)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def parse(text: str | None) -> Decimal:
    """An amount from its string form; the form schema has already checked the pattern."""
    return Decimal(text or "0").quantize(CENT)


def fmt(amount: Decimal) -> str:
    """Two decimal places, exactly: Decimal("5") → "5.00"."""
    return str(amount.quantize(CENT))


def total(amounts: Iterable[str]) -> Decimal:
    return sum((parse(a) for a in amounts), ZERO)
