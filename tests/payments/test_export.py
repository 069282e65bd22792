"""The finance export of a payment batch: configured columns, masked accounts, full bank
details only for finance, and only once the batch is approved."""

import csv
import io
from decimal import Decimal

import tablib
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from advisors.models import Advisor, PaymentPreference
from ascru_pie.roles import Role
from payments import services
from payments.models import Claim
from payments.resources import FinanceExportResource
from tests.base import BaseTestCase, make_user
from tests.factories import AdvisorFactory, make_claim

FULL = ["claim", "payee", "sort_code", "account_number", "amount"]


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


class ExportTestCase(BaseTestCase):
    """Alice is paid by bank transfer (account ending 5678), Bob in vouchers, and Vic by bank
    transfer but has not given her details yet."""

    def setUp(self) -> None:
        super().setUp()
        services.bank_details_set(
            advisor=self.alice,
            account_name="A Ashby",
            sort_code="12-34-56",
            account_number="12345678",
        )
        Advisor.objects.filter(pk=self.bob.pk).update(payment_preference=PaymentPreference.VOUCHER)
        services.bank_details_set(
            advisor=self.bob,
            account_name="B Brown",
            sort_code="65-43-21",
            account_number="87654321",
        )
        self.vic = AdvisorFactory(first_name="Vic", last_name="Vale")
        self.claims = [
            make_claim(self.alice, amount="40.00"),
            make_claim(self.bob, amount="12.35"),
            make_claim(self.vic, amount="7.65"),
        ]
        for claim in self.claims:
            services.claim_approve(claim=claim, by=self.staff_sam)
        self.batch = services.batch_build(by=self.staff_sam)
        self.url = reverse("payments:batch-export", args=[self.batch.pk])

    def approve(self) -> None:
        services.batch_approve(batch=self.batch, by=self.finance_fay)


class ExportTest(ExportTestCase):
    def test_the_default_columns_with_masked_accounts(self) -> None:
        self.approve()
        self.client.force_login(self.staff_sam)
        response = self.client.get(self.url + "?format=csv")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(
            response["Content-Disposition"], f'attachment; filename="{self.batch.reference}.csv"'
        )
        # No copy in any cache (ascru_pie.headers adds private and the rest of never-cache).
        self.assertIn("no-store", response["Cache-Control"])
        self.assertIn("private", response["Cache-Control"])
        header = response.content.decode().splitlines()[0]
        self.assertEqual(
            header,
            "batch,claim,payee,payment_method,account,amount,activity_date,description,cost_centre",
        )
        rows = rows_of(response)
        self.assertEqual(
            [
                (r["claim"], r["payee"], r["payment_method"], r["account"], r["amount"])
                for r in rows
            ],
            [
                (
                    str(self.claims[0].pk),
                    "Alice Ashby",
                    "Bank transfer",
                    "Account ending 5678",
                    "40.00",
                ),
                (str(self.claims[1].pk), "Bob Brown", "Vouchers", "Voucher", "12.35"),
                (str(self.claims[2].pk), "Vic Vale", "Bank transfer", "No bank details", "7.65"),
            ],
        )
        self.assertEqual(
            {(r["batch"], r["activity_date"], r["description"], r["cost_centre"]) for r in rows},
            {(self.batch.reference, "2026-05-01", "Train", "ASCRU2-PIE")},
        )
        self.assertNotIn("12345678", response.content.decode())
        self.batch.refresh_from_db()
        self.assertIsNotNone(self.batch.exported_at)

    @override_settings(
        FINANCE_EXPORT_COLUMNS=["amount", "claim", "account"], FINANCE_COST_CENTRE="X1"
    )
    def test_the_columns_and_their_order_are_configured(self) -> None:
        self.approve()
        self.client.force_login(self.staff_sam)
        response = self.client.get(self.url)  # CSV unless asked otherwise
        lines = response.content.decode().splitlines()
        self.assertEqual(lines[0], "amount,claim,account")
        self.assertEqual(lines[1], f"40.00,{self.claims[0].pk},Account ending 5678")

    def test_an_excel_file_has_the_same_rows(self) -> None:
        self.approve()
        self.client.force_login(self.finance_fay)
        response = self.client.get(self.url + "?format=xlsx")
        self.assertEqual(
            response["Content-Disposition"], f'attachment; filename="{self.batch.reference}.xlsx"'
        )
        data = tablib.Dataset().load(io.BytesIO(response.content), format="xlsx")
        self.assertEqual(data.headers[:3], ["batch", "claim", "payee"])
        self.assertEqual(
            [(r[2], r[4], Decimal(str(r[5]))) for r in data],
            [
                ("Alice Ashby", "Account ending 5678", Decimal("40.00")),
                ("Bob Brown", "Voucher", Decimal("12.35")),
                ("Vic Vale", "No bank details", Decimal("7.65")),
            ],
        )

    def test_only_an_approved_batch_is_exported(self) -> None:
        self.client.force_login(self.finance_fay)
        response = self.client.get(self.url, follow=True)
        self.assertRedirects(response, reverse("payments:batch", args=[self.batch.pk]))
        self.assertIn(
            "can be exported once it has been approved for payment",
            [str(m) for m in response.context["messages"]][0],
        )
        self.batch.refresh_from_db()
        self.assertIsNone(self.batch.exported_at)

    def test_an_unknown_format_is_refused(self) -> None:
        self.approve()
        self.client.force_login(self.finance_fay)
        self.assertEqual(self.client.get(self.url + "?format=pdf").status_code, 400)

    def test_text_a_spreadsheet_would_run_as_a_formula_is_neutralised(self) -> None:
        Claim.objects.filter(pk=self.claims[0].pk).update(
            description='=HYPERLINK("http://x","Click")'
        )
        self.approve()
        self.client.force_login(self.finance_fay)
        rows = rows_of(self.client.get(self.url))
        self.assertEqual(rows[0]["description"], '\'=HYPERLINK("http://x","Click")')

    def test_a_reversing_claim_keeps_its_minus_sign(self) -> None:
        self.approve()
        services.batch_mark_paid(
            batch=self.batch, paid_on=timezone.localdate(), by=self.finance_fay
        )
        reversal = services.claim_reverse(
            claim=self.claims[0], by=self.staff_sam, reason="Wrong fare"
        )
        # Sam entered the correction, so a colleague approves it.
        services.claim_approve(claim=reversal, by=self.finance_fay)
        batch = services.batch_approve(
            batch=services.batch_build(by=self.staff_sam), by=self.finance_fay
        )
        self.client.force_login(self.finance_fay)
        rows = rows_of(self.client.get(reverse("payments:batch-export", args=[batch.pk])))
        self.assertEqual([r["amount"] for r in rows], ["-40.00"])

    def test_the_number_of_queries_does_not_grow_with_the_claims(self) -> None:
        self.approve()
        self.client.force_login(self.finance_fay)
        url = self.url
        for n in (3, 12):
            if n > 3:
                claims = [make_claim(AdvisorFactory()) for _ in range(n)]
                for claim in claims:
                    services.claim_approve(claim=claim, by=self.staff_sam)
                batch = services.batch_approve(
                    batch=services.batch_build(by=self.staff_sam), by=self.finance_fay
                )
                url = reverse("payments:batch-export", args=[batch.pk])
            with self.subTest(claims=n):
                # 1 session, 2 user, 3 the user's roles, 4 the batch, 5 its claims with their
                # batch, advisor and bank details, 6 recording the time of the export
                with self.assertNumQueries(6):
                    response = self.client.get(url)
                self.assertEqual(len(rows_of(response)), n)


