"""Pay for time: hand-worked cases and a property test over hours, rates and dates."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.test import TestCase
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from rates.models import RateCard
from rates.pricing import time_amount
from tests.factories import example_rate_card

RISE = datetime.date(2025, 12, 16)


class TimeAmountTest(TestCase):
    def setUp(self) -> None:
        example_rate_card()

    def test_hand_worked_cases(self) -> None:
        cases = [
            # (date, meeting hours, preparation hours, expected)
            (datetime.date(2025, 6, 1), "2", "0", "50.00"),  # 2 x £25
            (datetime.date(2025, 12, 15), "2", "1", "75.00"),  # day before the rise: 50 + 25
            (RISE, "2", "1", "82.50"),  # the day of the rise: 55 + 27.50
            (RISE, "3.5", "0", "99.00"),  # half day after the rise
            (RISE, "6", "0.5", "195.25"),  # full day 181.50 + 0.5 x 27.50
            (RISE, "1.75", "0", "48.13"),  # 48.125 rounds half up
            (RISE, "0", "1.5", "41.25"),  # preparation only
        ]
        for on, hours, prep, expected in cases:
            with self.subTest(on=on, hours=hours, prep=prep):
                result = time_amount(on=on, hours=Decimal(hours), preparation_hours=Decimal(prep))
                self.assertEqual(result.amount, Decimal(expected))
                self.assertEqual(result.amount.as_tuple().exponent, -2)

    def test_the_computation_and_rates_are_recorded(self) -> None:
        result = time_amount(on=RISE, hours=Decimal("2"), preparation_hours=Decimal("1"))
        self.assertEqual(
            result.computation,
            "Meeting attendance: 2 h × £27.50/h = £55.00; Preparation: 1 h × £27.50/h = £27.50",
        )
        self.assertEqual(result.snapshot["meeting"]["effective_from"], "2025-12-16")
        self.assertEqual(result.snapshot["preparation"]["hourly_rate"], "27.50")

    def test_a_later_rate_change_never_alters_an_earlier_amount(self) -> None:
        before = time_amount(
            on=datetime.date(2026, 5, 1), hours=Decimal("2"), preparation_hours=Decimal("0")
        )
        RateCard.objects.create(
            activity="meeting",
            effective_from=datetime.date(2026, 6, 1),
            hourly_rate=Decimal("40.00"),
        )
        again = time_amount(
            on=datetime.date(2026, 5, 1), hours=Decimal("2"), preparation_hours=Decimal("0")
        )
        after = time_amount(
            on=datetime.date(2026, 6, 1), hours=Decimal("2"), preparation_hours=Decimal("0")
        )
        self.assertEqual(
            (before.amount, again.amount, after.amount),
            (Decimal("55.00"), Decimal("55.00"), Decimal("80.00")),
        )


def expected_pay(
    hours: Decimal,
    hourly: Decimal,
    half: Decimal,
    half_from: Decimal,
    full: Decimal,
    full_from: Decimal,
) -> Decimal:
    """The rule written out independently of RateCard.amount_for."""
    if hours >= full_from:
        return full
    if hours >= half_from:
        return half
    return (hours * hourly).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


money = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("200.00"), places=2)
quarter_hours = st.integers(min_value=1, max_value=48).map(lambda q: Decimal(q) / 4)


class TimeAmountPropertyTest(HypothesisTestCase):
    @settings(max_examples=60, deadline=None)
    @given(
        hours=quarter_hours,
        hourly=money,
        rise_percent=st.integers(min_value=0, max_value=50),
        day_offset=st.integers(min_value=-400, max_value=400),
        half_from=st.sampled_from([Decimal("3"), Decimal("3.5"), Decimal("4")]),
    )
    def test_amount_follows_the_rule_with_the_rate_in_force(
        self, hours, hourly, rise_percent, day_offset, half_from
    ) -> None:
        RateCard.objects.all().delete()
        change = datetime.date(2026, 1, 1)
        old = {
            "hourly_rate": hourly,
            "half_day_amount": (hourly * 3).quantize(Decimal("0.01")),
            "half_day_from_hours": half_from,
            "full_day_amount": (hourly * 6).quantize(Decimal("0.01")),
            "full_day_from_hours": Decimal("6"),
        }
        factor = 1 + Decimal(rise_percent) / 100
        new = {
            k: (v if k.endswith("hours") else (v * factor).quantize(Decimal("0.01")))
            for k, v in old.items()
        }
        RateCard.objects.create(activity="meeting", effective_from=datetime.date(2020, 1, 1), **old)
        RateCard.objects.create(activity="meeting", effective_from=change, **new)
        on = change + datetime.timedelta(days=day_offset)
        rate = new if on >= change else old
        result = time_amount(on=on, hours=hours, preparation_hours=Decimal("0"))
        self.assertEqual(
            result.amount,
            expected_pay(
                hours,
                rate["hourly_rate"],
                rate["half_day_amount"],
                half_from,
                rate["full_day_amount"],
                Decimal("6"),
            ),
        )
        self.assertEqual(result.amount.as_tuple().exponent, -2)
        self.assertGreater(result.amount, 0)
        self.assertEqual(
            result.snapshot["meeting"]["effective_from"],
            (change if on >= change else datetime.date(2020, 1, 1)).isoformat(),
        )
