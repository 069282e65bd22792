"""Changing and deleting a project's outputs, and the names advisors are credited under
(issue 15): a change of naming choice applies to outputs published after it, not to past ones."""

import importlib

from django.urls import reverse

from advisors.forms import ProfileForm
from advisors.models import Advisor
from projects.models import Output, OutputCredit, ProjectAdvisor
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, OutputFactory, ProjectFactory, add_member


def edit_post(output: Output, **overrides) -> dict:
    return {
        "kind": output.kind,
        "title": output.title,
        "published_on": output.published_on.isoformat() if output.published_on else "",
        "link": output.link,
        **overrides,
    }


class OutputEditTestCase(BaseTestCase):
    """Rita researches "Home care study", where Alice (named in full) and Bob (by initials)
    are advisors. Its paper "Care at home" credits Alice as co-author."""

    def setUp(self) -> None:
        super().setUp()
        self.project = ProjectFactory(title="Home care study")
        add_member(self.project, self.researcher_rita)
        self.bob.acknowledgement = Advisor.Acknowledgement.INITIALS
        self.bob.save()
        for advisor in (self.alice, self.bob):
            ProjectAdvisor.objects.create(
                project=self.project, advisor=advisor, role="Advisory group member"
            )
        self.output = OutputFactory(
            project=self.project, kind="paper", title="Care at home", link=""
        )
        OutputCredit.objects.create(
            output=self.output,
            advisor=self.alice,
            credit=OutputCredit.Credit.CO_AUTHOR,
            named_as="Alice Ashby",
        )
        self.list_url = reverse("projects:outputs", args=[self.project.pk])
        self.edit_url = reverse("projects:output-edit", args=[self.project.pk, self.output.pk])
        self.delete_url = reverse("projects:output-delete", args=[self.project.pk, self.output.pk])

    def credits(self, output: Output) -> dict[int, str]:
        return dict(output.credits.values_list("advisor_id", "credit"))


