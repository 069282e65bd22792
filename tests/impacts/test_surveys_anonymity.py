"""Anonymous answers really are anonymous: nothing stored (ids, dates, the order rows sit in,
PostgreSQL transaction ids) or shown (admin pages) puts an answer next to the receipt that
says who answered; the nightly rewrite is safe to run twice."""

import datetime
import unittest
import uuid
from unittest import mock

from django.conf import settings
from django.db import connection, models
from django.test import Client, TransactionTestCase
from django.urls import reverse
from django.utils import timezone

from ascru_pie.celery import app
from ascru_pie.roles import Role
from impacts import services, tasks
from impacts.models import SurveyReceipt, SurveyResponse
from tests.base import BaseTestCase, ensure_roles, make_user
from tests.factories import AdvisorFactory, make_survey

ANSWERS = {
    "felt_valued": "5",
    "had_support": "4",
    "paid_on_time": "3",
    "take_part_again": "yes",
    "does_not_work": "",
    "anonymous": "on",
}
SHUFFLE = "impacts.services._random.shuffle"


def reverse_order(rows: list) -> None:
    """A stand-in shuffle that is known in advance: the last answer first."""
    rows.reverse()


def stored_order() -> list[str]:
    """`works_well` of each answer in the order the database holds the rows."""
    physical = {"sqlite": "rowid", "postgresql": "ctid"}[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT works_well FROM impacts_surveyresponse ORDER BY {physical}")
        return [row[0] for row in cursor.fetchall()]


def answers() -> list[tuple]:
    """What was said, whatever the order or ids."""
    return sorted(
        SurveyResponse.objects.values_list(
            "survey_id", "advisor_id", "submitted_on", "felt_valued", "works_well"
        ),
        key=repr,
    )


class TwoAdvisorsAnswerTest(BaseTestCase):
    """Alice, then Bob, answer the annual survey anonymously."""

    def setUp(self) -> None:
        super().setUp()
        self.survey = make_survey(title="Annual survey 2026")
        url = reverse("impacts:portal-survey", args=[self.survey.pk])
        with mock.patch("impacts.tasks.survey_responses_shuffle.delay") as self.delay:
            for user, text in ((self.advisor_alice, "Alice said"), (self.advisor_bob, "Bob said")):
                self.client.force_login(user)
                with self.captureOnCommitCallbacks(execute=True):
                    response = self.client.post(url, {**ANSWERS, "works_well": text})
                self.assertEqual(response.status_code, 302)

    def test_each_answer_queues_a_rewrite_of_its_survey(self) -> None:
        self.assertEqual(self.delay.call_args_list, [mock.call(self.survey.pk)] * 2)

    def test_stored_answers_hold_no_advisor_no_date_and_no_counting_id(self) -> None:
        for row in SurveyResponse.objects.values():
            with self.subTest(row=row["works_well"]):
                self.assertIsInstance(row["id"], uuid.UUID)
                self.assertIsNone(row["advisor_id"])
                self.assertIsNone(row["submitted_on"])
        timestamps = [
            f.name
            for f in SurveyResponse._meta.concrete_fields
            if isinstance(f, models.DateTimeField)
        ]
        self.assertEqual(timestamps, [])
        # The receipts say who answered, in order; that is all they say.
        receipts = SurveyReceipt.objects.order_by("pk").values_list("advisor_id", flat=True)
        self.assertEqual(list(receipts), [self.alice.pk, self.bob.pk])
        self.assertEqual(
            {f.name for f in SurveyReceipt._meta.concrete_fields}, {"id", "survey", "advisor"}
        )

    def test_the_rewrite_puts_answers_in_the_shuffled_order_with_new_ids(self) -> None:
        # Before: the rows sit in the order the receipts were written.
        self.assertEqual(stored_order(), ["Alice said", "Bob said"])
        before_ids = set(SurveyResponse.objects.values_list("id", flat=True))
        before = answers()
        with mock.patch(SHUFFLE, side_effect=reverse_order):
            self.assertEqual(tasks.survey_responses_shuffle(self.survey.pk), 2)
        self.assertEqual(stored_order(), ["Bob said", "Alice said"])
        self.assertEqual(answers(), before)
        self.assertFalse(before_ids & set(SurveyResponse.objects.values_list("id", flat=True)))

    def test_the_real_shuffle_does_not_keep_the_answer_order(self) -> None:
        for n in range(20):
            SurveyResponse.objects.create(
                survey=self.survey, felt_valued=4, had_support=4, take_part_again="yes",
                works_well=f"answer {n:02}",
            )  # fmt: skip
        before = stored_order()
        tasks.survey_responses_shuffle(self.survey.pk)
        # The chance that 22 rows come back in the same order is 1 in 22! (about 1e21).
        self.assertNotEqual(stored_order(), before)
        self.assertEqual(sorted(stored_order()), sorted(before))

    def test_the_rewrite_is_safe_to_run_twice(self) -> None:
        named = SurveyResponse.objects.create(
            survey=self.survey, advisor=self.alice, submitted_on=timezone.localdate(),
            felt_valued=2, had_support=2, take_part_again="no", works_well="Named answer",
        )  # fmt: skip
        before = answers()
        self.assertEqual(tasks.survey_responses_shuffle(self.survey.pk), 3)
        self.assertEqual(tasks.survey_responses_shuffle(self.survey.pk), 3)
        self.assertEqual(SurveyResponse.objects.count(), 3)
        self.assertEqual(answers(), before)
        # The named answer keeps its name and date; receipts are untouched.
        kept = SurveyResponse.objects.get(works_well="Named answer")
        self.assertEqual((kept.advisor, kept.submitted_on), (self.alice, named.submitted_on))
        self.assertEqual(SurveyReceipt.objects.count(), 2)
        self.assertEqual(tasks.survey_responses_shuffle(999999), 0)

    def test_it_works_when_tasks_run_in_process_with_no_broker(self) -> None:
        # `make run` without Redis runs tasks eagerly, straight after the answer is saved.
        carol = AdvisorFactory()
        was_eager = app.conf.task_always_eager
        app.conf.update(task_always_eager=True)
        self.addCleanup(app.conf.update, task_always_eager=was_eager)
        with self.captureOnCommitCallbacks(execute=True):
            saved = services.survey_respond(
                survey=self.survey,
                advisor=carol,
                answers={"felt_valued": 3, "had_support": 3, "take_part_again": "yes"},
                anonymous=True,
            )
        self.assertFalse(SurveyResponse.objects.filter(pk=saved.pk).exists())
        self.assertEqual(SurveyResponse.objects.count(), 3)

    def test_the_nightly_run_rewrites_open_and_just_closed_surveys(self) -> None:
        closed_lately = make_survey(title="Closed three days ago", opens=-30, closes=-3)
        long_closed = make_survey(title="Closed last year", opens=-400, closes=-300)
        for survey in (closed_lately, long_closed):
            SurveyResponse.objects.create(
                survey=survey, felt_valued=4, had_support=4, take_part_again="yes"
            )
        old_id = SurveyResponse.objects.get(survey=long_closed).pk
        self.assertEqual(tasks.survey_responses_shuffle_recent(), 3)
        self.assertEqual(SurveyResponse.objects.get(survey=long_closed).pk, old_id)
        # Beat runs it every night.
        (entry,) = [
            e
            for e in settings.CELERY_BEAT_SCHEDULE.values()
            if e["task"] == "impacts.tasks.survey_responses_shuffle_recent"
        ]
        self.assertIn(entry["task"], app.tasks)
        self.assertEqual((entry["schedule"].hour, entry["schedule"].minute), ({2}, {15}))


class SurveyAdminTest(BaseTestCase):
    """The admin has no page for single answers, for anyone; the results page is the door."""

    def setUp(self) -> None:
        super().setUp()
        self.survey = make_survey(title="Annual survey 2026")
        self.answer = SurveyResponse.objects.create(
            survey=self.survey, felt_valued=1, had_support=1, take_part_again="no",
            works_well="A very particular complaint",
        )  # fmt: skip
        self.root = make_user("root", is_superuser=True, is_staff=True)

    def test_nobody_can_list_or_open_single_answers_in_the_admin(self) -> None:
        for user in (self.root, self.staff_sam):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                index = self.client.get(reverse("admin:index"))
                self.assertEqual(index.status_code, 200)
                self.assertNotContains(index, "Survey responses")
                self.assertNotContains(index, "surveyresponse")
                for path in (
                    "/admin/impacts/surveyresponse/",
                    f"/admin/impacts/surveyresponse/{self.answer.pk}/change/",
                ):
                    self.assertEqual(self.client.get(path).status_code, 404)
                page = self.client.get(
                    reverse("admin:impacts_survey_change", args=[self.survey.pk])
                )
                self.assertEqual(page.status_code, 200)
                self.assertNotContains(page, "A very particular complaint")

    def test_closing_a_survey_in_the_admin_queues_a_last_rewrite(self) -> None:
        self.client.force_login(self.root)
        today = timezone.localdate()
        data = {
            "title": self.survey.title,
            "kind": self.survey.kind,
            "opens_on": self.survey.opens_on.strftime("%d/%m/%Y"),
            "closes_on": today.strftime("%d/%m/%Y"),
            "meeting": "",
        }
        url = reverse("admin:impacts_survey_change", args=[self.survey.pk])
        with mock.patch("impacts.tasks.survey_responses_shuffle.delay") as delay:
            with self.captureOnCommitCallbacks(execute=True):
                response = self.client.post(url, data)
            self.assertEqual(response.status_code, 302)
            delay.assert_called_once_with(self.survey.pk)
            # Still open after the change: nothing queued.
            data["closes_on"] = (today + datetime.timedelta(days=5)).strftime("%d/%m/%Y")
            with self.captureOnCommitCallbacks(execute=True):
                self.client.post(url, data)
            delay.assert_called_once()


@unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL transaction ids (xmin)")
class TransactionIdTest(TransactionTestCase):
    """On PostgreSQL each row records the transaction that wrote it (xmin). An answer must
    never share one with its receipt, and after the rewrite all answers share one."""

    def test_answers_and_receipts_never_share_a_transaction_id(self) -> None:
        ensure_roles()
        survey = make_survey()
        url = reverse("impacts:portal-survey", args=[survey.pk])
        for name in ("alice", "bob"):
            user = make_user(name, Role.ADVISOR)
            AdvisorFactory(user=user)
            client = Client()
            client.force_login(user)
            with mock.patch("impacts.tasks.survey_responses_shuffle.delay"):
                self.assertEqual(client.post(url, ANSWERS).status_code, 302)

        def xmins(table: str) -> list[str]:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT xmin::text FROM {table}")  # noqa: S608
                return [row[0] for row in cursor.fetchall()]

        receipts = set(xmins("impacts_surveyreceipt"))
        self.assertEqual(len(receipts), 2)
        self.assertFalse(receipts & set(xmins("impacts_surveyresponse")))

        tasks.survey_responses_shuffle(survey.pk)
        after = set(xmins("impacts_surveyresponse"))
        self.assertEqual(len(after), 1)
        self.assertFalse(receipts & after)
