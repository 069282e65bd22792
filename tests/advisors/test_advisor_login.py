"""Every advisor reachable and manageable, with or without a login (issue 14).

Sam (PIE team) gives Pat, a phone-only advisor, a login from her record in the admin, and
sends the invitation again; he records payment choices and limits (audited); finance, not
Sam, enters bank details; status changes in the admin switch the login off and on.
"""

import re
from decimal import Decimal

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advisors.models import Advisor
from ascru_pie.models import User
from ascru_pie.roles import Role
from payments.models import BankDetailsChange
from tests.base import BaseTestCase, make_user
from tests.factories import AdvisorFactory


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
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
    return data


def change_url(advisor: Advisor) -> str:
    return reverse("admin:advisors_advisor_change", args=[advisor.pk])


def invite_url(advisor: Advisor) -> str:
    return reverse("admin:advisors_advisor_invite", args=[advisor.pk])


def link_in(message) -> str:
    """The path of the set-a-password link in an invitation email."""
    return re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", message.body).group(1)


class GiveALoginTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.pat = AdvisorFactory(
            first_name="Pat", last_name="Phone", email="", phone="01632 960 111",
            contact_method="phone",
        )  # fmt: skip
        self.client.force_login(self.staff_sam)

    def test_a_phone_only_advisor_without_an_email_is_told_what_to_do_not_a_dead_end(
        self,
    ) -> None:
        page = self.client.get(change_url(self.pat))
        self.assertContains(page, "Pat Phone has no email address, so we cannot send them")
        self.assertContains(page, "add it to their record and save, then send the invitation")
        self.assertNotContains(page, invite_url(self.pat))
        # Sending anyway (a stale page) changes nothing and says why.
        response = self.client.post(invite_url(self.pat), follow=True)
        self.assertContains(response, "has no email address")
        self.pat.refresh_from_db()
        self.assertIsNone(self.pat.user)
        self.assertEqual(mail.outbox, [])

    def test_sam_gives_pat_a_login_and_the_link_in_the_email_sets_her_password(self) -> None:
        self.pat.email = "pat@example.net"
        self.pat.save()
        page = self.client.get(change_url(self.pat))
        self.assertContains(page, "Give a login and send the invitation")
        confirm = self.client.get(invite_url(self.pat))
        self.assertContains(confirm, "We will email <strong>pat@example.net</strong>")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(invite_url(self.pat), follow=True)
        self.assertContains(response, "a login and sent the invitation")
        self.pat.refresh_from_db()
        user = self.pat.user
        self.assertEqual((user.email, user.has_usable_password()), ("pat@example.net", False))
        self.assertTrue(user.has_role(Role.ADVISOR))
        self.assertIsNotNone(self.pat.invitation_sent_at)
        [message] = mail.outbox
        self.assertEqual(message.to, ["pat@example.net"])
        # The record says when it was sent; staff never see the link itself.
        page = self.client.get(change_url(self.pat))
        self.assertContains(page, "The invitation was last sent on")
        self.assertContains(page, "Send the invitation again")
        self.assertNotContains(page, link_in(message))
        # History: who sent it, when.
        history = self.client.get(reverse("admin:advisors_advisor_history", args=[self.pat.pk]))
        self.assertContains(history, "Invitation last sent")

        self.client.logout()
        path = link_in(message)
        self.assertEqual(self.client.get(path).status_code, 200)
        response = self.client.post(
            path,
            {"new_password1": "a long new password 42", "new_password2": "a long new password 42"},
        )
        self.assertRedirects(response, "/portal/", fetch_redirect_response=False)
        user.refresh_from_db()
        self.assertTrue(user.check_password("a long new password 42"))

    def test_sending_again_sends_a_new_link_and_updates_when(self) -> None:
        self.pat.email = "pat@example.net"
        self.pat.save()
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(invite_url(self.pat))
        self.pat.refresh_from_db()
        first_sent = self.pat.invitation_sent_at
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(invite_url(self.pat), follow=True)
        self.assertContains(response, "We have sent Pat Phone the invitation again")
        self.assertEqual([m.to for m in mail.outbox], [["pat@example.net"]] * 2)
        self.pat.refresh_from_db()
        self.assertGreaterEqual(self.pat.invitation_sent_at, first_sent)
        self.assertEqual(User.objects.filter(email="pat@example.net").count(), 1)

    def test_an_email_added_later_reaches_a_login_made_without_one(self) -> None:
        # Accepted from a paper application: a login with no email address.
        user = User.objects.create_user(username="pat.phone", email="")
        self.pat.user = user
        self.pat.save()
        url = change_url(self.pat)
        data = admin_form_data(self.client.get(url))
        data["email"] = "pat@example.net"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        user.refresh_from_db()
        self.assertEqual(user.email, "pat@example.net")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(invite_url(self.pat))
        self.assertEqual([m.to for m in mail.outbox], [["pat@example.net"]])

    def test_someone_with_a_password_is_pointed_to_forgotten_password(self) -> None:
        page = self.client.get(change_url(self.alice))
        self.assertContains(page, "Signs in as alice")
        self.assertNotContains(page, invite_url(self.alice))
        response = self.client.post(invite_url(self.alice), follow=True)
        self.assertContains(response, "has already set a password")
        self.assertEqual(mail.outbox, [])

    def test_the_bulk_action_invites_each_one_and_explains_the_others(self) -> None:
        self.pat.email = "pat@example.net"
        self.pat.save()
        nobody = AdvisorFactory(first_name="Nell", last_name="Post", email="")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("admin:advisors_advisor_changelist"),
                {"action": "give_login", "_selected_action": [self.pat.pk, nobody.pk]},
                follow=True,
            )
        self.assertContains(response, "We have given Pat Phone a login")
        self.assertContains(response, "Nell Post has no email address")
        self.assertEqual([m.to for m in mail.outbox], [["pat@example.net"]])

    def test_the_invitation_page_needs_few_queries(self) -> None:
        self.pat.email = "pat@example.net"
        self.pat.save()
        self.client.get(invite_url(self.pat))
        # session, user, groups, permissions (user and group), the advisor with their login,
        # and the admin's own site-wide lookups: a fixed handful, whatever the register holds.
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(invite_url(self.pat)).status_code, 200)
        self.assertLessEqual(len(queries), 8, [q["sql"] for q in queries])

    def test_finance_cannot_give_logins(self) -> None:
        self.pat.email = "pat@example.net"
        self.pat.save()
        self.client.force_login(self.finance_fay)
        self.assertEqual(self.client.get(invite_url(self.pat)).status_code, 403)
        self.assertEqual(self.client.post(invite_url(self.pat)).status_code, 403)
        self.pat.refresh_from_db()
        self.assertIsNone(self.pat.user)


