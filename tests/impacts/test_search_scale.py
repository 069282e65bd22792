"""The impact database as it grows (issue 16): the same few queries at any size, a stored
search vector that follows every edit, and (on PostgreSQL) a GIN index that finds the words."""

import datetime
import re
from unittest import skipUnless

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from impacts.models import AdvisorReflection, ImpactRecord, Standard
from impacts.services import impact_search, refresh_search_vectors
from tests.base import BaseTestCase
from tests.factories import ProjectFactory, add_member

ON_POSTGRESQL = connection.vendor == "postgresql"


class ScaleTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.open = ProjectFactory(title="Open study")
        self.own_secret = ProjectFactory(title="Rita's secret study", confidential=True)
        add_member(self.own_secret, self.researcher_rita)
        self.secret = ProjectFactory(title="Someone's secret study", confidential=True)
        self.governance = Standard.objects.get(code="governance")

    def add(self, n: int) -> None:
        """n impacts on each project, as a bulk load writes them (no save()), with two
        contributors, a UK Standard and a reflection each (the database fills their search
        vectors itself)."""
        start = ImpactRecord.objects.count()
        impacts = ImpactRecord.objects.bulk_create(
            ImpactRecord(
                project=project,
                recorded_by=self.staff_sam,
                stage=("design", "analysis")[i % 2],
                category="tools",
                what_changed=f"Support for carers reworded ({start + i})",
                evidence_text="Minutes of the advisory group",
                recorded_on=datetime.date(2025 + i % 2, 6, 1),
            )
            for i in range(n)
            for project in (self.open, self.own_secret, self.secret)
        )
        Contributors = ImpactRecord.contributors.through
        Contributors.objects.bulk_create(
            Contributors(impactrecord=impact, advisor=advisor)
            for impact in impacts
            for advisor in (self.alice, self.bob)
        )
        ImpactRecord.standards.through.objects.bulk_create(
            ImpactRecord.standards.through(impactrecord=impact, standard=self.governance)
            for impact in impacts
        )
        AdvisorReflection.objects.bulk_create(
            AdvisorReflection(impact=impact, advisor=self.alice, text="It helped.")
            for impact in impacts
        )

    def get(self, user, name: str, params=None, args=()):
        self.client.force_login(user)
        response = self.client.get(reverse(name, args=args), params or {})
        self.assertEqual(response.status_code, 200)
        return response

    def found(self, user, **params) -> list[str]:
        response = self.get(user, "impacts:search", params)
        return [i.what_changed for i in response.context["page"].object_list]


class QueriesDoNotGrowTest(ScaleTestCase):
    # session, user, groups (role check), the years with impacts, projects and standards
    # for the filters' choices, count, the page of impacts with project and recorder;
    # a researcher's project choices and results have her memberships as a subquery.
    PAGES = [
        ("manager", "impacts:search", {}, 8),
        ("manager", "impacts:search", {"q": "carers"}, 8),
        (
            "manager",
            "impacts:search",
            {"q": "carers support", "stage": "design", "standard": "governance", "year": "2025"},
            9,
        ),
        ("researcher", "impacts:search", {"q": "carers", "standard": "governance"}, 9),
        # Every result (a count, then the rows), with contributors and standards (one query each).
        ("manager", "impacts:export", {"q": "carers", "format": "csv"}, 8),
        # session, user, groups, the projects and years with reflections, count, the page.
        ("pie_team", "impacts:reflections", {}, 7),
        ("pie_team", "impacts:reflections", {"year": "2025"}, 7),
    ]

    def test_each_page_makes_the_same_few_queries_at_two_sizes(self) -> None:
        users = {
            "manager": self.manager_mo,
            "researcher": self.researcher_rita,
            "pie_team": self.staff_sam,
        }
        for size in (2, 30):
            self.add(size)
            for role, name, params, expected in self.PAGES:
                with self.subTest(size=size, page=name, params=params):
                    self.client.force_login(users[role])
                    with self.assertNumQueries(expected):
                        response = self.client.get(reverse(name), params)
                    self.assertEqual(response.status_code, 200)

    def test_a_page_of_results_reads_one_page_of_rows_without_distinct(self) -> None:
        self.add(30)
        self.client.force_login(self.researcher_rita)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(
                reverse("impacts:search"), {"q": "carers", "standard": "governance"}
            )
        # Rita sees the open study and her own: 60 impacts, 20 on the first page.
        self.assertContains(response, "60 impacts match your search; showing 1 to 20.")
        sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
        self.assertNotIn("DISTINCT", sql)

    def test_the_impact_detail_makes_the_same_queries_at_two_sizes(self) -> None:
        self.client.force_login(self.researcher_rita)
        for size in (2, 30):
            self.add(size)
            impact = ImpactRecord.objects.filter(project=self.own_secret).latest("pk")
            # session, user, groups, the impact with its project, Rita's membership (may she
            # change it), contributors, standards, who recorded it.
            with self.subTest(size=size), self.assertNumQueries(8):
                response = self.client.get(reverse("impacts:detail", args=[impact.pk]))
            self.assertContains(response, "Alice Ashby, Bob Brown")


