from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from advisors.models import Advisor, Application, ApplicationEvent, EqualityMonitoring
from advisors.services import application_accept, application_transition
from ascru_pie.models import User
from tests.base import BaseTestCase
from tests.factories import ApplicationFactory, EqualityFactory


class ApplicationAcceptTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.application = ApplicationFactory(
            first_name="Dora", last_name="Day", email="dora@example.org"
        )
        EqualityFactory(application=self.application, age_band="75_plus")

    def test_accept_creates_one_advisor_one_user_and_sends_the_invitation(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            advisor = application_accept(application=self.application, by=self.staff_sam)
        self.assertEqual(advisor.email, "dora@example.org")
        self.assertTrue(advisor.user.groups.filter(name="advisor").exists())
        self.assertFalse(advisor.user.has_usable_password())
        self.application.refresh_from_db()
        self.assertEqual((self.application.status, self.application.advisor), ("accepted", advisor))
        self.assertEqual(
            EqualityMonitoring.objects.get(application=self.application).advisor, advisor
        )
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("/accounts/invitation/", mail.outbox[0].body)

    def test_accepting_twice_creates_nothing_more_and_sends_nothing_more(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            first = application_accept(application=self.application, by=self.staff_sam)
        with self.captureOnCommitCallbacks(execute=True):
            second = application_accept(application=self.application, by=self.staff_sam)
        self.assertEqual(first, second)
        self.assertEqual(Advisor.objects.filter(email="dora@example.org").count(), 1)
        self.assertEqual(User.objects.filter(email="dora@example.org").count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_double_click_in_the_admin_accepts_once(self) -> None:
        self.client.force_login(self.staff_sam)
        url = reverse("admin:advisors_application_changelist")
        data = {"action": "accept", "_selected_action": [self.application.pk]}
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url, data)
            self.client.post(url, data)
        self.assertEqual(Advisor.objects.filter(email="dora@example.org").count(), 1)
        self.assertEqual(User.objects.filter(email="dora@example.org").count(), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(self.application.events.filter(to_status="accepted").count(), 1)

    def test_declined_application_cannot_be_accepted(self) -> None:
        application_transition(
            application=self.application, to_status="declined", by=self.staff_sam
        )
        with self.assertRaisesMessage(ValidationError, "cannot be accepted"):
            application_accept(application=self.application, by=self.staff_sam)
        self.assertFalse(Advisor.objects.filter(email="dora@example.org").exists())

    def test_an_email_already_on_the_register_is_refused_clearly(self) -> None:
        other = ApplicationFactory(email=self.alice.email)
        with self.assertRaisesMessage(ValidationError, "already on the register"):
            application_accept(application=other, by=self.staff_sam)
        self.assertFalse(User.objects.filter(username__startswith="applicant").exists())

    def test_username_is_unique_even_for_the_same_name(self) -> None:
        twin = ApplicationFactory(first_name="Dora", last_name="Day", email="dora2@example.org")
        a = application_accept(application=self.application, by=self.staff_sam)
        b = application_accept(application=twin, by=self.staff_sam)
        self.assertNotEqual(a.user.username, b.user.username)


class ApplicationTransitionTest(BaseTestCase):
    def test_status_history_records_who_and_when(self) -> None:
        application = ApplicationFactory()
        application_transition(
            application=application, to_status="shortlisted", by=self.staff_sam, note="Strong"
        )
        event = ApplicationEvent.objects.get(application=application)
        self.assertEqual(
            (event.from_status, event.to_status, event.by, event.note),
            ("received", "shortlisted", self.staff_sam, "Strong"),
        )

    def test_final_states_cannot_move(self) -> None:
        application = ApplicationFactory(status=Application.Status.DECLINED)
        with self.assertRaisesMessage(
            ValidationError, "An application that is declined cannot be moved to shortlisted."
        ):
            application_transition(
                application=application, to_status="shortlisted", by=self.staff_sam
            )

    def test_admin_actions_move_status_and_explain_refusals(self) -> None:
        ok = ApplicationFactory()
        final = ApplicationFactory(status=Application.Status.ACCEPTED)
        self.client.force_login(self.staff_sam)
        response = self.client.post(
            reverse("admin:advisors_application_changelist"),
            {"action": "shortlist", "_selected_action": [ok.pk, final.pk]},
            follow=True,
        )
        ok.refresh_from_db()
        final.refresh_from_db()
        self.assertEqual((ok.status, final.status), ("shortlisted", "accepted"))
        self.assertContains(response, "1 application(s) shortlisted.")
        self.assertContains(response, "cannot be moved to shortlisted")


class ApplicationDeclineTest(BaseTestCase):
    def test_decline_page_offers_a_kind_editable_message_and_sends_the_edited_one_once(
        self,
    ) -> None:
        application = ApplicationFactory(first_name="Eve", email="eve@example.org")
        self.client.force_login(self.staff_sam)
        url = reverse("admin:advisors_application_decline", args=[application.pk])
        response = self.client.get(url)
        self.assertContains(response, "Dear Eve,")
        self.assertContains(response, "This is not a judgement on the value of your experience")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url, {"message": "Dear Eve, thank you. A personal note."})
            self.client.post(url, {"message": "Dear Eve, thank you. A personal note."})
        application.refresh_from_db()
        self.assertEqual(application.status, "declined")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].body, "Dear Eve, thank you. A personal note.")
        self.assertEqual(mail.outbox[0].to, ["eve@example.org"])

    def test_empty_message_is_refused(self) -> None:
        application = ApplicationFactory()
        self.client.force_login(self.staff_sam)
        response = self.client.post(
            reverse("admin:advisors_application_decline", args=[application.pk]), {"message": ""}
        )
        self.assertContains(response, "This field is required")
        application.refresh_from_db()
        self.assertEqual(application.status, "received")

    def test_only_staff_with_change_permission_can_decline(self) -> None:
        application = ApplicationFactory()
        self.client.force_login(self.finance_fay)
        response = self.client.post(
            reverse("admin:advisors_application_decline", args=[application.pk]), {"message": "x"}
        )
        self.assertEqual(response.status_code, 403)
        application.refresh_from_db()
        self.assertEqual(application.status, "received")
