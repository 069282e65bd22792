"""A name typed by a member of the public is text on the outputs page, never markup."""

from django.urls import reverse

from projects.models import ProjectAdvisor
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, ProjectFactory, add_member

SCRIPT = "<img src=x onerror=alert(1)>"


class OutputCreditHelpTextTest(BaseTestCase):
    def test_an_advisors_name_in_the_credit_help_text_is_escaped(self) -> None:
        project = ProjectFactory(title="Home care study")
        add_member(project, self.researcher_rita)
        mallory = AdvisorFactory(first_name=SCRIPT, last_name="Smith")
        ProjectAdvisor.objects.create(project=project, advisor=mallory, role="Advisor")
        self.client.force_login(self.researcher_rita)
        response = self.client.get(reverse("projects:outputs", args=[project.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, SCRIPT)
        self.assertContains(
            response, "Named in outputs as: &lt;img src=x onerror=alert(1)&gt; Smith"
        )
