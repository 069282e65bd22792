"""The impact database's results (issue 15): each links to its record, confidential ones say
so in words, the year filter offers the years that have impacts, and impacts come in research
stage order, not alphabetically."""

import datetime

from django.urls import reverse

from impacts.models import ImpactRecord, ImpactStage
from tests.base import BaseTestCase
from tests.factories import ProjectFactory, add_member


class ResultsTestCase(BaseTestCase):
    """Rita is on "Rita's secret study" (confidential). "Open study" is not confidential;
    "Someone's secret study" is confidential and Rita is not on it."""

    def setUp(self) -> None:
        super().setUp()
        self.open = ProjectFactory(title="Open study")
        self.own_secret = ProjectFactory(title="Rita's secret study", confidential=True)
        add_member(self.own_secret, self.researcher_rita)
        self.secret = ProjectFactory(title="Someone's secret study", confidential=True)

    def impact(self, project=None, **fields) -> ImpactRecord:
        values = {
            "stage": "design",
            "category": "tools",
            "what_changed": "Questions reworded",
            "recorded_on": datetime.date(2026, 6, 1),
            **fields,
        }
        return ImpactRecord.objects.create(
            project=project or self.open, recorded_by=self.staff_sam, **values
        )

    def search(self, user, **params):
        self.client.force_login(user)
        response = self.client.get(reverse("impacts:search"), params)
        self.assertEqual(response.status_code, 200)
        return response


class ResultLinksTest(ResultsTestCase):
    def test_each_result_links_to_its_record(self) -> None:
        impact = self.impact(what_changed="Reworded the consent form")
        response = self.search(self.manager_mo)
        url = reverse("impacts:detail", args=[impact.pk])
        self.assertContains(response, f'<a href="{url}">Open study: Data collection tools</a>')
        record = self.client.get(url)
        self.assertContains(record, "<h1>Open study: Data collection tools</h1>", html=True)
        self.assertContains(record, "Reworded the consent form")
        self.assertContains(record, "Back to the impact database")

    def test_the_record_shows_what_the_search_shows_and_no_more(self) -> None:
        open_impact = self.impact(self.open)
        own = self.impact(self.own_secret)
        hidden = self.impact(self.secret)
        self.client.force_login(self.researcher_rita)
        for impact, status in ((open_impact, 200), (own, 200), (hidden, 404)):
            with self.subTest(project=impact.project.title):
                url = reverse("impacts:detail", args=[impact.pk])
                self.assertEqual(self.client.get(url).status_code, status)
        # The PIE team and the manager open any.
        for user in (self.staff_sam, self.manager_mo):
            self.client.force_login(user)
            url = reverse("impacts:detail", args=[hidden.pk])
            self.assertEqual(self.client.get(url).status_code, 200)

    def test_advisors_finance_and_strangers_cannot_open_a_record(self) -> None:
        url = reverse("impacts:detail", args=[self.impact().pk])
        for user in (self.advisor_alice, self.finance_fay, self.outsider_carol):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(url).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 302)

    def test_only_those_who_may_change_it_get_the_evidence_file_and_project_page(self) -> None:
        impact = self.impact(self.open, evidence_file="impact-evidence/2026/notes.txt")
        url = reverse("impacts:detail", args=[impact.pk])
        evidence = reverse("impacts:evidence", args=[self.open.pk, impact.pk])
        self.client.force_login(self.researcher_rita)  # not on "Open study"
        response = self.client.get(url)
        self.assertNotContains(response, evidence)
        self.assertContains(response, "An evidence file is kept with the project.")
        self.client.force_login(self.staff_sam)
        response = self.client.get(url)
        self.assertContains(response, evidence)
        self.assertContains(response, reverse("impacts:project", args=[self.open.pk]))

    def test_the_record_page_makes_a_fixed_number_of_queries(self) -> None:
        impact = self.impact()
        impact.contributors.set([self.alice, self.bob])
        self.client.force_login(self.staff_sam)
        url = reverse("impacts:detail", args=[impact.pk])
        # session, user, groups, the impact with project, contributors, standards, recorder
        with self.assertNumQueries(7):
            self.client.get(url)


