"""The PIE team reads advisors' reflections ("you said, we did") on /impacts/reflections/
(issue 15), not only in the admin. Advisors are told that the PIE team reads them, so
nobody else may: researchers, the manager and finance get 403."""

import datetime

from django.urls import reverse

from impacts.models import AdvisorReflection, ImpactRecord
from tests.base import BaseTestCase
from tests.factories import ProjectFactory, add_member

URL = reverse("impacts:reflections")


class ReflectionsTestCase(BaseTestCase):
    """Alice reflected on an impact of "Home care study" (2025); Bob on one of "Falls
    study" (2026). Rita researches "Home care study"."""

    def setUp(self) -> None:
        super().setUp()
        self.home = ProjectFactory(title="Home care study")
        add_member(self.home, self.researcher_rita)
        self.falls = ProjectFactory(title="Falls study")
        self.home_impact = self.impact(self.home, datetime.date(2025, 4, 1), "Consent form shorter")
        self.falls_impact = self.impact(self.falls, datetime.date(2026, 2, 1), "Leaflet rewritten")
        self.reflect(self.home_impact, self.alice, "I was listened to.")
        self.reflect(self.falls_impact, self.bob, "They changed the leaflet <b>because</b> of us.")

    def impact(self, project, recorded_on, what_changed) -> ImpactRecord:
        return ImpactRecord.objects.create(
            project=project,
            recorded_by=self.staff_sam,
            stage="design",
            category="tools",
            what_changed=what_changed,
            recorded_on=recorded_on,
        )

    def reflect(self, impact, advisor, text) -> AdvisorReflection:
        impact.contributors.add(advisor)
        return AdvisorReflection.objects.create(impact=impact, advisor=advisor, text=text)

    def shown(self, **params) -> list[str]:
        self.client.force_login(self.staff_sam)
        response = self.client.get(URL, params)
        self.assertEqual(response.status_code, 200)
        return [r.text for r in response.context["page"].object_list]


class ReflectionsPageTest(ReflectionsTestCase):
    def test_the_pie_team_reads_every_reflection_with_who_and_on_what(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.get(URL)
        self.assertContains(response, "<h1>Advisors’ reflections</h1>", html=True)
        self.assertContains(response, "2 reflections.")
        self.assertContains(response, "Alice Ashby on")
        self.assertContains(response, "I was listened to.")
        self.assertContains(response, "What changed: Consent form shorter")
        self.assertContains(
            response, f'href="{reverse("impacts:detail", args=[self.home_impact.pk])}"'
        )
        # Advisors' words are escaped.
        self.assertContains(response, "&lt;b&gt;because&lt;/b&gt;")
        self.assertNotContains(response, "<b>because</b>")
        # Dates in words, never ISO.
        self.assertContains(response, "impact recorded Tuesday 1 April 2025")
        self.assertNotContains(response, "2025-04-01")

    def test_the_search_page_links_to_it_for_the_pie_team(self) -> None:
        self.client.force_login(self.staff_sam)
        self.assertContains(self.client.get(reverse("impacts:search")), f'href="{URL}"')
        self.client.force_login(self.manager_mo)
        self.assertNotContains(self.client.get(reverse("impacts:search")), f'href="{URL}"')

    def test_filter_by_project_and_by_year(self) -> None:
        self.assertEqual(self.shown(project=self.home.pk), ["I was listened to."])
        self.assertEqual(self.shown(year=2026), ["They changed the leaflet <b>because</b> of us."])
        self.assertEqual(self.shown(project=self.home.pk, year=2026), [])
        self.client.force_login(self.staff_sam)
        self.assertContains(self.client.get(URL, {"year": 2026}), "One reflection matches")

    def test_the_filters_offer_only_projects_and_years_with_reflections(self) -> None:
        ProjectFactory(title="Quiet study")
        self.client.force_login(self.staff_sam)
        form = self.client.get(URL).context["form"]
        self.assertEqual(
            [label for _, label in form.fields["project"].choices],
            ["All projects", "Falls study", "Home care study"],
        )
        self.assertEqual(
            [label for _, label in form.fields["year"].choices], ["Any year", "2026", "2025"]
        )

    def test_nothing_yet_is_said_plainly(self) -> None:
        AdvisorReflection.objects.all().delete()
        self.client.force_login(self.staff_sam)
        self.assertContains(self.client.get(URL), "No reflections yet.")

    def test_twenty_to_a_page(self) -> None:
        for n in range(25):
            impact = self.impact(self.falls, datetime.date(2026, 3, 1), f"Change {n}")
            self.reflect(impact, self.alice, f"Reflection {n}")
        self.client.force_login(self.staff_sam)
        response = self.client.get(URL, {"page": 2})
        self.assertEqual(len(response.context["page"].object_list), 7)
        self.assertContains(response, "27 reflections; showing 21 to 27.")
        self.assertContains(response, 'aria-label="Pages of reflections"')

    def test_queries_do_not_grow_with_the_number_of_reflections(self) -> None:
        self.client.force_login(self.staff_sam)
        # session, user, groups (role check), projects and years for the filters, count,
        # the page of reflections with advisor, impact and project
        with self.assertNumQueries(7):
            self.client.get(URL)
        for n in range(15):
            project = ProjectFactory(title=f"Study {n}")
            impact = self.impact(project, datetime.date(2024, 1, 1), f"Change {n}")
            self.reflect(impact, self.bob, f"Reflection {n}")
        with self.assertNumQueries(7):
            response = self.client.get(URL)
        self.assertEqual(len(response.context["page"].object_list), 17)


class ReflectionsAccessTest(ReflectionsTestCase):
    def test_only_the_pie_team(self) -> None:
        for user in (
            self.researcher_rita,
            self.manager_mo,
            self.finance_fay,
            self.advisor_alice,
            self.outsider_carol,
        ):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(URL).status_code, 403)
        self.client.logout()
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn("login", response["Location"])
