"""Database rules are said in words, never by their names ("Constraint “meetings_ends_after_start”
is violated"), wherever they are checked: admin forms, imports, services' full_clean()."""

import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings.models import Meeting
from tests.base import BaseTestCase

# Every constraint of the apps people type into, and what a person is told when it is broken.
MESSAGES = {
    "advisors_unique_email": "Another advisor already has this email address.",
    "advisors_support_budget_non_negative": "The support budget cannot be negative.",
    "meetings_ends_after_start": "The meeting must end after it starts.",
    "meetings_preparation_non_negative": "Preparation hours cannot be negative.",
    "meetings_one_invitation": "This advisor is already invited to this meeting.",
    "meetings_one_attendance": "This advisor's attendance at this meeting is already recorded.",
    "meetings_attendance_prep_non_negative": "Preparation hours cannot be negative.",
    "meetings_partly_needs_minutes": "Partial attendance needs the minutes attended.",
    "impacts_one_reflection": "This advisor has already written a reflection on this impact.",
    "impacts_survey_dates": "The survey must close on or after the day it opens.",
    "impacts_one_response_per_advisor": "This advisor has already answered this survey.",
}


class ConstraintMessagesTest(BaseTestCase):
    def test_every_constraint_of_advisors_meetings_and_impacts_has_its_own_words(self) -> None:
        found = {
            constraint.name: constraint.violation_error_message
            for label in ("advisors", "meetings", "impacts")
            for model in apps.get_app_config(label).get_models()
            for constraint in model._meta.constraints
        }
        self.assertEqual(found, MESSAGES)

    def test_the_admin_form_says_a_broken_rule_in_words(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.post(
            reverse("admin:impacts_survey_add"),
            {
                "title": "After the March meeting",
                "kind": "after_activity",
                "opens_on": "10/03/2026",
                "closes_on": "01/03/2026",
            },
        )
        self.assertContains(response, "The survey must close on or after the day it opens.")
        self.assertNotContains(response, "impacts_survey_dates")

    def test_full_clean_says_a_broken_rule_in_words(self) -> None:
        start = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)
        meeting = Meeting(title="Backwards", type="pieg", starts_at=start, ends_at=start)
        with self.assertRaises(ValidationError) as caught:
            meeting.full_clean()
        self.assertEqual(caught.exception.messages, ["The meeting must end after it starts."])
