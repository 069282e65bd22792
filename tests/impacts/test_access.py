"""Who may open one impact record: the PIE team and the project's researchers (who may change
it), and in the portal the advisors who contributed to it (who may only read it)."""

from django.http import Http404
from django.test import RequestFactory

from impacts.access import get_impact_for_user
from impacts.models import ImpactRecord
from tests.base import BaseTestCase
from tests.factories import ProjectFactory, add_member, make_impact


class GetImpactForUserTest(BaseTestCase):
    """Rita researches "Rita's study"; Alice contributed to its impact, Bob did not."""

    def setUp(self) -> None:
        super().setUp()
        self.project = ProjectFactory(title="Rita's study")
        add_member(self.project, self.researcher_rita)
        self.impact = make_impact(self.project, self.researcher_rita, self.alice)
        self.other_project = ProjectFactory(title="Someone else's study")

    def get(self, user, **kwargs) -> tuple[ImpactRecord, bool]:
        request = RequestFactory().get("/")
        request.user = user
        return get_impact_for_user(request, self.impact.pk, **kwargs)

    def test_the_research_side(self) -> None:
        table = [
            (self.staff_sam, True),
            (self.researcher_rita, True),
            (self.manager_mo, None),
            (self.outsider_carol, None),
        ]
        for user, can_change in table:
            with self.subTest(user=user.username):
                if can_change is None:
                    with self.assertRaises(Http404):
                        self.get(user, project_pk=self.project.pk)
                else:
                    self.assertEqual(
                        self.get(user, project_pk=self.project.pk), (self.impact, can_change)
                    )

    def test_an_impact_under_another_projects_url_is_404_even_for_the_pie_team(self) -> None:
        with self.assertRaises(Http404):
            self.get(self.staff_sam, project_pk=self.other_project.pk)

    def test_in_the_portal_only_a_contributor_may_read_it_and_nobody_changes_it(self) -> None:
        self.assertEqual(self.get(self.advisor_alice, advisor=self.alice), (self.impact, False))
        with self.assertRaises(Http404):
            self.get(self.advisor_bob, advisor=self.bob)
