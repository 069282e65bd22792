"""Equality answers are special-category data: individuals only with the permission."""

from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse

from advisors.models import Advisor
from advisors.services import equality_summary
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, ApplicationFactory, EqualityFactory

# An answer rare enough to be recognisable if it leaked onto any page.
SECRET = "Any other religion"


class EqualityPrivacyTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.application = ApplicationFactory(first_name="Priya")
        EqualityFactory(
            application=self.application,
            advisor=self.alice,
            religion="other",
            sexual_orientation="bisexual",
        )

    def pages(self) -> list[str]:
        return [
            reverse("admin:advisors_advisor_change", args=[self.alice.pk]),
            reverse("admin:advisors_advisor_changelist"),
            reverse("admin:advisors_advisor_changelist") + "?q=other",
            reverse("admin:advisors_application_change", args=[self.application.pk]),
            reverse("admin:advisors_application_changelist"),
            reverse("admin:index"),
            reverse("staff-home"),
        ]

    def test_pie_team_without_the_permission_never_sees_individual_answers(self) -> None:
        self.client.force_login(self.staff_sam)
        for url in self.pages():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, SECRET)
                self.assertNotContains(response, "Bisexual")
                self.assertNotContains(response, "equality monitoring answers")
        self.assertEqual(
            self.client.get(reverse("admin:advisors_equalitymonitoring_changelist")).status_code,
            403,
        )

    def test_export_has_no_equality_columns(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.post(
            reverse("admin:advisors_advisor_export"),
            {
                "format": "0",
                "resource": "0",
                **{f"advisorresource_{f}": "on" for f in ["email", "first_name", "last_name"]},
            },
        )
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertIn("alice", body.lower())
        for word in ("religion", "sexual", "ethnicity", "bisexual", "other religion"):
            self.assertNotIn(word, body.lower())

    def test_people_given_edi_access_see_individual_answers(self) -> None:
        self.staff_sam.groups.add(Group.objects.get(name="edi_access"))
        self.client.force_login(self.staff_sam)
        response = self.client.get(reverse("admin:advisors_advisor_change", args=[self.alice.pk]))
        self.assertContains(response, SECRET)
        self.assertEqual(
            self.client.get(reverse("admin:advisors_equalitymonitoring_changelist")).status_code,
            200,
        )

    def test_the_aggregate_page_shows_no_names_or_individuals(self) -> None:
        self.client.force_login(self.manager_mo)
        response = self.client.get(reverse("advisors:equality-summary"))
        self.assertContains(response, "fewer than 5")
        self.assertNotContains(response, "Alice")
        self.assertNotContains(response, "Priya")


class EqualitySummaryTest(BaseTestCase):
    def _row(self, summary, field: str, label: str) -> dict:
        question = next(q for q in summary if q["field"] == field)
        return next(r for r in question["rows"] if r["label"] == label)

    def test_counts_below_five_are_suppressed_and_five_or_more_shown(self) -> None:
        for _ in range(5):
            EqualityFactory(application=ApplicationFactory(), age_band="65_74")
        for _ in range(4):
            EqualityFactory(application=ApplicationFactory(), age_band="75_plus")
        for _ in range(6):
            EqualityFactory(advisor=AdvisorFactory(), age_band="65_74")
        EqualityFactory(advisor=AdvisorFactory(status=Advisor.Status.LEFT), age_band="65_74")
        summary = equality_summary()
        self.assertEqual(
            self._row(summary, "age_band", "65 to 74"),
            {"label": "65 to 74", "applicants": 5, "register": 6},
        )
        self.assertEqual(self._row(summary, "age_band", "75 or over")["applicants"], "fewer than 5")
        self.assertEqual(self._row(summary, "age_band", "Under 25")["applicants"], "fewer than 5")

    def test_a_single_small_count_is_not_left_to_be_worked_out_by_subtraction(self) -> None:
        from advisors.services import _suppress

        self.assertEqual(
            _suppress([12, 3, 7, 9], 5), [12, "fewer than 5", "hidden to protect small numbers", 9]
        )
        self.assertEqual(_suppress([12, 3, 2, 9], 5), [12, "fewer than 5", "fewer than 5", 9])
        self.assertEqual(_suppress([12, 6, 7], 5), [12, 6, 7])

    def test_every_question_offers_prefer_not_to_say_and_not_answered(self) -> None:
        for question in equality_summary():
            labels = [r["label"] for r in question["rows"]]
            self.assertIn("Prefer not to say", labels)
            self.assertIn("Not answered", labels)

    @override_settings(EQUALITY_SUPPRESS_BELOW=5)
    def test_summary_page_query_count_is_constant(self) -> None:
        self.client.force_login(self.manager_mo)
        # session, user, groups, then one GROUP BY per question per population (9 x 2)
        with self.assertNumQueries(21):
            self.client.get(reverse("advisors:equality-summary"))
        for _ in range(10):
            EqualityFactory(application=ApplicationFactory(), age_band="65_74")
        with self.assertNumQueries(21):
            self.client.get(reverse("advisors:equality-summary"))
