"""Each role sees only the advisor fields its work needs, at every door of the admin.

Finance pays people: it sees names, contact details, how they are paid, their own limit,
masked bank details and status. Never support needs, staff notes, lived experience, topics,
equality answers or applications — not on the change page, the list, its filters and search,
a lookup typed into the address, nor the register export. The PIE team sees the whole record.
"""

import csv
import io

from django.urls import reverse

from advisors.models import Advisor, LivedExperience, Topic
from payments import services
from tests.base import BaseTestCase
from tests.factories import ApplicationFactory, EqualityFactory

# What finance must never see (values seeded into Alice's record below).
SECRETS = {
    "support_needs": "Needs a hearing loop",
    "staff_notes": "Recently bereaved",
    "lived_experience_detail": "Cared for my mother",
    "availability": "Tuesday mornings only",
    "heard_about": "Memory cafe",
}
TOPIC = "Dementia care at home"
FINANCE_COLUMNS = [
    "email",
    "first_name",
    "last_name",
    "status",
    "phone",
    "address",
    "postcode",
    "contact_method",
    "payment_preference",
    "annual_limit",
    "bank_details",
]


class LeastPrivilegeTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        Advisor.objects.filter(pk=cls.alice.pk).update(
            enhanced_support=True, phone="01227 000000", postcode="CT2 7NF", **SECRETS
        )
        cls.alice.refresh_from_db()
        cls.alice.topics.add(Topic.objects.create(name=TOPIC))
        cls.alice.lived_experience.add(LivedExperience.objects.get(code="unpaid_carer"))
        ApplicationFactory(advisor=cls.alice, email=cls.alice.email)
        EqualityFactory(advisor=cls.alice, age_band="75_plus")
        services.bank_details_set(
            advisor=cls.alice,
            by=cls.advisor_alice,
            account_name="A Ashby",
            sort_code="11-22-33",
            account_number="12345678",
        )

    def change_page(self, user):
        self.client.force_login(user)
        return self.client.get(reverse("admin:advisors_advisor_change", args=[self.alice.pk]))

    def changelist(self, user, **params):
        self.client.force_login(user)
        return self.client.get(reverse("admin:advisors_advisor_changelist"), params)

    def export_rows(self, user, **extra) -> list[dict]:
        self.client.force_login(user)
        url = reverse("admin:advisors_advisor_export")
        form = self.client.get(url).context["form"]
        columns = {
            name: "on" for name in form.fields if name not in ("resource", "format", "export_items")
        }
        response = self.client.post(url, {"format": "0", "resource": "0", **columns, **extra})
        self.assertEqual(response.status_code, 200)
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


class FinanceTest(LeastPrivilegeTestCase):
    def test_the_change_page_shows_what_paying_needs_and_nothing_else(self) -> None:
        response = self.change_page(self.finance_fay)
        self.assertEqual(response.status_code, 200)
        for shown in (
            "Alice",
            self.alice.email,
            "01227 000000",
            "CT2 7NF",
            "Bank transfer",
            "Account ending 5678",
        ):
            with self.subTest(shown=shown):
                self.assertContains(response, shown)
        for hidden in [*SECRETS.values(), TOPIC, "Unpaid carer", "75 or over", "12345678"]:
            with self.subTest(hidden=hidden):
                self.assertNotContains(response, hidden)
        for heading in ("Support", "Experience and interests", "Notes", "Training"):
            with self.subTest(heading=heading):
                self.assertNotContains(response, f"<h2>{heading}")
        self.assertNotIn("enhanced_support", response.context["adminform"].form.fields)
        self.assertEqual(response.context["inline_admin_formsets"], [])

    def test_the_list_has_no_support_columns_filters_or_searches(self) -> None:
        response = self.changelist(self.finance_fay)
        self.assertEqual(response.status_code, 200)
        changelist = response.context["cl"]
        self.assertNotIn("enhanced_support", changelist.list_display)
        self.assertNotIn("pieg_member", changelist.list_display)
        titles = [spec.title for spec in changelist.filter_specs]
        for hidden in ("support needs", "topics of interest", "lived experience"):
            self.assertNotIn(hidden, titles)
        self.assertNotContains(response, "Has support needs")

    def test_lookups_that_would_leak_by_counting_rows_are_refused(self) -> None:
        for param, value in [
            ("support_needs__icontains", "hearing"),
            ("staff_notes__icontains", "bereaved"),
            ("lived_experience_detail__icontains", "mother"),
            ("enhanced_support__exact", "1"),
            ("support", "any"),
            ("topics__id__exact", str(Topic.objects.get(name=TOPIC).pk)),
            ("lived_experience__id__exact", "1"),
            ("equality__age_band", "75_plus"),
            ("application__staff_notes__icontains", "x"),
        ]:
            with self.subTest(param=param):
                response = self.changelist(self.finance_fay, **{param: value})
                self.assertEqual(response.status_code, 400)

    def test_search_does_not_reach_support_needs(self) -> None:
        response = self.changelist(self.finance_fay, q="hearing")
        self.assertEqual(response.context["cl"].result_count, 0)
        response = self.changelist(self.finance_fay, q="Ashby")
        self.assertEqual(response.context["cl"].result_count, 1)

    def test_the_register_export_has_only_finances_columns(self) -> None:
        rows = self.export_rows(self.finance_fay)
        self.assertEqual(list(rows[0]), FINANCE_COLUMNS)
        alice = next(r for r in rows if r["email"] == self.alice.email)
        self.assertEqual(alice["bank_details"], "Account ending 5678 (A Ashby)")
        self.assertEqual(alice["payment_preference"], "bank")
        text = str(rows)
        for hidden in [*SECRETS.values(), TOPIC, "12345678"]:
            self.assertNotIn(hidden, text)

    def test_asking_the_export_for_hidden_columns_gets_none_of_them(self) -> None:
        self.client.force_login(self.finance_fay)
        page = self.client.get(reverse("admin:advisors_advisor_export"))
        self.assertNotContains(page, "Support Needs")
        # A hand-made form naming the register's full columns.
        extra = {f"advisorresource_{name}": "on" for name in ("support_needs", "availability")}
        rows = self.export_rows(self.finance_fay, **extra)
        self.assertEqual(list(rows[0]), FINANCE_COLUMNS)

    def test_the_applications_are_not_finances(self) -> None:
        self.client.force_login(self.finance_fay)
        response = self.client.get(reverse("admin:advisors_application_changelist"))
        self.assertEqual(response.status_code, 403)


class PieTeamTest(LeastPrivilegeTestCase):
    """The coordinator supports advisors: the whole record (equality only with edi_access)."""

    def test_the_change_page_shows_the_whole_record_but_masked_bank_details(self) -> None:
        response = self.change_page(self.staff_sam)
        for shown in [*SECRETS.values(), TOPIC, "Account ending 5678"]:
            with self.subTest(shown=shown):
                self.assertContains(response, shown)
        self.assertNotContains(response, "12345678")
        self.assertNotContains(response, "75 or over")

    def test_support_filters_and_lookups_work(self) -> None:
        response = self.changelist(self.staff_sam, support_needs__icontains="hearing")
        self.assertEqual(response.context["cl"].result_count, 1)
        response = self.changelist(self.staff_sam, support="any")
        self.assertEqual(response.context["cl"].result_count, 1)

    def test_the_register_export_has_every_column(self) -> None:
        rows = self.export_rows(self.staff_sam)
        self.assertIn("support_needs", rows[0])
        alice = next(r for r in rows if r["email"] == self.alice.email)
        self.assertEqual(alice["support_needs"], SECRETS["support_needs"])