@override_settings(FINANCE_EXPORT_COLUMNS=FULL)
class FullBankDetailsTest(ExportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.approve()

    def test_finance_gets_the_full_details_decrypted(self) -> None:
        self.client.force_login(self.finance_fay)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        rows = rows_of(response)
        self.assertEqual(
            [(r["payee"], r["sort_code"], r["account_number"]) for r in rows],
            [
                ("Alice Ashby", "12-34-56", "12345678"),
                ("Bob Brown", "", ""),  # vouchers: bank details are not used
                ("Vic Vale", "", ""),
            ],
        )

    def test_the_pie_team_is_refused(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 403)
        self.batch.refresh_from_db()
        self.assertIsNone(self.batch.exported_at)

    def test_the_permission_decides_whatever_the_role(self) -> None:
        # A PIE team member without the permission is refused; a finance member who lacks it
        # (for example, it was removed from their group) is refused too.
        perm = Permission.objects.get(
            content_type__app_label="advisors", codename="view_bank_details"
        )
        Group.objects.get(name=str(Role.PIE_TEAM)).permissions.remove(perm)
        Group.objects.get(name=str(Role.FINANCE)).permissions.remove(perm)
        for role in (Role.PIE_TEAM, Role.FINANCE):
            user = make_user(f"no-perm-{role}", role)
            self.client.force_login(user)
            with self.subTest(role=role):
                self.assertEqual(self.client.get(self.url).status_code, 403)
        # Given directly, the permission is enough.
        user = make_user("given", Role.FINANCE)
        user.user_permissions.add(perm)
        self.client.force_login(user)
        self.assertEqual(self.client.get(self.url).status_code, 200)


class ResourceTest(BaseTestCase):
    def test_an_unknown_column_is_a_configuration_error(self) -> None:
        with self.assertRaisesMessage(ImproperlyConfigured, "unknown columns ['iban']"):
            FinanceExportResource(columns=["claim", "iban"])

    def test_full_details_are_flagged(self) -> None:
        self.assertFalse(FinanceExportResource(columns=["claim", "account"]).reveals_bank_details)
        self.assertTrue(FinanceExportResource(columns=["claim", "sort_code"]).reveals_bank_details)
