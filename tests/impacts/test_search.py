"""Searching the impact database: who sees what, words, filters, pages and query counts."""

import datetime
from unittest import skipUnless

from django.db import connection
from django.urls import reverse

from impacts.models import ImpactRecord, Standard
from tests.base import BaseTestCase
from tests.factories import ProjectFactory, add_member


class SearchTestCase(BaseTestCase):
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

    def found(self, user, **params) -> list[str]:
        """What changed, for each result on the search page."""
        self.client.force_login(user)
        response = self.client.get(reverse("impacts:search"), params)
        self.assertEqual(response.status_code, 200)
        return [i.what_changed for i in response.context["page"].object_list]


class ConfidentialityTest(SearchTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.impact(self.open, what_changed="Open change")
        self.impact(self.own_secret, what_changed="Own secret change")
        self.impact(self.secret, what_changed="Hidden secret change")

    def test_researcher_sees_open_projects_and_her_own_but_not_others_confidential_ones(
        self,
    ) -> None:
        self.assertCountEqual(
            self.found(self.researcher_rita), ["Open change", "Own secret change"]
        )
        self.assertEqual(self.found(self.researcher_rita, q="secret"), ["Own secret change"])
        response = self.client.get(reverse("impacts:search"))
        self.assertNotContains(response, "Someone&#x27;s secret study")

    def test_researcher_cannot_pick_a_confidential_project_she_is_not_on(self) -> None:
        self.client.force_login(self.researcher_rita)
        response = self.client.get(reverse("impacts:search"), {"project": self.secret.pk})
        self.assertContains(response, "Select a valid choice")
        self.assertNotContains(response, "Hidden secret change")

    def test_researchers_export_leaves_out_others_confidential_projects(self) -> None:
        self.client.force_login(self.researcher_rita)
        text = self.client.get(reverse("impacts:export")).content.decode()
        self.assertIn("Open change", text)
        self.assertIn("Own secret change", text)
        self.assertNotIn("Hidden secret change", text)
        self.assertNotIn("Someone's secret study", text)

    def test_manager_and_pie_team_see_everything_in_search_and_export(self) -> None:
        everything = ["Open change", "Own secret change", "Hidden secret change"]
        for user in (self.manager_mo, self.staff_sam):
            with self.subTest(user=user.username):
                self.assertCountEqual(self.found(user), everything)
                text = self.client.get(
                    reverse("impacts:export"), {"format": "csv"}
                ).content.decode()
                for what in everything:
                    self.assertIn(what, text)

    def test_advisors_finance_and_strangers_cannot_search(self) -> None:
        for user in (self.advisor_alice, self.finance_fay, self.outsider_carol):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(reverse("impacts:search")).status_code, 403)
                self.assertEqual(self.client.get(reverse("impacts:export")).status_code, 403)


