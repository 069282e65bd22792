"""Deciding several agenda items at once: every decision is saved, or none."""

from django.core.exceptions import ValidationError

from meetings.models import AgendaItem
from meetings.services import AgendaDecision, agenda_decide_many
from tests.base import BaseTestCase
from tests.factories import MeetingFactory


class AgendaDecideManyTest(BaseTestCase):
    """Alice proposed "Transport to meetings" and Bob "The newsletter"; Sam decides both."""

    def setUp(self) -> None:
        super().setUp()
        self.meeting = MeetingFactory()
        self.transport = AgendaItem.objects.create(
            meeting=self.meeting, proposed_by=self.advisor_alice, title="Transport to meetings"
        )
        self.newsletter = AgendaItem.objects.create(
            meeting=self.meeting, proposed_by=self.advisor_bob, title="The newsletter"
        )

    def saved(self, item: AgendaItem) -> tuple[str, str, int]:
        item.refresh_from_db()
        return item.status, item.reason, item.order

    def test_every_decision_is_saved(self) -> None:
        items = agenda_decide_many(
            meeting=self.meeting,
            decisions=[
                AgendaDecision(item=self.transport, status="accepted", reason="", order=2),
                AgendaDecision(item=self.newsletter, status="deferred", reason="No time", order=1),
            ],
            by=self.staff_sam,
        )
        self.assertEqual(items, [self.transport, self.newsletter])
        self.assertEqual(self.saved(self.transport), ("accepted", "", 2))
        self.assertEqual(self.saved(self.newsletter), ("deferred", "No time", 1))

    def test_one_refused_decision_saves_none_and_every_refusal_is_named(self) -> None:
        other = AgendaItem.objects.create(
            meeting=MeetingFactory(), proposed_by=self.advisor_alice, title="Elsewhere"
        )
        with self.assertRaises(ValidationError) as caught:
            agenda_decide_many(
                meeting=self.meeting,
                decisions=[
                    AgendaDecision(item=self.transport, status="accepted", reason="", order=1),
                    AgendaDecision(item=self.newsletter, status="declined", reason=" ", order=2),
                    AgendaDecision(item=other, status="accepted", reason="", order=1),
                ],
                by=self.staff_sam,
            )
        self.assertEqual(
            caught.exception.message_dict,
            {
                self.newsletter.pk: [
                    "Give a reason when deferring or declining: "
                    "the person who proposed it will see it."
                ],
                other.pk: ["This item is on the agenda of another meeting."],
            },
        )
        self.assertEqual(self.saved(self.transport), ("proposed", "", 0))
        self.assertEqual(self.saved(self.newsletter), ("proposed", "", 0))
        self.assertEqual(self.saved(other), ("proposed", "", 0))