class OutputEditTest(OutputEditTestCase):
    def test_the_list_links_to_edit_and_delete_each_output(self) -> None:
        self.client.force_login(self.researcher_rita)
        response = self.client.get(self.list_url)
        self.assertContains(response, f'href="{self.edit_url}"')
        self.assertContains(response, f'href="{self.delete_url}"')
        self.assertContains(response, 'Edit<span class="visually-hidden"> “Care at home”</span>')

    def test_the_form_starts_with_the_output_and_its_credits(self) -> None:
        self.client.force_login(self.researcher_rita)
        response = self.client.get(self.edit_url)
        form = response.context["form"]
        self.assertEqual(form["title"].value(), "Care at home")
        self.assertEqual(form[f"credit_{self.alice.pk}"].value(), "co_author")
        self.assertEqual(form[f"credit_{self.bob.pk}"].value(), "")

    def test_researcher_changes_the_title_and_the_credits(self) -> None:
        self.client.force_login(self.researcher_rita)
        response = self.client.post(
            self.edit_url,
            edit_post(
                self.output,
                title="Care at home: what matters",
                **{f"credit_{self.alice.pk}": "co_presenter", f"credit_{self.bob.pk}": "co_author"},
            ),
            follow=True,
        )
        self.assertRedirects(response, self.list_url)
        self.output.refresh_from_db()
        self.assertEqual(self.output.title, "Care at home: what matters")
        self.assertEqual(
            self.credits(self.output), {self.alice.pk: "co_presenter", self.bob.pk: "co_author"}
        )
        self.assertContains(response, "The output “Care at home: what matters” has been saved.")
        page = self.client.get(self.list_url)
        self.assertContains(page, "<li>Alice Ashby (Co-presenter)</li>", html=True)
        self.assertContains(page, "<li>B. B. (Co-author)</li>", html=True)

    def test_choosing_none_stops_crediting_an_advisor(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.post(
            self.edit_url, edit_post(self.output, **{f"credit_{self.alice.pk}": ""})
        )
        self.assertRedirects(response, self.list_url)
        self.assertEqual(self.credits(self.output), {})

    def test_an_advisor_who_left_the_project_stays_credited_when_editing(self) -> None:
        ProjectAdvisor.objects.filter(advisor=self.alice).delete()
        self.client.force_login(self.researcher_rita)
        response = self.client.get(self.edit_url)
        self.assertContains(response, "Credit for Alice Ashby")
        self.client.post(
            self.edit_url,
            edit_post(self.output, title="Renamed", **{f"credit_{self.alice.pk}": "co_author"}),
        )
        self.assertEqual(self.credits(self.output), {self.alice.pk: "co_author"})

    def test_an_advisor_not_on_the_project_cannot_be_credited(self) -> None:
        stranger = AdvisorFactory(first_name="Stranger")
        self.client.force_login(self.researcher_rita)
        self.client.post(
            self.edit_url, edit_post(self.output, **{f"credit_{stranger.pk}": "co_author"})
        )
        self.assertFalse(OutputCredit.objects.filter(advisor=stranger).exists())

    def test_a_missing_title_is_refused_in_plain_english(self) -> None:
        self.client.force_login(self.researcher_rita)
        response = self.client.post(self.edit_url, edit_post(self.output, title=""))
        self.assertContains(response, "Enter the title of the output.", status_code=400)
        self.assertContains(response, "The output has not been saved.", status_code=400)
        self.output.refresh_from_db()
        self.assertEqual(self.output.title, "Care at home")

    def test_query_count_does_not_grow_with_credits(self) -> None:
        self.client.force_login(self.researcher_rita)
        # session, user, user's groups (role check), project, membership check, the output,
        # its credits (with advisor), the project's advisors
        with self.assertNumQueries(8):
            self.client.get(self.edit_url)
        for n in range(4):
            advisor = AdvisorFactory(first_name=f"Extra{n}")
            ProjectAdvisor.objects.create(project=self.project, advisor=advisor, role="Member")
            OutputCredit.objects.create(output=self.output, advisor=advisor, credit="acknowledged")
        with self.assertNumQueries(8):
            self.client.get(self.edit_url)
        # The delete page: the same, without the project's advisors.
        with self.assertNumQueries(7):
            self.client.get(self.delete_url)


class OutputDeleteTest(OutputEditTestCase):
    def test_delete_asks_first_and_names_who_is_credited(self) -> None:
        self.client.force_login(self.researcher_rita)
        response = self.client.get(self.delete_url)
        self.assertContains(response, "Delete “Care at home”?")
        self.assertContains(response, "<li>Alice Ashby (Co-author)</li>", html=True)
        self.assertContains(response, "Yes, delete the output")
        self.assertTrue(Output.objects.filter(pk=self.output.pk).exists())

    def test_confirming_deletes_the_output_and_its_credits_not_the_advisors(self) -> None:
        self.client.force_login(self.researcher_rita)
        response = self.client.post(self.delete_url, follow=True)
        self.assertRedirects(response, self.list_url)
        self.assertContains(response, "The output “Care at home” has been deleted.")
        self.assertFalse(Output.objects.filter(pk=self.output.pk).exists())
        self.assertFalse(OutputCredit.objects.filter(advisor=self.alice).exists())
        self.assertTrue(Advisor.objects.filter(pk=self.alice.pk).exists())

    def test_the_pie_team_may_delete(self) -> None:
        self.client.force_login(self.staff_sam)
        self.assertRedirects(self.client.post(self.delete_url), self.list_url)
        self.assertFalse(Output.objects.filter(pk=self.output.pk).exists())


class OutputChangeAccessTest(OutputEditTestCase):
    def test_anonymous_visitors_are_sent_to_sign_in(self) -> None:
        for url in (self.edit_url, self.delete_url):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn("login", response["Location"])

    def test_other_roles_get_403_and_change_nothing(self) -> None:
        for user in (self.advisor_alice, self.manager_mo, self.finance_fay, self.outsider_carol):
            for url in (self.edit_url, self.delete_url):
                with self.subTest(user=user.username, url=url):
                    self.client.force_login(user)
                    self.assertEqual(self.client.get(url).status_code, 403)
                    self.assertEqual(self.client.post(url, edit_post(self.output)).status_code, 403)
        self.assertTrue(Output.objects.filter(pk=self.output.pk, title="Care at home").exists())

    def test_a_researcher_not_on_the_project_gets_404(self) -> None:
        other_rita = ProjectFactory(title="Another study")
        add_member(other_rita, self.researcher_rita)
        self.project.memberships.all().delete()
        self.client.force_login(self.researcher_rita)
        for url in (self.edit_url, self.delete_url):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url, edit_post(self.output)).status_code, 404)
        self.assertTrue(Output.objects.filter(pk=self.output.pk).exists())

    def test_an_output_of_another_project_under_this_project_is_404(self) -> None:
        elsewhere = OutputFactory(project=ProjectFactory(title="Elsewhere"))
        self.client.force_login(self.staff_sam)
        url = reverse("projects:output-edit", args=[self.project.pk, elsewhere.pk])
        self.assertEqual(self.client.get(url).status_code, 404)


