"""Money is Decimal pounds with two places. Round once, at the boundary, with this helper."""

from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value) -> Decimal:
    """Round to the penny, half up. Accepts Decimal, int or str; never float."""
    if isinstance(value, float):
        raise TypeError("Money must not be a float; pass a Decimal or a string.")
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)
