"""A project's outputs: advisors credited as they chose to be named."""

import datetime

from django.urls import reverse

from advisors.models import Advisor
from projects.models import Output, OutputCredit, ProjectAdvisor
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, OutputFactory, ProjectFactory, add_member


def output_post(**overrides) -> dict:
    return {
        "kind": "paper",
        "title": "Care at home: what matters",
        "published_on": "2026-05-15",
        "link": "https://example.org/paper",
        **overrides,
    }


class OutputTestCase(BaseTestCase):
    """Rita researches "Home care study", where Alice, Bob and Nadia are advisors.

    Alice is named in full, Bob by initials, and Nadia anonymously.
    """

    def setUp(self) -> None:
        super().setUp()
        self.project = ProjectFactory(title="Home care study")
        add_member(self.project, self.researcher_rita)
        self.other = ProjectFactory(title="Secret other study")
        self.bob.acknowledgement = Advisor.Acknowledgement.INITIALS
        self.bob.save()
        self.nadia = AdvisorFactory(
            first_name="Nadia",
            last_name="Nobody",
            acknowledgement=Advisor.Acknowledgement.ANONYMOUS,
        )
        for advisor in (self.alice, self.bob, self.nadia):
            ProjectAdvisor.objects.create(
                project=self.project, advisor=advisor, role="Advisory group member"
            )
        self.url = reverse("projects:outputs", args=[self.project.pk])


class OutputListTest(OutputTestCase):
    def test_credits_are_shown_as_each_advisor_chose(self) -> None:
        output = OutputFactory(project=self.project, title="Final report")
        OutputCredit.objects.create(
            output=output, advisor=self.alice, credit=OutputCredit.Credit.CO_AUTHOR
        )
        OutputCredit.objects.create(
            output=output, advisor=self.bob, credit=OutputCredit.Credit.CO_PRESENTER
        )
        OutputCredit.objects.create(
            output=output, advisor=self.nadia, credit=OutputCredit.Credit.ACKNOWLEDGED
        )
        self.client.force_login(self.researcher_rita)
        response = self.client.get(self.url)
        self.assertContains(response, "<li>Alice Ashby (Co-author)</li>", html=True)
        self.assertContains(response, "<li>B. B. (Co-presenter)</li>", html=True)
        self.assertContains(response, "<li>A Public Advisor (Acknowledged)</li>", html=True)
        # Nadia's name appears only as a form label for the researchers choosing credits.
        table = response.content.decode().split("Add an output")[0]
        self.assertNotIn("Nadia", table)
        self.assertNotIn("Bob Brown", table)

    def test_researcher_adds_an_output_with_credits(self) -> None:
        self.client.force_login(self.researcher_rita)
        response = self.client.post(
            self.url,
            output_post(
                **{
                    f"credit_{self.alice.pk}": "co_author",
                    f"credit_{self.bob.pk}": "",
                    f"credit_{self.nadia.pk}": "acknowledged",
                }
            ),
        )
        self.assertRedirects(response, self.url)
        output = Output.objects.get(title="Care at home: what matters")
        self.assertEqual(output.project, self.project)
        self.assertEqual(output.published_on, datetime.date(2026, 5, 15))
        self.assertEqual(
            dict(output.credits.values_list("advisor_id", "credit")),
            {self.alice.pk: "co_author", self.nadia.pk: "acknowledged"},
        )

    def test_the_pie_team_adds_outputs_too(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.post(
            self.url, output_post(title="Conference talk", kind="presentation")
        )
        self.assertRedirects(response, self.url)
        self.assertTrue(
            Output.objects.filter(title="Conference talk", project=self.project).exists()
        )

    def test_only_advisors_on_the_project_can_be_credited(self) -> None:
        stranger = AdvisorFactory(first_name="Stranger")
        self.client.force_login(self.researcher_rita)
        response = self.client.get(self.url)
        self.assertContains(response, "Credit for Alice Ashby")
        self.assertContains(response, "Named in outputs as: B. B.")
        self.assertNotContains(response, "Stranger")
        self.client.post(self.url, output_post(**{f"credit_{stranger.pk}": "co_author"}))
        self.assertFalse(OutputCredit.objects.filter(advisor=stranger).exists())

    def test_an_advisor_with_two_roles_is_offered_once(self) -> None:
        ProjectAdvisor.objects.create(project=self.project, advisor=self.alice, role="Co-analyst")
        self.client.force_login(self.researcher_rita)
        self.assertContains(self.client.get(self.url), "Credit for Alice Ashby", count=1)

    def test_missing_title_gets_a_plain_english_message(self) -> None:
        self.client.force_login(self.researcher_rita)
        response = self.client.post(self.url, output_post(title="", link="not a link"))
        self.assertContains(response, "Enter the title of the output.", status_code=400)
        self.assertContains(response, "Enter the full link", status_code=400)
        self.assertFalse(Output.objects.exists())

    def test_query_count_does_not_grow_with_outputs(self) -> None:
        self.client.force_login(self.researcher_rita)
        OutputFactory(project=self.project)
        # session, user, user's groups (role check), project, membership check,
        # assigned advisors, outputs, their credits (with advisor)
        with self.assertNumQueries(8):
            self.client.get(self.url)
        for _ in range(4):
            output = OutputFactory(project=self.project)
            for advisor in (self.alice, self.bob, self.nadia):
                OutputCredit.objects.create(
                    output=output, advisor=advisor, credit=OutputCredit.Credit.ACKNOWLEDGED
                )
        with self.assertNumQueries(8):
            response = self.client.get(self.url)
        self.assertContains(response, "A Public Advisor (Acknowledged)", count=4)


class OutputAccessTest(OutputTestCase):
    def test_researcher_on_another_project_gets_404(self) -> None:
        self.client.force_login(self.researcher_rita)
        other_url = reverse("projects:outputs", args=[self.other.pk])
        self.assertEqual(self.client.get(other_url).status_code, 404)
        self.assertEqual(self.client.post(other_url, output_post()).status_code, 404)
        self.assertFalse(Output.objects.exists())

    def test_pie_team_sees_any_project(self) -> None:
        self.client.force_login(self.staff_sam)
        self.assertEqual(
            self.client.get(reverse("projects:outputs", args=[self.other.pk])).status_code, 200
        )

    def test_other_roles_get_403(self) -> None:
        for user in (self.advisor_alice, self.manager_mo, self.finance_fay, self.outsider_carol):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