class WordsAndFiltersTest(SearchTestCase):
    def test_words_are_found_in_what_changed_and_in_the_evidence(self) -> None:
        self.impact(
            what_changed="Consent form shortened", evidence_text="Minutes of the advisory group"
        )
        self.impact(
            what_changed="Themes renamed", evidence_text="Email from an advisor about consent"
        )
        self.impact(what_changed="Poster redesigned", evidence_text="Photo")
        self.assertCountEqual(
            self.found(self.staff_sam, q="consent"), ["Consent form shortened", "Themes renamed"]
        )
        self.assertEqual(self.found(self.staff_sam, q="minutes"), ["Consent form shortened"])
        # Every word must match somewhere in the record.
        self.assertEqual(self.found(self.staff_sam, q="consent email"), ["Themes renamed"])
        self.assertEqual(self.found(self.staff_sam, q="nothing-like-this"), [])

    def test_filters_combine(self) -> None:
        self.impact(
            what_changed="match",
            stage="analysis",
            category="analysis",
            recorded_on=datetime.date(2025, 5, 1),
        )
        self.impact(
            what_changed="wrong stage",
            stage="design",
            category="analysis",
            recorded_on=datetime.date(2025, 5, 1),
        )
        self.impact(
            what_changed="wrong category",
            stage="analysis",
            category="tools",
            recorded_on=datetime.date(2025, 5, 1),
        )
        self.impact(
            what_changed="wrong year",
            stage="analysis",
            category="analysis",
            recorded_on=datetime.date(2026, 5, 1),
        )
        self.assertEqual(
            self.found(self.staff_sam, stage="analysis", category="analysis", year="2025"),
            ["match"],
        )
        self.assertEqual(len(self.found(self.staff_sam, stage="analysis")), 3)

    def test_project_extent_kind_and_standard_filters(self) -> None:
        impact = self.impact(
            self.own_secret, what_changed="target", extent="major", kind="anticipated"
        )
        impact.standards.set(Standard.objects.filter(code="governance"))
        self.impact(self.own_secret, what_changed="other", extent="major", kind="actual")
        self.impact(self.open, what_changed="elsewhere", extent="major", kind="anticipated")
        params = {"project": self.own_secret.pk, "extent": "major", "kind": "anticipated"}
        self.assertEqual(self.found(self.researcher_rita, **params), ["target"])
        self.assertEqual(self.found(self.researcher_rita, standard="governance"), ["target"])

    def test_an_invalid_filter_is_explained_and_the_others_still_apply(self) -> None:
        self.impact(what_changed="design change", stage="design")
        self.impact(what_changed="analysis change", stage="analysis")
        self.client.force_login(self.staff_sam)
        response = self.client.get(reverse("impacts:search"), {"stage": "design", "year": "1066"})
        self.assertContains(response, "There is a problem")
        self.assertEqual(
            [i.what_changed for i in response.context["page"].object_list], ["design change"]
        )

    def test_the_result_count_is_said_in_words(self) -> None:
        self.assertEqual(self.found(self.staff_sam), [])
        self.assertContains(self.client.get(reverse("impacts:search")), "No impacts match.")
        self.impact()
        self.assertContains(self.client.get(reverse("impacts:search")), "One impact matches.")
        self.impact()
        self.assertContains(
            self.client.get(reverse("impacts:search"), {"q": "questions"}),
            "2 impacts match your search.",
        )

    def test_each_result_shows_project_stage_category_size_and_date(self) -> None:
        self.impact(
            what_changed="Consent form shortened " + "word " * 60,
            extent="major",
            direction="negative",
            category="recruitment",
        )
        self.client.force_login(self.staff_sam)
        response = self.client.get(reverse("impacts:search"))
        self.assertContains(response, "Open study: Participant information and recruitment")
        self.assertContains(response, "Design · Actual · Major, negative · recorded 1 June 2026")
        self.assertContains(response, "Consent form shortened word")
        self.assertContains(response, "word …")

    @skipUnless(
        connection.vendor == "postgresql", "full-text search with stemming needs PostgreSQL"
    )
    def test_postgresql_search_finds_other_forms_of_a_word(self) -> None:
        self.impact(what_changed="Raised at the advisory meeting")
        self.impact(what_changed="Advisor comments changed the leaflet")
        self.impact(what_changed="Leaflet", evidence_text="Advisors were consulted")
        self.impact(what_changed="Unrelated")
        self.assertEqual(
            self.found(self.staff_sam, q="meetings"), ["Raised at the advisory meeting"]
        )
        self.assertEqual(self.found(self.staff_sam, q="consulting"), ["Leaflet"])
        # Ranked: a match in what changed comes before one in the evidence.
        self.assertEqual(
            self.found(self.staff_sam, q="advisors"),
            ["Advisor comments changed the leaflet", "Leaflet"],
        )


class PagesTest(SearchTestCase):
    def test_results_come_20_to_a_page_with_an_accessible_page_list(self) -> None:
        for n in range(25):
            self.impact(
                what_changed=f"Change {n}",
                recorded_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
            )
        self.client.force_login(self.staff_sam)
        url = reverse("impacts:search")
        response = self.client.get(url, {"stage": "design"})
        self.assertEqual(len(response.context["page"].object_list), 20)
        self.assertContains(response, "25 impacts match your search; showing 1 to 20.")
        self.assertContains(response, '<nav aria-label="Pages of results">')
        self.assertContains(response, 'href="?stage=design&amp;page=1" aria-current="page"')
        self.assertContains(response, 'href="?stage=design&amp;page=2"')
        # Exports take the same filters, without the page.
        self.assertContains(
            response, f'href="{reverse("impacts:export")}?stage=design&amp;format=csv"'
        )

        response = self.client.get(url, {"stage": "design", "page": "2"})
        self.assertEqual(
            [i.what_changed for i in response.context["page"].object_list],
            [f"Change {n}" for n in range(4, -1, -1)],
        )
        self.assertContains(response, "showing 21 to 25")
        self.assertContains(response, 'href="?stage=design&amp;page=2" aria-current="page"')

    def test_queries_do_not_grow_with_the_number_of_results(self) -> None:
        standards = list(Standard.objects.all()[:2])

        def add(n: int, project) -> None:
            for _ in range(n):
                impact = self.impact(project)
                impact.contributors.set([self.alice, self.bob])
                impact.standards.set(standards)

        # Rita: the visibility rule joins memberships; the project filter lists her projects.
        self.client.force_login(self.researcher_rita)
        url = reverse("impacts:search")
        add(3, self.open)
        # session, user, groups (role check), the years with impacts (the year filter's
        # choices), count, projects and standards for the filters' choices, the page of
        # impacts with project and recorder
        with self.assertNumQueries(8):
            response = self.client.get(url, {"q": "questions"})
        self.assertEqual(len(response.context["page"].object_list), 3)
        add(17, self.own_secret)
        with self.assertNumQueries(8):
            response = self.client.get(url, {"q": "questions"})
        self.assertEqual(len(response.context["page"].object_list), 20)
