"""Every view of an individual's equality answers or full bank details is logged (who, when,
whose, where); aggregates are not; only superusers see the log."""

from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse

from advisors.models import Advisor, PaymentPreference, SensitiveDataView
from payments import services
from tests.base import BaseTestCase, make_user
from tests.factories import AdvisorFactory, ApplicationFactory, EqualityFactory, make_claim

FULL_COLUMNS = ["claim", "payee", "sort_code", "account_number", "amount"]


def logged() -> list[tuple]:
    return list(
        SensitiveDataView.objects.order_by("pk").values_list(
            "viewer__username", "what", "advisor_id", "application_id"
        )
    )


class EqualityViewsLoggedTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.equality = EqualityFactory(advisor=self.alice, religion="buddhist")
        self.applicant = ApplicationFactory(first_name="Priya")
        EqualityFactory(application=self.applicant, carer="no")

    def edi(self) -> None:
        self.staff_sam.groups.add(Group.objects.get(name="edi_access"))
        self.client.force_login(self.staff_sam)

    def test_each_page_showing_answers_logs_one_row_with_its_subject(self) -> None:
        self.edi()
        pages = [
            (
                reverse("admin:advisors_advisor_change", args=[self.alice.pk]),
                ("sam", "equality", self.alice.pk, None),
            ),
            (
                reverse("admin:advisors_application_change", args=[self.applicant.pk]),
                ("sam", "equality", None, self.applicant.pk),
            ),
            (
                reverse("admin:advisors_equalitymonitoring_change", args=[self.equality.pk]),
                ("sam", "equality", self.alice.pk, None),
            ),
            (
                reverse("admin:advisors_advisor_history", args=[self.alice.pk]),
                ("sam", "equality", self.alice.pk, None),
            ),
        ]
        for url, row in pages:
            with self.subTest(url=url):
                SensitiveDataView.objects.all().delete()
                self.assertEqual(self.client.get(url).status_code, 200)
                self.assertEqual(logged(), [row])

    def test_where_says_which_page(self) -> None:
        self.edi()
        self.client.get(reverse("admin:advisors_advisor_change", args=[self.alice.pk]))
        self.assertEqual(SensitiveDataView.objects.get().where, "admin: advisor page")

    def test_without_equality_access_nothing_is_shown_so_nothing_is_logged(self) -> None:
        self.client.force_login(self.staff_sam)
        self.client.get(reverse("admin:advisors_advisor_change", args=[self.alice.pk]))
        self.client.get(reverse("admin:advisors_advisor_history", args=[self.alice.pk]))
        self.assertEqual(logged(), [])

    def test_an_advisor_with_no_answers_logs_nothing(self) -> None:
        self.edi()
        self.client.get(reverse("admin:advisors_advisor_change", args=[self.bob.pk]))
        self.assertEqual(logged(), [])

    def test_the_aggregate_report_logs_nothing(self) -> None:
        for user in (self.manager_mo, self.staff_sam):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("advisors:equality-summary")).status_code, 200)
        self.assertEqual(logged(), [])


class BankDetailsViewsLoggedTest(BaseTestCase):
    """Alice is paid by bank transfer, Bob in vouchers (details kept), Vic has none."""

    def setUp(self) -> None:
        super().setUp()
        for advisor, number in [(self.alice, "12345678"), (self.bob, "87654321")]:
            services.bank_details_set(
                advisor=advisor, account_name="X", sort_code="12-34-56", account_number=number
            )
        Advisor.objects.filter(pk=self.bob.pk).update(payment_preference=PaymentPreference.VOUCHER)
        vic = AdvisorFactory(first_name="Vic")
        # Two claims for Alice: still one log row for her.
        claims = [make_claim(a) for a in (self.alice, self.alice, self.bob, vic)]
        approver = make_user("pat", "pie_team", is_staff=True)
        for claim in claims:
            services.claim_approve(claim=claim, by=approver)
        batch = services.batch_build(by=self.staff_sam)
        services.batch_approve(batch=batch, by=self.finance_fay)
        self.url = reverse("payments:batch-export", args=[batch.pk])
        self.reference = batch.reference

    @override_settings(FINANCE_EXPORT_COLUMNS=FULL_COLUMNS)
    def test_the_finance_export_logs_each_advisor_whose_account_is_in_it_once(self) -> None:
        self.client.force_login(self.finance_fay)
        response = self.client.get(self.url + "?format=csv")
        self.assertEqual(response.status_code, 200)
        self.assertIn("12345678", response.content.decode())
        self.assertEqual(logged(), [("fay", "bank_details", self.alice.pk, None)])
        self.assertEqual(
            SensitiveDataView.objects.get().where,
            f"finance export of batch {self.reference} (csv)",
        )

    def test_the_masked_export_logs_nothing(self) -> None:
        self.client.force_login(self.finance_fay)
        response = self.client.get(self.url + "?format=csv")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("12345678", response.content.decode())
        self.assertEqual(logged(), [])


class ViewLogIsForSuperusersTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.row = SensitiveDataView.objects.create(
            viewer=self.staff_sam, advisor=self.alice, what="equality", where="admin: advisor page"
        )
        self.root = make_user("root", is_staff=True, is_superuser=True)
        self.changelist = reverse("admin:advisors_sensitivedataview_changelist")

    def test_a_superuser_reads_the_log_and_nobody_changes_or_deletes_it(self) -> None:
        self.client.force_login(self.root)
        page = self.client.get(self.changelist)
        self.assertContains(page, "admin: advisor page")
        change = reverse("admin:advisors_sensitivedataview_change", args=[self.row.pk])
        self.assertNotContains(self.client.get(change), 'name="_save"')
        delete = reverse("admin:advisors_sensitivedataview_delete", args=[self.row.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        self.assertTrue(SensitiveDataView.objects.filter(pk=self.row.pk).exists())

    def test_no_one_else_sees_it(self) -> None:
        edi = make_user("eve", "pie_team", "edi_access", is_staff=True)
        for user in (self.staff_sam, self.finance_fay, edi):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.changelist).status_code, 403)
                self.assertNotContains(
                    self.client.get(reverse("admin:index")), "views of sensitive data"
                )
        # Not staff at all: the admin sends them to sign in.
        self.client.force_login(self.manager_mo)
        self.assertEqual(self.client.get(self.changelist).status_code, 302)
