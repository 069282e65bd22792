"""Guard rails on choosing who takes part: places, closing date, telling people, undoing.

Sam (PIE team) chooses for "Interview advisor" (two places) on Rita's "Home care study".
Dee and Eve use email; Phil is phoned; Pat gets letters.
"""

import datetime

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from advisors.models import Advisor
from projects.models import (
    ExpressionOfInterest,
    Opportunity,
    ProjectAdvisor,
    SelectionEvent,
)
from tests.base import BaseTestCase
from tests.factories import (
    AdvisorFactory,
    InterestFactory,
    OpportunityFactory,
    ProjectFactory,
    add_member,
)

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
STATUS = ExpressionOfInterest.Status


class SelectionTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = ProjectFactory(title="Home care study")
        add_member(self.project, self.researcher_rita)
        # Closed yesterday, so no early-selection warning unless a test reopens it.
        self.opportunity = OpportunityFactory(
            project=self.project,
            role="Interview advisor",
            places=2,
            closing_date=YESTERDAY,
            posted_by=self.researcher_rita,
        )
        self.dee = InterestFactory(
            opportunity=self.opportunity, advisor=AdvisorFactory(first_name="Dee")
        )
        self.eve = InterestFactory(
            opportunity=self.opportunity, advisor=AdvisorFactory(first_name="Eve")
        )
        self.phil = InterestFactory(
            opportunity=self.opportunity,
            advisor=AdvisorFactory(
                first_name="Phil", email="", contact_method="phone", phone="01632 960 001"
            ),
        )
        self.pat = InterestFactory(
            opportunity=self.opportunity,
            advisor=AdvisorFactory(
                first_name="Pat", contact_method="post", address="1 High Street, Leeds"
            ),
        )
        self.url = reverse("projects:opportunity-select", args=[self.opportunity.pk])
        self.client.force_login(self.staff_sam)

    def select(self, *interests, **extra):
        return self.client.post(self.url, {"selected": [i.pk for i in interests], **extra})

    def status_of(self, interest) -> str:
        interest.refresh_from_db()
        return interest.status