class SearchedWordsTest(ScaleTestCase):
    def test_words_are_found_in_each_searched_field_and_nowhere_else(self) -> None:
        ImpactRecord.objects.create(
            project=self.open,
            recorded_by=self.staff_sam,
            stage="design",
            category="tools",
            what_changed="Leaflet rewritten for carers",
            evidence_text="Photo",
            recorded_on=datetime.date(2026, 6, 1),
        )
        ImpactRecord.objects.create(
            project=self.open,
            recorded_by=self.staff_sam,
            stage="design",
            category="tools",
            what_changed="Poster redesigned",
            evidence_text="Minutes of the steering committee",
            recorded_on=datetime.date(2026, 6, 1),
        )
        self.assertEqual(self.found(self.manager_mo, q="carers"), ["Leaflet rewritten for carers"])
        self.assertEqual(self.found(self.manager_mo, q="steering"), ["Poster redesigned"])
        # The project's title is not one of the searched fields.
        self.assertEqual(self.found(self.manager_mo, q="open"), [])

    def test_an_edit_in_the_admin_changes_what_the_search_finds(self) -> None:
        impact = ImpactRecord.objects.create(
            project=self.open,
            recorded_by=self.staff_sam,
            stage="design",
            category="tools",
            what_changed="Questions reworded",
            evidence_text="Minutes",
            recorded_on=datetime.date(2026, 6, 1),
        )
        self.assertEqual(self.found(self.staff_sam, q="questions"), ["Questions reworded"])
        self.client.force_login(self.staff_sam)
        url = reverse("admin:impacts_impactrecord_change", args=[impact.pk])
        form = self.client.get(url).context["adminform"].form
        data = {
            name: value
            for name, value in (
                (name, form[name].value()) for name in form.fields if name != "evidence_file"
            )
            if value is not None
        }
        data.update(
            {
                "what_changed": "Consent form shortened",
                "evidence_text": "Email from an advisor",
                "contributors": [],
                "standards": [],
                "reflections-TOTAL_FORMS": "0",
                "reflections-INITIAL_FORMS": "0",
            }
        )
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None) and "")
        self.assertEqual(self.found(self.staff_sam, q="questions"), [])
        self.assertEqual(self.found(self.staff_sam, q="consent"), ["Consent form shortened"])
        self.assertEqual(self.found(self.staff_sam, q="email"), ["Consent form shortened"])

    def test_bulk_inserts_and_updates_are_found_at_once(self) -> None:
        self.add(1)
        self.assertEqual(len(self.found(self.manager_mo, q="carers")), 3)
        ImpactRecord.objects.filter(project=self.open).update(evidence_text="Survey of families")
        self.assertEqual(
            self.found(self.manager_mo, q="families"), ["Support for carers reworded (0)"]
        )

    @skipUnless(ON_POSTGRESQL, "stored full-text vectors are PostgreSQL's")
    def test_the_stored_vector_weights_what_changed_above_the_evidence(self) -> None:
        impact = ImpactRecord.objects.create(
            project=self.open,
            recorded_by=self.staff_sam,
            stage="design",
            category="tools",
            what_changed="Carers asked",
            evidence_text="Minutes",
            recorded_on=datetime.date(2026, 6, 1),
        )
        impact.refresh_from_db()
        self.assertEqual(impact.search_vector, "'ask':2A 'carer':1A 'minut':3B")
        ImpactRecord.objects.filter(pk=impact.pk).update(search_vector=None)
        self.assertEqual(refresh_search_vectors(ImpactRecord.objects.filter(pk=impact.pk)), 1)
        impact.refresh_from_db()
        self.assertEqual(impact.search_vector, "'ask':2A 'carer':1A 'minut':3B")

    @skipUnless(ON_POSTGRESQL, "the GIN index is PostgreSQL's")
    def test_the_search_reads_the_gin_index(self) -> None:
        self.add(5)
        query = impact_search(user=self.manager_mo, q="carers").prefetch_related(None)[:20]
        with connection.cursor() as cursor:
            # A table this small is read whole; the plan must still be able to use the index.
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = query.explain()
        self.assertTrue(re.search(r"impacts_search_vector_gin", plan), plan)


class PagerTest(ScaleTestCase):
    def test_results_and_reflections_use_the_shared_pager(self) -> None:
        self.add(8)
        response = self.get(self.manager_mo, "impacts:search")
        self.assertContains(response, '<nav aria-label="Pages of results">', count=1)
        self.assertContains(response, 'href="?page=2"')
        response = self.get(self.staff_sam, "impacts:reflections")
        self.assertContains(response, '<nav aria-label="Pages of reflections">', count=1)
        self.assertContains(response, "24 reflections; showing 1 to 20.")
