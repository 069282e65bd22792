"""`manage.py erase`: says what it would do, erases with --yes, and refuses what it must."""

from io import StringIO

from django.core.management import CommandError, call_command

from advisors.models import Advisor, Application, ApplicationEvent, EqualityMonitoring
from privacy.records import ErasureRecord
from tests.base import BaseTestCase
from tests.factories import ApplicationFactory, EqualityFactory, make_claim


def erase(*args) -> str:
    out = StringIO()
    call_command("erase", *args, stdout=out)
    return out.getvalue()


class EraseCommandTests(BaseTestCase):
    def test_without_yes_it_only_says_what_it_would_do(self):
        output = erase("--advisor", str(self.alice.pk))
        self.assertIn("Would erase advisor", output)
        self.assertIn("Run again with --yes", output)
        self.assertEqual(Advisor.objects.get(pk=self.alice.pk).last_name, "Ashby")

    def test_with_yes_it_erases_and_names_the_pseudonym_and_twice_is_harmless(self):
        output = erase("--advisor", str(self.alice.pk), "--yes", "--by", "sam")
        record = ErasureRecord.objects.get()
        self.assertIn(f"Erased: now {record.pseudonym}", output)
        self.assertEqual(record.by, self.staff_sam)
        self.assertEqual(Advisor.objects.get(pk=self.alice.pk).full_name, record.pseudonym)
        erase("--advisor", str(self.alice.pk), "--yes")
        self.assertEqual(ErasureRecord.objects.count(), 1)
        self.assertEqual(Advisor.objects.get(pk=self.bob.pk).full_name, "Bob Brown")

    def test_it_refuses_while_claims_wait_to_be_paid(self):
        make_claim(self.alice)
        with self.assertRaisesMessage(CommandError, "still waiting to be paid"):
            erase("--advisor", str(self.alice.pk), "--yes")

    def test_an_unknown_number_is_an_error(self):
        with self.assertRaisesMessage(CommandError, "No advisor 999999"):
            erase("--advisor", "999999", "--yes")


class ApplicationEraseTests(BaseTestCase):
    def setUp(self):
        self.dora = ApplicationFactory(
            first_name="Dora",
            last_name="Dunn",
            email="dora@example.org",
            phone="07700 900999",
            support_needs="Large print",
            status="declined",
        )
        EqualityFactory(application=self.dora, sex="female", religion="none")
        ApplicationEvent.objects.create(
            application=self.dora,
            to_status="declined",
            by=self.staff_sam,
            note="Dora Dunn lives too far",
        )
        self.eve = ApplicationFactory(first_name="Eve", last_name="Ellis", status="declined")
        EqualityFactory(application=self.eve, sex="female")

    def test_a_declined_applicant_is_erased_and_another_is_untouched(self):
        erase("--application", str(self.dora.pk), "--yes")
        dora = Application.objects.get(pk=self.dora.pk)
        self.assertRegex(dora.full_name, r"^Applicant [0-9A-F]{4}$")
        self.assertEqual((dora.email, dora.phone, dora.support_needs), ("", "", ""))
        self.assertFalse(EqualityMonitoring.objects.filter(application=dora).exists())
        self.assertEqual(
            ApplicationEvent.objects.get(application=dora).note, f"{dora.full_name} lives too far"
        )
        history = [h.last_name for h in dora.history.all()] if hasattr(dora, "history") else []
        self.assertNotIn("Dunn", history)
        eve = Application.objects.get(pk=self.eve.pk)
        self.assertEqual(eve.full_name, "Eve Ellis")
        self.assertTrue(EqualityMonitoring.objects.filter(application=eve).exists())

    def test_an_application_that_led_to_a_place_is_erased_with_the_advisor(self):
        self.dora.advisor = self.alice
        self.dora.status = "accepted"
        self.dora.save()
        with self.assertRaisesMessage(CommandError, "erase them as an advisor instead"):
            erase("--application", str(self.dora.pk), "--yes")
        erase("--advisor", str(self.alice.pk), "--yes")
        dora = Application.objects.get(pk=self.dora.pk)
        self.assertEqual(dora.full_name, Advisor.objects.get(pk=self.alice.pk).full_name)
        self.assertFalse(EqualityMonitoring.objects.filter(application=dora).exists())
