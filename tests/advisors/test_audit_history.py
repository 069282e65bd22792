"""Changes to an advisor's personal data are recorded (who, when, old → new) from the portal
and the admin, and shown on the advisor's History page; audit logs cannot be edited."""

import re
from pathlib import Path

from django.contrib.auth.models import Group
from django.urls import reverse

from advisors.models import Advisor, Consent, EqualityMonitoring, Topic
from payments.models import ClaimEvent
from reminders.models import Delivery
from tests.base import BaseTestCase
from tests.factories import ApplicationFactory, EqualityFactory, MeetingFactory, make_claim

PROFILE = reverse("advisors:profile")
PREFERENCES = reverse("payments:portal-preferences")
ROOT = Path(__file__).resolve().parents[2]


def history_url(advisor: Advisor) -> str:
    return reverse("admin:advisors_advisor_history", args=[advisor.pk])


def profile_form(**overrides) -> dict:
    data = {
        "email": "alice@example.org",
        "phone": "01632 960 001",
        "address": "",
        "postcode": "",
        "contact_method": "email",
        "contact_format": "standard",
        "contact_format_other": "",
        "availability": "",
        "support_needs": "",
        "acknowledgement": "full_name",
    }
    return {**data, **overrides}


def admin_form_data(response) -> dict:
    """What the admin change form would send back unchanged: every field and inline."""
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
        for i, sub in enumerate(formset.initial_forms):
            for name in sub.fields:
                value = sub[name].value()
                if value not in (None, False):
                    data[f"{formset.prefix}-{i}-{name}"] = (
                        "on" if value is True else str(getattr(value, "pk", value))
                    )
    return data


class AdvisorHistoryTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.topic = Topic.objects.create(name="Dementia care")

    def test_alice_changing_her_support_needs_on_the_portal_is_shown_with_who_and_old_to_new(
        self,
    ) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.post(
            PROFILE,
            profile_form(support_needs="A hearing loop, please.", topics=[self.topic.pk]),
        )
        self.assertRedirects(response, PROFILE)
        latest = Advisor.history.filter(id=self.alice.pk).latest("history_date")
        self.assertEqual(latest.history_user, self.advisor_alice)

        self.client.force_login(self.staff_sam)
        page = self.client.get(history_url(self.alice))
        self.assertEqual(page.status_code, 200)
        entries = [e for e in page.context["entries"] if e.action == "Changed"]
        changes = [c for e in entries for c in e.changes]
        self.assertIn(("Support or access needs", "—", "A hearing loop, please."), changes)
        self.assertIn(("Topics of interest", "—", "Dementia care"), changes)
        self.assertContains(page, "A hearing loop, please.")
        self.assertEqual({e.by for e in entries}, {self.advisor_alice})

    def test_a_change_in_the_admin_is_recorded_with_the_member_of_staff(self) -> None:
        self.alice.phone = "01632 960 001"
        self.alice.save()
        self.client.force_login(self.staff_sam)
        url = reverse("admin:advisors_advisor_change", args=[self.alice.pk])
        data = admin_form_data(self.client.get(url))
        data["phone"] = "07700 900 123"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        page = self.client.get(history_url(self.alice))
        changed = [e for e in page.context["entries"] if e.action == "Changed"][0]
        self.assertEqual(changed.by, self.staff_sam)
        self.assertEqual(changed.changes, [("Phone", "01632 960 001", "07700 900 123")])

    def test_payment_preferences_and_bank_details_show_only_the_last_four_digits(self) -> None:
        self.client.force_login(self.advisor_alice)
        data = {"payment_preference": "bank", "annual_limit": ""}
        bank = {"account_name": "A Ashby", "sort_code": "40-11-62", "account_number": "31926819"}
        self.client.post(PREFERENCES, {**data, **bank})
        self.client.post(
            PREFERENCES,
            {**data, "payment_preference": "voucher", **bank, "account_number": "12345678"},
        )
        self.client.force_login(self.staff_sam)
        page = self.client.get(history_url(self.alice))
        body = page.content.decode()
        changes = [c for e in page.context["entries"] for c in e.changes]
        self.assertIn(("How to be paid", "Bank transfer", "Vouchers"), changes)
        self.assertIn(("Account number last4", "6819", "5678"), changes)
        self.assertIn(("Account number encrypted", "(hidden)", "(hidden)"), changes)
        for secret in ("31926819", "12345678", "401162", "40-11-62"):
            self.assertNotIn(secret, body)

    def test_equality_history_is_shown_only_to_people_with_equality_access(self) -> None:
        equality = EqualityFactory(advisor=self.alice, religion="buddhist")
        equality.religion = "sikh"
        equality.save()
        self.client.force_login(self.staff_sam)
        page = self.client.get(history_url(self.alice))
        self.assertNotIn("Equality answers", [e.record for e in page.context["entries"]])
        self.assertNotContains(page, "Sikh")

        self.staff_sam.groups.add(Group.objects.get(name="edi_access"))
        page = self.client.get(history_url(self.alice))
        self.assertIn(
            ("Religion", "Buddhist", "Sikh"),
            [c for e in page.context["entries"] for c in e.changes],
        )

    def test_a_form_sent_back_unchanged_writes_no_history(self) -> None:
        self.client.force_login(self.advisor_alice)
        self.client.post(PROFILE, profile_form(support_needs="Step-free access"))
        rows = Advisor.history.filter(id=self.alice.pk).count()
        self.client.post(PROFILE, profile_form(support_needs="Step-free access"))
        self.assertEqual(Advisor.history.filter(id=self.alice.pk).count(), rows)

    def test_finance_and_advisors_cannot_see_the_history(self) -> None:
        for user, status in [(self.finance_fay, 403), (self.advisor_alice, 302)]:
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(history_url(self.alice)).status_code, status)

    def test_accepting_an_application_moves_its_equality_answers_with_history(self) -> None:
        application = ApplicationFactory(first_name="Priya")
        equality = EqualityFactory(application=application, carer="no")
        self.client.force_login(self.staff_sam)
        self.client.post(
            reverse("admin:advisors_application_changelist"),
            {"action": "accept", "_selected_action": [application.pk]},
        )
        application.refresh_from_db()
        rows = EqualityMonitoring.history.filter(id=equality.pk).order_by("history_date")
        self.assertEqual([r.advisor_id for r in rows], [None, application.advisor_id])


