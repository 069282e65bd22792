"""One email per person (issue 14 review M5): an advisor's sign-in email follows the one on the
register, so the register cannot be given an email that another account (here Fay, finance)
signs in with. Otherwise two accounts would sign in with one address, and an invitation to set
a password would go to the other person.
"""

from django.core import mail
from django.urls import reverse

from advisors.models import Advisor
from ascru_pie.models import User
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory

TAKEN = "Another account already signs in with fay@example.org"


def change_url(advisor: Advisor) -> str:
    return reverse("admin:advisors_advisor_change", args=[advisor.pk])


def invite_url(advisor: Advisor) -> str:
    return reverse("admin:advisors_advisor_invite", args=[advisor.pk])


def admin_form_data(response) -> dict:
    """What the advisor change form would send back unchanged: every field and inline."""
    data: dict = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
    return data


class OneEmailPerAccountTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.pat = AdvisorFactory(first_name="Pat", last_name="Page", email="pat@example.net")
        self.client.force_login(self.staff_sam)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(invite_url(self.pat))
        self.pat.refresh_from_db()
        mail.outbox.clear()

    def test_the_admin_refuses_an_email_another_account_signs_in_with(self) -> None:
        url = change_url(self.pat)
        data = admin_form_data(self.client.get(url))
        data["email"] = "Fay@Example.org"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        errors = " ".join(response.context["adminform"].form.errors.get("email", []))
        self.assertIn("Another account already signs in with", errors)
        self.assertIn("Ask a superuser to link that account", errors)
        self.assertContains(response, "Another account already signs in with")
        self.pat.refresh_from_db()
        self.assertEqual(self.pat.email, "pat@example.net")
        self.assertEqual(self.pat.user.email, "pat@example.net")
        # Sending the invitation again still goes to Pat, and only Fay signs in as Fay.
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(invite_url(self.pat))
        self.assertEqual([m.to for m in mail.outbox], [["pat@example.net"]])
        self.assertEqual(User.objects.filter(email__iexact="fay@example.org").count(), 1)

    def test_her_own_email_and_a_free_one_are_still_fine(self) -> None:
        url = change_url(self.pat)
        data = admin_form_data(self.client.get(url))
        data["email"] = "pat.page@example.net"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.pat.refresh_from_db()
        self.assertEqual(self.pat.user.email, "pat.page@example.net")

    def test_an_invitation_to_an_email_taken_since_is_refused_and_the_admin_says_why(
        self,
    ) -> None:
        # The register changed another way (an import): the invitation is where it is caught.
        Advisor.objects.filter(pk=self.pat.pk).update(email="fay@example.org")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(invite_url(self.pat), follow=True)
        self.assertContains(response, TAKEN)
        self.assertEqual(mail.outbox, [])
        self.pat.user.refresh_from_db()
        self.assertEqual(self.pat.user.email, "pat@example.net")
        self.assertEqual(User.objects.filter(email__iexact="fay@example.org").count(), 1)

    def test_an_advisor_without_a_login_can_share_nothing_either(self) -> None:
        ann = AdvisorFactory(first_name="Ann", email="fay@example.org")
        response = self.client.post(invite_url(ann), follow=True)
        self.assertContains(response, TAKEN)
        ann.refresh_from_db()
        self.assertIsNone(ann.user)