class ConfidentialBadgeTest(ResultsTestCase):
    def test_confidential_results_say_so_in_words(self) -> None:
        self.impact(self.own_secret, what_changed="Secret change")
        self.impact(self.open, what_changed="Open change")
        response = self.search(self.researcher_rita)
        content = response.content.decode()
        secret_card = content.split("Secret change")[0].rsplit('<li class="card', 1)[1]
        open_card = content.split("Open change")[0].rsplit('<li class="card', 1)[1]
        self.assertIn('<span class="badge text-bg-dark">Confidential</span>', secret_card)
        self.assertNotIn("Confidential", open_card)


class YearFilterTest(ResultsTestCase):
    def year_choices(self, user) -> list[str]:
        return [label for _, label in self.search(user).context["form"].fields["year"].choices]

    def test_the_years_are_those_that_have_impacts(self) -> None:
        self.impact(recorded_on=datetime.date(2019, 3, 1))
        self.impact(recorded_on=datetime.date(2022, 7, 1))
        self.impact(self.secret, recorded_on=datetime.date(2031, 1, 1))
        # From the first year to the last, newest first, with the years between.
        expected = ["Any year", "2022", "2021", "2020", "2019"]
        self.assertEqual(self.year_choices(self.researcher_rita), expected)
        # The PIE team sees the confidential project's year too.
        self.assertEqual(self.year_choices(self.staff_sam)[:2], ["Any year", "2031"])

    def test_no_impacts_means_no_years(self) -> None:
        self.assertEqual(self.year_choices(self.staff_sam), ["Any year"])

    def test_a_year_filter_finds_that_years_impacts(self) -> None:
        self.impact(recorded_on=datetime.date(2019, 3, 1), what_changed="Old")
        self.impact(recorded_on=datetime.date(2022, 7, 1), what_changed="New")
        response = self.search(self.staff_sam, year="2019")
        self.assertEqual([i.what_changed for i in response.context["page"].object_list], ["Old"])


class StageOrderTest(ResultsTestCase):
    def test_results_come_in_research_stage_order_newest_first_within_a_stage(self) -> None:
        # Recorded in an order that is neither alphabetical nor by date.
        for stage, day in [
            ("dissemination", 1),
            ("analysis", 2),
            ("identifying", 3),
            ("beyond", 4),
            ("design", 5),
            ("conduct", 6),
            ("design", 7),
        ]:
            self.impact(
                stage=stage, recorded_on=datetime.date(2026, 5, day), what_changed=f"{stage} {day}"
            )
        response = self.search(self.staff_sam)
        found = [i.what_changed for i in response.context["page"].object_list]
        self.assertEqual(
            found,
            [
                "identifying 3",
                "design 7",
                "design 5",
                "conduct 6",
                "analysis 2",
                "dissemination 1",
                "beyond 4",
            ],
        )
        # The literal table above is the stage choices' order.
        self.assertEqual([f.split()[0] for f in found if f != "design 5"], list(ImpactStage.values))
        self.assertContains(response, "In the order of the research stages")

    def test_word_searches_keep_stage_order(self) -> None:
        self.impact(stage="dissemination", what_changed="Leaflet reworded")
        self.impact(stage="identifying", what_changed="Question reworded")
        response = self.search(self.staff_sam, q="reworded")
        self.assertEqual(
            [i.what_changed for i in response.context["page"].object_list],
            ["Question reworded", "Leaflet reworded"],
        )

    def test_the_export_uses_stage_order_too(self) -> None:
        self.impact(stage="dissemination", what_changed="Leaflet reworded")
        self.impact(stage="identifying", what_changed="Question reworded")
        self.client.force_login(self.staff_sam)
        text = self.client.get(reverse("impacts:export"), {"format": "csv"}).content.decode()
        self.assertLess(text.index("Question reworded"), text.index("Leaflet reworded"))