# Plain bulk writes skip simple-history's signals: on audited models our code must use a
# save() per row or simple-history's bulk_*_with_history.
BULK = re.compile(
    r"\b(Advisor|Application|EqualityMonitoring|BankDetails|Consent)\.objects\b[^\n]*"
    r"\.(update|bulk_update|bulk_create)\("
)


# Deliberate: erasure scrubs the history itself, and a save() would copy the values being
# erased into a new history row (privacy/erasure.py says so).
BULK_ALLOWED = {"privacy/erasure.py"}


class BulkWritesTest(BaseTestCase):
    def test_no_code_writes_audited_models_in_bulk_without_history(self) -> None:
        found = []
        for path in ROOT.glob("*/**/*.py"):
            parts = path.relative_to(ROOT).parts
            if parts[0] in {".venv", "tests", "var", "node_modules"} or "migrations" in parts:
                continue
            if "/".join(parts) in BULK_ALLOWED:
                continue
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if BULK.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
        self.assertEqual(found, [])

    def test_the_check_finds_a_plain_bulk_update(self) -> None:
        self.assertTrue(BULK.search("Advisor.objects.filter(pk=1).update(phone='')"))
        self.assertFalse(BULK.search("Meeting.objects.filter(pk=1).update(title='')"))


class AuditLogsAreReadOnlyTest(BaseTestCase):
    """The PIE team (and finance) cannot change or delete audit and delivery logs."""

    LOGS = [
        "advisors.applicationevent",
        "advisors.consent",
        "advisors.historicaladvisor",
        "advisors.historicalapplication",
        "advisors.historicalequalitymonitoring",
        "advisors.historicalconsent",
        "advisors.sensitivedataview",
        "payments.claimevent",
        "payments.bankdetailschange",
        "payments.historicalbankdetails",
        "projects.planevent",
        "reminders.delivery",
    ]

    def test_no_role_may_change_or_delete_a_log(self) -> None:
        for user in (self.staff_sam, self.finance_fay, self.manager_mo):
            for log in self.LOGS:
                app, model = log.split(".")
                for action in ("change", "delete"):
                    with self.subTest(user=user.username, perm=f"{action}_{model}"):
                        self.assertFalse(user.has_perm(f"{app}.{action}_{model}"))

    def test_sam_cannot_delete_or_edit_a_delivery_or_a_consent_in_the_admin(self) -> None:
        meeting = MeetingFactory()
        delivery = Delivery.objects.create(
            key="k1",
            kind="meeting-7d",
            template="reminder-meeting",
            advisor=self.alice,
            meeting=meeting,
            recipient="alice@example.org",
        )
        consent = Consent.objects.create(
            advisor=self.alice, purpose="contact", given=True, method="application"
        )
        self.client.force_login(self.staff_sam)
        for model, obj in [("reminders_delivery", delivery), ("advisors_consent", consent)]:
            with self.subTest(model=model):
                delete = reverse(f"admin:{model}_delete", args=[obj.pk])
                self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
                change = reverse(f"admin:{model}_change", args=[obj.pk])
                page = self.client.get(change)
                self.assertEqual(page.status_code, 200)
                self.assertNotContains(page, 'name="_save"')
                changelist = self.client.get(reverse(f"admin:{model}_changelist"))
                self.assertNotContains(changelist, "delete_selected")
        self.assertTrue(Delivery.objects.filter(pk=delivery.pk).exists())
        self.assertTrue(Consent.objects.filter(pk=consent.pk).exists())

    def test_a_claims_events_cannot_be_deleted_from_the_claim_page(self) -> None:
        claim = make_claim(self.alice)
        ClaimEvent.objects.create(claim=claim, to_status="submitted")
        self.client.force_login(self.staff_sam)
        page = self.client.get(reverse("admin:payments_claim_change", args=[claim.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "events-0-DELETE")