class NewAccountInvitationTest(BaseTestCase):
    def test_an_account_made_in_the_user_admin_is_sent_its_invitation(self) -> None:
        self.client.force_login(self.staff_sam)
        from django.contrib.auth.models import Group

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("admin:ascru_pie_user_add"),
                {
                    "username": "rob",
                    "first_name": "Rob",
                    "last_name": "Researcher",
                    "email": "rob@example.net",
                    "groups": [Group.objects.get(name=Role.RESEARCHER).pk],
                },
                follow=True,
            )
        self.assertContains(response, "We have emailed rob@example.net a link to set a password")
        [message] = mail.outbox
        self.assertEqual(message.to, ["rob@example.net"])
        self.assertIn("/invitation/", message.body)


class PaymentChoiceAndBankDetailsTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.pat = AdvisorFactory(first_name="Pat", last_name="Phone", email="pat@example.net")

    def test_sam_records_a_payment_choice_and_limit_told_by_phone_and_it_is_audited(
        self,
    ) -> None:
        self.client.force_login(self.staff_sam)
        url = change_url(self.pat)
        data = admin_form_data(self.client.get(url))
        data.update({"payment_preference": "voucher", "annual_limit": "£1,200"})
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        self.pat.refresh_from_db()
        self.assertEqual(self.pat.payment_preference, "voucher")
        self.assertEqual(self.pat.annual_limit, Decimal("1200.00"))
        history = self.client.get(reverse("admin:advisors_advisor_history", args=[self.pat.pk]))
        changed = [e for e in history.context["entries"] if e.action == "Changed"][0]
        self.assertEqual(changed.by, self.staff_sam)
        self.assertIn(("How to be paid", "Bank transfer", "Vouchers"), changed.changes)
        self.assertIn(("Annual payment limit (£)", "—", "1200.00"), changed.changes)

    def test_a_negative_limit_is_refused(self) -> None:
        self.client.force_login(self.staff_sam)
        url = change_url(self.pat)
        data = admin_form_data(self.client.get(url))
        data["annual_limit"] = "-5"
        response = self.client.post(url, data)
        self.assertContains(response, "An annual limit cannot be less than £0.00.")

    def test_finance_reaches_the_bank_details_page_from_the_advisor_and_enters_them(
        self,
    ) -> None:
        self.client.force_login(self.finance_fay)
        page = self.client.get(change_url(self.pat))
        bank_page = reverse("payments:bank-details", args=[self.pat.pk])
        self.assertContains(page, f'href="{bank_page}"')
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                bank_page,
                {"account_name": "P Phone", "sort_code": "40-11-62", "account_number": "31926819"},
                follow=True,
            )
        self.assertContains(response, "account ending 6819")
        change = BankDetailsChange.objects.get(advisor=self.pat)
        self.assertEqual((change.by, change.status), (self.finance_fay, "pending"))

    def test_the_pie_team_sees_only_the_last_four_digits_and_cannot_enter_them(self) -> None:
        frank = make_user("frank", Role.FINANCE, is_staff=True)
        self.client.force_login(self.finance_fay)
        bank_page = reverse("payments:bank-details", args=[self.pat.pk])
        self.client.post(
            bank_page,
            {"account_name": "P Phone", "sort_code": "40-11-62", "account_number": "31926819"},
        )
        self.client.force_login(frank)
        change = BankDetailsChange.objects.get(advisor=self.pat)
        self.client.post(reverse("payments:bank-details-confirm", args=[change.pk]))

        self.client.force_login(self.staff_sam)
        page = self.client.get(change_url(self.pat))
        self.assertContains(page, "Account ending 6819 (P Phone)")
        self.assertContains(page, "Finance records and confirms bank details.")
        self.assertNotContains(page, bank_page)
        for secret in ("31926819", "401162", "40-11-62"):
            self.assertNotContains(page, secret)
        self.assertEqual(self.client.get(bank_page).status_code, 403)
        self.assertEqual(
            self.client.post(
                bank_page,
                {"account_name": "Sam", "sort_code": "11-11-11", "account_number": "11111111"},
            ).status_code,
            403,
        )
