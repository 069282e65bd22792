"""An EXAMPLE rate card with a rate change on 16 December 2025 (a 10% rise).

The figures are illustrative only: the coordinator enters the real ones from the
current NIHR payment guidance.
"""

import datetime
from decimal import Decimal

from .models import RateCard

LABEL = "EXAMPLE figures for the demo – replace with the current NIHR payment guidance"
BEFORE = datetime.date(2025, 4, 1)
AFTER = datetime.date(2025, 12, 16)


def _rise(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else (amount * Decimal("1.10")).quantize(Decimal("0.01"))


def seed(*, stdout) -> None:
    base = {
        RateCard.Activity.MEETING: dict(
            hourly_rate=Decimal("25.00"),
            half_day_amount=Decimal("90.00"),
            half_day_from_hours=Decimal("3.5"),
            full_day_amount=Decimal("165.00"),
            full_day_from_hours=Decimal("6"),
        ),
        RateCard.Activity.PREPARATION: dict(hourly_rate=Decimal("25.00")),
        RateCard.Activity.DOCUMENT_REVIEW: dict(hourly_rate=Decimal("25.00")),
        RateCard.Activity.CHAIRING: dict(
            hourly_rate=Decimal("37.50"),
            half_day_amount=Decimal("135.00"),
            half_day_from_hours=Decimal("3.5"),
        ),
        RateCard.Activity.CO_PRESENTATION: dict(hourly_rate=Decimal("37.50")),
        RateCard.Activity.TRAINING: dict(
            hourly_rate=Decimal("25.00"),
            half_day_amount=Decimal("90.00"),
            half_day_from_hours=Decimal("3.5"),
        ),
        RateCard.Activity.OTHER: dict(hourly_rate=Decimal("25.00")),
    }
    for activity, amounts in base.items():
        RateCard.objects.update_or_create(
            activity=activity, effective_from=BEFORE, defaults={**amounts, "label": LABEL}
        )
        risen = {k: (v if k.endswith("hours") else _rise(v)) for k, v in amounts.items()}
        RateCard.objects.update_or_create(
            activity=activity, effective_from=AFTER, defaults={**risen, "label": LABEL}
        )
    stdout.write(
        f"Rate card: {RateCard.objects.count()} example rows (rates rise 10% on {AFTER:%d %B %Y})."
    )
