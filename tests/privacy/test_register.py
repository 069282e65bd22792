"""The personal-data register covers every model, and its checker really checks."""

from django.apps import apps
from django.test import SimpleTestCase

from privacy.register import (
    NOT_PERSONAL,
    REGISTER,
    Category,
    Entry,
    Erasure,
    entries,
    entry_for,
    problems,
    rows_for,
)
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, make_claim

ADVISOR_FIELDS = dict(entry_for("advisors.Advisor").fields)


class RegisterTests(SimpleTestCase):
    def test_the_register_has_no_problems(self):
        self.assertEqual(problems(), [])

    def test_it_covers_the_third_party_models_that_hold_personal_data(self):
        labels = {entry.model for entry in entries()}
        for label in [
            "ascru_pie.User",
            "account.EmailAddress",
            "mfa.Authenticator",
            "socialaccount.SocialAccount",
        ]:
            self.assertIn(label, labels)

    def test_every_historical_model_of_a_registered_model_is_registered(self):
        labels = {entry.model for entry in entries()}
        registered = {entry.model for entry in REGISTER}
        for model in apps.get_models():
            base = getattr(model, "instance_type", None)
            if base is not None and base._meta.label in registered:
                self.assertIn(model._meta.label, labels)

    def test_every_entry_says_why_and_labels_are_plain_english(self):
        for entry in REGISTER:
            self.assertTrue(entry.why, entry.model)
        self.assertEqual(Category.SPECIAL.label, "special category")
        self.assertEqual(Erasure.KEEP.label, "kept: financial record")


class CheckerCanFailTests(SimpleTestCase):
    """The checker finds each kind of gap when one is made on purpose."""

    def test_a_model_in_neither_list_is_reported(self):
        register = tuple(e for e in REGISTER if e.model != "payments.BankDetails")
        found = problems(register=register)
        self.assertIn("payments.BankDetails is in neither REGISTER nor NOT_PERSONAL", found)

    def test_a_field_that_does_not_exist_is_reported(self):
        register = REGISTER + (
            Entry(
                "advisors.Training",
                "advisor",
                {"shoe_size": (Category.IDENTITY, Erasure.EMPTY)},
                "x",
            ),
        )
        found = problems(register=register)
        self.assertIn("advisors.Training.shoe_size is registered but does not exist", found)

    def test_a_personal_looking_field_left_out_is_reported(self):
        fields = {k: v for k, v in ADVISOR_FIELDS.items() if k != "phone"}
        register = tuple(
            Entry(e.model, e.subject, fields, e.why) if e.model == "advisors.Advisor" else e
            for e in REGISTER
        )
        found = problems(register=register)
        self.assertIn("advisors.Advisor.phone looks personal but is not listed", found)

    def test_a_subject_path_that_does_not_reach_the_advisor_is_reported(self):
        register = tuple(
            Entry(e.model, "claim", e.fields, e.why) if e.model == "payments.ClaimEvent" else e
            for e in REGISTER
        )
        found = problems(register=register)
        self.assertIn(
            "payments.ClaimEvent: subject 'claim' does not lead to advisors.Advisor", found
        )

    def test_a_model_in_both_lists_is_reported(self):
        found = problems(not_personal=NOT_PERSONAL | {"advisors.Advisor": "oops"})
        self.assertIn("advisors.Advisor is in both REGISTER and NOT_PERSONAL", found)


class RowsForTests(BaseTestCase):
    def test_rows_for_finds_this_advisors_rows_and_no_one_elses(self):
        make_claim(advisor=self.alice)
        make_claim(advisor=self.bob)
        rows = {entry.model: list(qs) for entry, qs in rows_for(self.alice)}
        self.assertEqual(rows["advisors.Advisor"], [self.alice])
        self.assertEqual(rows["ascru_pie.User"], [self.advisor_alice])
        self.assertEqual([c.advisor_id for c in rows["payments.Claim"]], [self.alice.pk])
        for _entry, queryset in rows_for(self.alice):
            for row in queryset:
                self.assertNotEqual(getattr(row, "advisor_id", self.alice.pk), self.bob.pk)

    def test_an_advisor_without_a_login_has_no_user_rows(self):
        advisor = AdvisorFactory(user=None)
        rows = {entry.model: list(qs) for entry, qs in rows_for(advisor)}
        self.assertEqual(rows["ascru_pie.User"], [])
        self.assertEqual(rows["admin.LogEntry"], [])
