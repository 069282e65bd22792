"""Impacts in the advisor portal ("you said, we did"), reflections, and the list of open surveys.

Surveys themselves (answering, anonymity, results) are in test_surveys.py.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from impacts.models import AdvisorReflection, ImpactRecord, SurveyReceipt
from meetings.models import Meeting
from tests.base import BaseTestCase
from tests.factories import ProjectFactory, make_impact, make_survey


def care_at_home_impact(tc: BaseTestCase, *contributors, **fields) -> ImpactRecord:
    """An impact Sam recorded on 3 March 2026, on a care-at-home study of its own."""
    story = {
        "what_changed": "Interviews moved from video calls to phone.",
        "category": ImpactRecord.Category.DESIGN,
        "recorded_on": datetime.date(2026, 3, 3),
    }
    project = fields.pop("project", None) or ProjectFactory(title="Care at home study")
    return make_impact(project, tc.staff_sam, *contributors, **{**story, **fields})


# --- you said, we did -----------------------------------------------------------------------------


class YouSaidWeDidTest(BaseTestCase):
    url = reverse("impacts:portal")

    def test_alice_sees_only_the_impacts_she_contributed_to_newest_first(self) -> None:
        older = care_at_home_impact(
            self,
            self.alice,
            recorded_on=datetime.date(2026, 1, 10),
            what_changed="The information sheet was rewritten in plain English.",
        )
        newer = care_at_home_impact(
            self, self.alice, self.bob, recorded_on=datetime.date(2026, 3, 3)
        )
        bobs = care_at_home_impact(self, self.bob, what_changed="Bob's idea about carers' centres.")
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["impacts"], [newer, older])
        self.assertContains(response, "You said, we did")
        self.assertContains(response, "Care at home study")
        self.assertContains(response, "Design")
        self.assertContains(response, "Interviews moved from video calls to phone.")
        self.assertContains(response, "Tuesday 3 March 2026")
        self.assertNotContains(response, "carers&#x27; centres")
        self.assertNotContains(response, reverse("impacts:portal-reflection", args=[bobs.pk]))

    def test_her_own_reflection_is_shown_with_a_change_link_and_others_are_not(self) -> None:
        reflected = care_at_home_impact(
            self, self.alice, self.bob, recorded_on=datetime.date(2026, 3, 3)
        )
        not_yet = care_at_home_impact(self, self.alice, recorded_on=datetime.date(2026, 1, 10))
        AdvisorReflection.objects.create(
            impact=reflected, advisor=self.alice, text="Glad they listened."
        )
        AdvisorReflection.objects.create(
            impact=reflected, advisor=self.bob, text="Bob's private thought."
        )
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertContains(response, "Glad they listened.")
        self.assertNotContains(response, "private thought")
        self.assertContains(response, "Change your reflection")
        self.assertContains(response, "Add your reflection")
        self.assertContains(response, reverse("impacts:portal-reflection", args=[reflected.pk]))
        self.assertContains(response, reverse("impacts:portal-reflection", args=[not_yet.pk]))

    def test_a_planned_impact_says_it_has_not_happened_yet(self) -> None:
        care_at_home_impact(self, self.alice, kind=ImpactRecord.Kind.ANTICIPATED)
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertContains(response, "What we plan to change")
        self.assertContains(response, "This has not happened yet.")

    def test_with_no_impacts_the_page_says_so_in_words(self) -> None:
        self.client.force_login(self.advisor_alice)
        self.assertContains(self.client.get(self.url), "There is nothing here yet.")

    def test_query_count_does_not_grow_with_the_number_of_impacts(self) -> None:
        meeting = Meeting.objects.create(
            title="Spring PIEG",
            type=Meeting.Type.PIEG,
            starts_at=timezone.now() - datetime.timedelta(hours=2),
            ends_at=timezone.now(),
        )
        impact = care_at_home_impact(self, self.alice, meeting=meeting)
        AdvisorReflection.objects.create(impact=impact, advisor=self.alice, text="Good.")
        self.client.force_login(self.advisor_alice)
        # session, user, user's groups (role check), Alice's advisor record, how many
        # impacts she has, a page of them with their projects and meetings, her reflections
        with self.assertNumQueries(7):
            self.client.get(self.url)
        for n in range(14):
            more = care_at_home_impact(self, self.alice, meeting=meeting)
            AdvisorReflection.objects.create(impact=more, advisor=self.alice, text=f"Thought {n}")
        with self.assertNumQueries(7):
            response = self.client.get(self.url)
        # Ten to a page, with page links named for screen readers.
        self.assertEqual(len(response.context["impacts"]), 10)
        self.assertContains(
            response, "You helped to make 15 changes. This page shows 1 to 10, the newest first."
        )
        self.assertContains(response, '<nav aria-label="Pages of your changes">')
        response = self.client.get(self.url, {"page": "2"})
        self.assertEqual(len(response.context["impacts"]), 5)

    def test_only_advisors_with_a_register_record_use_the_page(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"{reverse('login')}?next={self.url}")
        for user in (self.staff_sam, self.researcher_rita, self.manager_mo, self.outsider_carol):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
        self.alice.user = None
        self.alice.save()
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.get(self.url).status_code, 404)


# --- a reflection ---------------------------------------------------------------------------------


class ReflectionTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.impact = care_at_home_impact(self, self.alice)
        self.url = reverse("impacts:portal-reflection", args=[self.impact.pk])

    def test_alice_adds_a_reflection_and_returns_to_her_impacts(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertContains(response, "<h1>Add your reflection</h1>", html=True)
        self.assertContains(response, "Interviews moved from video calls to phone.")
        response = self.client.post(
            self.url, {"text": "  It felt good to be heard.  "}, follow=True
        )
        self.assertRedirects(response, reverse("impacts:portal"))
        self.assertContains(response, "Thank you. We have saved your reflection.")
        reflection = AdvisorReflection.objects.get(impact=self.impact, advisor=self.alice)
        self.assertEqual(reflection.text, "It felt good to be heard.")

    def test_alice_changes_her_reflection_starting_from_what_she_wrote(self) -> None:
        AdvisorReflection.objects.create(
            impact=self.impact, advisor=self.alice, text="First thoughts."
        )
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertContains(response, "<h1>Change your reflection</h1>", html=True)
        self.assertContains(response, "First thoughts.</textarea>")
        self.client.post(self.url, {"text": "Second thoughts."})
        self.assertEqual(
            AdvisorReflection.objects.get(impact=self.impact, advisor=self.alice).text,
            "Second thoughts.",
        )
        self.assertEqual(AdvisorReflection.objects.count(), 1)

    def test_an_empty_reflection_is_refused_with_an_error_summary(self) -> None:
        self.client.force_login(self.advisor_alice)
        for text in ("", "   "):
            with self.subTest(text=repr(text)):
                response = self.client.post(self.url, {"text": text})
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "There is a problem", status_code=400)
                self.assertContains(response, "<title>Error: ", status_code=400)
        self.assertFalse(AdvisorReflection.objects.exists())

    def test_a_reflection_on_someone_elses_impact_is_not_found(self) -> None:
        bobs = care_at_home_impact(self, self.bob)
        url = reverse("impacts:portal-reflection", args=[bobs.pk])
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, {"text": "Sneaky."}).status_code, 404)
        self.assertFalse(AdvisorReflection.objects.exists())

    def test_only_advisors_reflect(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"{reverse('login')}?next={self.url}")
        self.client.force_login(self.staff_sam)
        self.assertEqual(self.client.post(self.url, {"text": "Staff words."}).status_code, 403)
        self.assertFalse(AdvisorReflection.objects.exists())


# --- the list of open surveys ---------------------------------------------------------------------


class SurveyListTest(BaseTestCase):
    url = reverse("impacts:portal-surveys")

    def test_alice_sees_open_surveys_and_whether_she_has_answered_in_words(self) -> None:
        answered = make_survey(title="Spring PIEG feedback", closes=5)
        waiting = make_survey(title="Annual survey 2026", closes=20)
        make_survey(title="Closed last week", opens=-30, closes=-7)
        make_survey(title="Opens next week", opens=7, closes=30)
        SurveyReceipt.objects.create(survey=answered, advisor=self.alice)
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["surveys"], [answered, waiting])
        self.assertNotContains(response, "Closed last week")
        self.assertNotContains(response, "Opens next week")
        self.assertContains(response, "You have answered this survey. Thank you!")
        self.assertContains(response, "You have not answered yet.")
        self.assertContains(response, reverse("impacts:portal-survey", args=[waiting.pk]))
        self.assertNotContains(response, reverse("impacts:portal-survey", args=[answered.pk]))

    def test_bobs_answer_does_not_count_as_alices(self) -> None:
        survey = make_survey()
        SurveyReceipt.objects.create(survey=survey, advisor=self.bob)
        self.client.force_login(self.advisor_alice)
        self.assertContains(self.client.get(self.url), "You have not answered yet.")

    def test_the_opening_and_closing_days_are_included(self) -> None:
        make_survey(title="Opens today", opens=0, closes=10)
        make_survey(title="Closes today", opens=-10, closes=0)
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertContains(response, "Opens today")
        self.assertContains(response, "Closes today")

    def test_with_no_open_surveys_the_page_says_so(self) -> None:
        self.client.force_login(self.advisor_alice)
        self.assertContains(self.client.get(self.url), "There are no surveys open at the moment.")

    def test_query_count_does_not_grow_with_the_number_of_surveys(self) -> None:
        make_survey()
        self.client.force_login(self.advisor_alice)
        # session, user, user's groups (role check), Alice's advisor record,
        # open surveys with their meetings and whether she answered each
        with self.assertNumQueries(5):
            self.client.get(self.url)
        for n in range(3):
            SurveyReceipt.objects.create(
                survey=make_survey(title=f"Survey {n}"), advisor=self.alice
            )
        with self.assertNumQueries(5):
            self.client.get(self.url)

    def test_only_advisors_see_the_list(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"{reverse('login')}?next={self.url}")
        self.client.force_login(self.manager_mo)
        self.assertEqual(self.client.get(self.url).status_code, 403)