class SelectionWithinPlacesTest(SelectionTestCase):
    def test_selecting_tells_email_users_by_email_and_lists_the_others_to_phone_or_write(
        self,
    ) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.select(self.dee, self.phil)
        self.assertRedirects(response, self.url)
        self.assertEqual(self.status_of(self.dee), STATUS.SELECTED)
        self.assertEqual(self.status_of(self.phil), STATUS.SELECTED)
        self.assertEqual(self.status_of(self.eve), STATUS.NOT_SELECTED)
        self.assertEqual(self.status_of(self.pat), STATUS.NOT_SELECTED)
        # Dee and Eve use email: one message each, with their own outcome.
        by_address = {m.to[0]: m for m in mail.outbox}
        self.assertEqual(set(by_address), {self.dee.advisor.email, self.eve.advisor.email})
        self.assertIn("You have been selected", by_address[self.dee.advisor.email].subject)
        self.assertIn("not selected", by_address[self.eve.advisor.email].subject)
        self.assertIn("Interview advisor", by_address[self.eve.advisor.email].body)
        # Phil (phone) and Pat (post) are on the list until Sam ticks them off.
        self.assertEqual(set(ExpressionOfInterest.objects.to_tell_by_hand()), {self.phil, self.pat})
        page = self.client.get(self.url).content.decode()
        self.assertIn("People to tell by phone or post", page)
        self.assertIn("01632 960 001", page)
        self.assertIn("1 High Street, Leeds", page)
        self.assertTrue(
            ProjectAdvisor.objects.filter(project=self.project, advisor=self.phil.advisor).exists()
        )
        self.opportunity.refresh_from_db()
        self.assertEqual(self.opportunity.status, Opportunity.Status.CLOSED)

    def test_ticking_off_a_call_records_who_and_when_once(self) -> None:
        self.select(self.dee, self.phil)
        told = reverse("projects:interest-told", args=[self.opportunity.pk, self.phil.pk])
        self.assertRedirects(self.client.post(told), self.url)
        self.client.post(told)
        self.phil.refresh_from_db()
        self.assertIsNotNone(self.phil.told_at)
        events = SelectionEvent.objects.filter(interest=self.phil, action="told")
        self.assertEqual([e.by for e in events], [self.staff_sam])
        self.assertNotIn(self.phil, ExpressionOfInterest.objects.to_tell_by_hand())

    def test_told_needs_post_and_the_pie_team(self) -> None:
        told = reverse("projects:interest-told", args=[self.opportunity.pk, self.phil.pk])
        self.assertEqual(self.client.get(told).status_code, 405)
        self.client.force_login(self.researcher_rita)
        self.assertEqual(self.client.post(told).status_code, 403)
        self.client.force_login(self.staff_sam)
        other = InterestFactory(opportunity=OpportunityFactory(posted_by=self.staff_sam))
        wrong = reverse("projects:interest-told", args=[self.opportunity.pk, other.pk])
        self.assertEqual(self.client.post(wrong).status_code, 404)

    def test_selecting_again_tells_nobody_twice(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.select(self.dee)
        sent = len(mail.outbox)
        with self.captureOnCommitCallbacks(execute=True):
            self.select(self.dee)
        self.assertEqual(len(mail.outbox), sent)


class OverPlacesTest(SelectionTestCase):
    def test_more_people_than_places_is_refused_with_a_clear_message(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.select(self.dee, self.eve, self.phil)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "This would select 3 people for 2 places", status_code=400)
        self.assertContains(response, "Select more people than there are places", status_code=400)
        self.assertEqual(self.status_of(self.dee), STATUS.INTERESTED)
        self.assertEqual(mail.outbox, [])

    def test_the_override_needs_a_reason(self) -> None:
        response = self.select(self.dee, self.eve, self.phil, over_places="on")
        self.assertContains(
            response, "Say why you are selecting more people than there are places", status_code=400
        )
        self.assertEqual(self.status_of(self.dee), STATUS.INTERESTED)

    def test_the_override_with_a_reason_selects_and_keeps_the_reason(self) -> None:
        response = self.select(
            self.dee,
            self.eve,
            self.phil,
            over_places="on",
            over_places_reason="One may drop out",
        )
        self.assertRedirects(response, self.url)
        self.assertEqual(self.status_of(self.phil), STATUS.SELECTED)
        event = SelectionEvent.objects.get(interest=self.phil)
        self.assertEqual((event.by, event.note), (self.staff_sam, "One may drop out"))

    def test_people_already_selected_count_against_the_places(self) -> None:
        self.select(self.dee, self.eve)
        # The page keeps Dee and Eve ticked, so they are posted again with Phil.
        response = self.select(self.dee, self.eve, self.phil)
        self.assertContains(response, "This would select 3 people", status_code=400)


class EarlySelectionTest(SelectionTestCase):
    def setUp(self) -> None:
        super().setUp()
        Opportunity.objects.filter(pk=self.opportunity.pk).update(
            closing_date=timezone.localdate() + datetime.timedelta(days=5)
        )

    def test_the_page_warns_that_the_opportunity_is_still_open(self) -> None:
        self.assertContains(self.client.get(self.url), "This opportunity is still open until")

    def test_selecting_before_the_closing_date_asks_to_confirm(self) -> None:
        response = self.select(self.dee)
        self.assertContains(
            response, "more people may still say they are interested", status_code=400
        )
        self.assertEqual(self.status_of(self.dee), STATUS.INTERESTED)
        self.assertRedirects(self.select(self.dee, before_closing="on"), self.url)
        self.assertEqual(self.status_of(self.dee), STATUS.SELECTED)
        self.opportunity.refresh_from_db()
        self.assertFalse(self.opportunity.is_open)


class UndoTest(SelectionTestCase):
    def test_undo_puts_everyone_back_removes_the_role_and_is_audited(self) -> None:
        self.select(self.dee, self.phil)
        undo = reverse("projects:opportunity-undo", args=[self.opportunity.pk])
        self.assertContains(self.client.get(undo), "Why are you undoing the selection?")
        self.assertContains(self.client.post(undo, {"reason": ""}), "Say why", status_code=400)
        self.assertRedirects(self.client.post(undo, {"reason": "Ticked the wrong Dee"}), self.url)
        for interest in (self.dee, self.eve, self.phil, self.pat):
            self.assertEqual(self.status_of(interest), STATUS.INTERESTED)
            self.assertEqual(interest.told_how, "")
        self.assertFalse(ProjectAdvisor.objects.filter(project=self.project).exists())
        undone = SelectionEvent.objects.filter(action="undone")
        self.assertEqual(undone.count(), 4)
        self.assertTrue(all(e.by == self.staff_sam for e in undone))
        self.assertIn("Ticked the wrong Dee", undone.get(interest=self.dee).note)
        self.assertEqual(ExpressionOfInterest.objects.to_tell_by_hand().count(), 0)

    def test_selecting_again_after_undo_tells_people_their_new_outcome(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.select(self.dee)
        undo = reverse("projects:opportunity-undo", args=[self.opportunity.pk])
        self.client.post(undo, {"reason": "Wrong person"})
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.select(self.eve)
        by_address = {m.to[0]: m.subject for m in mail.outbox}
        self.assertIn("not selected", by_address[self.dee.advisor.email])
        self.assertIn("You have been selected", by_address[self.eve.advisor.email])

    def test_undo_with_nothing_selected_goes_back(self) -> None:
        undo = reverse("projects:opportunity-undo", args=[self.opportunity.pk])
        self.assertRedirects(self.client.get(undo), self.url)

    def test_only_the_pie_team_can_undo(self) -> None:
        self.select(self.dee)
        undo = reverse("projects:opportunity-undo", args=[self.opportunity.pk])
        self.client.force_login(self.researcher_rita)
        self.assertEqual(self.client.post(undo, {"reason": "x"}).status_code, 403)
        self.assertEqual(self.status_of(self.dee), STATUS.SELECTED)


class LeftAdvisorTest(BaseTestCase):
    def test_a_left_advisor_cannot_say_they_are_interested(self) -> None:
        Advisor.objects.filter(pk=self.alice.pk).update(status=Advisor.Status.LEFT)
        opportunity = OpportunityFactory(posted_by=self.staff_sam)
        url = reverse("projects:portal-opportunity", args=[opportunity.pk])
        self.client.force_login(self.advisor_alice)
        response = self.client.get(url)
        # Whether Left advisors can still sign in is decided elsewhere; if they reach the
        # page, it says why they cannot answer, and offers no form.
        if response.status_code == 200:
            self.assertContains(response, "Your place on the register has ended")
            self.assertNotContains(response, "I am interested")
        response = self.client.post(url, {"note": "Me please"})
        self.assertNotEqual(response.status_code, 200)
        self.assertFalse(ExpressionOfInterest.objects.filter(advisor=self.alice).exists())

    def test_a_paused_advisor_can_still_say_they_are_interested(self) -> None:
        Advisor.objects.filter(pk=self.alice.pk).update(status=Advisor.Status.PAUSED)
        opportunity = OpportunityFactory(posted_by=self.staff_sam)
        url = reverse("projects:portal-opportunity", args=[opportunity.pk])
        self.client.force_login(self.advisor_alice)
        self.assertRedirects(self.client.post(url, {"note": "Me please"}), url)
        self.assertTrue(ExpressionOfInterest.objects.filter(advisor=self.alice).exists())


class LeftAdvisorSelectionTest(SelectionTestCase):
    """Someone interested who has since left the register cannot be selected (review M2)."""

    def setUp(self) -> None:
        super().setUp()
        Advisor.objects.filter(pk=self.eve.advisor_id).update(status=Advisor.Status.LEFT)

    def test_the_page_says_she_has_left_instead_of_a_tick_box(self) -> None:
        page = self.client.get(self.url).content.decode()
        self.assertIn("Has left the register", page)
        self.assertNotIn(f'name="selected" value="{self.eve.pk}"', page)
        self.assertIn(f'name="selected" value="{self.dee.pk}"', page)
        # Listed last, so the error summary's link (the first tick box) has a box to go to.
        self.assertLess(page.index(self.dee.advisor.full_name), page.index("Has left the register"))
        self.assertIn('id="id_selected_0"', page)

    def test_selecting_her_is_refused_with_a_clear_message(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.select(self.dee, self.eve)
        self.assertContains(
            response,
            f"{self.eve.advisor.full_name} has left the register, so they cannot be selected",
            status_code=400,
        )
        self.assertEqual(self.status_of(self.eve), STATUS.INTERESTED)
        self.assertEqual(self.status_of(self.dee), STATUS.INTERESTED)
        self.assertFalse(ProjectAdvisor.objects.filter(project=self.project).exists())
        self.assertEqual(mail.outbox, [])

    def test_someone_selected_who_has_left_since_stays_selected(self) -> None:
        Advisor.objects.filter(pk=self.eve.advisor_id).update(status=Advisor.Status.ACTIVE)
        self.select(self.dee, self.eve)
        Advisor.objects.filter(pk=self.eve.advisor_id).update(status=Advisor.Status.LEFT)
        # Her row has no tick box now, so she is not posted: that is not "taking her off".
        self.assertRedirects(self.select(self.dee), self.url)
        self.assertEqual(self.status_of(self.eve), STATUS.SELECTED)


class SelectingAgainTest(SelectionTestCase):
    def test_pressing_select_again_says_nobody_was_emailed(self) -> None:
        """Review L1: it said "2 people emailed the decision" when nobody was."""
        with self.captureOnCommitCallbacks(execute=True):
            first = self.client.get(self.select(self.dee, self.eve)["Location"])
        self.assertContains(first, "2 people emailed the decision")
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                self.url, {"selected": [self.dee.pk, self.eve.pk]}, follow=True
            )
        self.assertEqual(mail.outbox, [])
        self.assertNotContains(response, "emailed the decision")
        self.assertContains(response, "Nothing has changed, so nobody has been told anything new")

    def test_unticking_someone_selected_says_to_undo_the_selection(self) -> None:
        """Review L2: it kept them and then said "would select 3 people for 2 places"."""
        self.select(self.dee, self.eve)
        response = self.select(self.dee, self.phil)
        self.assertContains(response, "To take someone off, undo the selection", status_code=400)
        self.assertContains(
            response, f"{self.eve.advisor.full_name} is already selected", status_code=400
        )
        self.assertNotContains(response, "This would select", status_code=400)
        self.assertContains(response, 'href="#id_selected_0"', status_code=400)
        self.assertEqual(self.status_of(self.eve), STATUS.SELECTED)
        self.assertEqual(self.status_of(self.phil), STATUS.NOT_SELECTED)