class NamingChoiceTest(OutputEditTestCase):
    """Alice changes how she is named on her profile page: published outputs keep the name
    they were published with; later ones, and drafts, use her new choice."""

    def alice_chooses(self, acknowledgement: str) -> None:
        self.client.force_login(self.advisor_alice)
        form = ProfileForm(instance=Advisor.objects.get(pk=self.alice.pk))
        data = {}
        for name in form.fields:
            value = form[name].value()
            if value is None:
                continue
            data[name] = [str(v) for v in value] if isinstance(value, list) else value
        data["acknowledgement"] = acknowledgement
        response = self.client.post(reverse("advisors:profile"), data)
        self.assertRedirects(response, reverse("advisors:profile"))
        self.assertEqual(Advisor.objects.get(pk=self.alice.pk).acknowledgement, acknowledgement)

    def add_output(self, title: str, published_on: str) -> Output:
        self.client.force_login(self.researcher_rita)
        response = self.client.post(
            self.list_url,
            {
                "kind": "paper",
                "title": title,
                "published_on": published_on,
                "link": "",
                f"credit_{self.alice.pk}": "co_author",
            },
        )
        self.assertRedirects(response, self.list_url)
        return Output.objects.get(title=title)

    def test_a_change_applies_to_outputs_published_after_it(self) -> None:
        self.alice_chooses(Advisor.Acknowledgement.INITIALS)
        new = self.add_output("Second paper", "2026-09-01")
        self.client.force_login(self.researcher_rita)
        page = self.client.get(self.list_url).content.decode()
        table = page.split("Add an output")[0]
        # The old paper keeps her full name; the new one has her initials.
        old_row = table.split("Care at home")[1].split("</tr>")[0]
        new_row = table.split("Second paper")[1].split("</tr>")[0]
        self.assertIn("Alice Ashby (Co-author)", old_row)
        self.assertIn("A. A. (Co-author)", new_row)
        self.assertEqual(new.credits.get().named_as, "A. A.")
        # Her profile says so too.
        self.client.force_login(self.advisor_alice)
        profile = self.client.get(reverse("advisors:profile"))
        self.assertContains(profile, "named as “Alice Ashby”")
        self.assertContains(profile, "named as “A. A.”")
        self.assertContains(profile, "Those already published keep the name")

    def test_a_draft_follows_the_current_choice_until_it_is_published(self) -> None:
        draft = self.add_output("Draft paper", "")
        self.alice_chooses(Advisor.Acknowledgement.ANONYMOUS)
        self.client.force_login(self.researcher_rita)
        table = self.client.get(self.list_url).content.decode().split("Add an output")[0]
        self.assertIn("A Public Advisor (Co-author)", table.split("Draft paper")[1])
        # Rita gives the date it was published: the name it was published with is kept.
        edit = reverse("projects:output-edit", args=[self.project.pk, draft.pk])
        self.client.post(
            edit,
            edit_post(draft, published_on="2026-10-01", **{f"credit_{self.alice.pk}": "co_author"}),
        )
        self.assertEqual(draft.credits.get().named_as, "A Public Advisor")
        self.alice_chooses(Advisor.Acknowledgement.FULL_NAME)
        self.client.force_login(self.researcher_rita)
        table = self.client.get(self.list_url).content.decode().split("Add an output")[0]
        self.assertIn("A Public Advisor (Co-author)", table.split("Draft paper")[1])
        self.assertIn("Alice Ashby (Co-author)", table.split("Care at home")[1])

    def test_editing_a_published_output_keeps_its_names(self) -> None:
        self.alice_chooses(Advisor.Acknowledgement.INITIALS)
        self.client.force_login(self.researcher_rita)
        self.client.post(
            self.edit_url,
            edit_post(
                self.output,
                title="Care at home (2nd ed.)",
                **{f"credit_{self.alice.pk}": "co_presenter"},
            ),
        )
        credit = self.output.credits.get()
        self.assertEqual((credit.credit, credit.named_as), ("co_presenter", "Alice Ashby"))
        self.assertEqual(str(credit), "Alice Ashby (Co-presenter)")

    def test_reports_use_the_stored_name(self) -> None:
        # The project and annual report templates print each credit with str(credit).
        self.alice_chooses(Advisor.Acknowledgement.ANONYMOUS)
        credit = OutputCredit.objects.select_related("output", "advisor").get(output=self.output)
        self.assertEqual(str(credit), "Alice Ashby (Co-author)")


class NamedAsBackFillTest(BaseTestCase):
    def test_existing_credits_get_the_name_each_advisor_chooses_today(self) -> None:
        migration = importlib.import_module("projects.migrations.0005_output_credit_named_as")
        table = {
            Advisor.Acknowledgement.FULL_NAME: "Alice Ashby",
            Advisor.Acknowledgement.INITIALS: "A. A.",
            Advisor.Acknowledgement.ANONYMOUS: "A Public Advisor",
        }
        for choice, expected in table.items():
            with self.subTest(choice=choice):
                self.alice.acknowledgement = choice
                self.assertEqual(migration.named_as_now(self.alice), expected)
                self.assertEqual(self.alice.acknowledged_as(), expected)
