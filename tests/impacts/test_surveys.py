"""Feedback surveys: an advisor answers once, by name or anonymously; the PIE team and the
manager see the results with small groups protected, and written answers never carry a name."""

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from impacts.models import Survey, SurveyReceipt, SurveyResponse
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, make_survey

ANSWERS = {
    "felt_valued": "5",
    "had_support": "4",
    "paid_on_time": "3",
    "take_part_again": "yes",
    "works_well": "Papers arrive in good time.",
    "does_not_work": "Online meetings without captions.",
}


def respond(survey: Survey, advisor=None, **answers) -> SurveyResponse:
    """A response straight into the database (for results tests); a receipt when named."""
    data = {
        "felt_valued": 4,
        "had_support": 4,
        "paid_on_time": 4,
        "take_part_again": "yes",
        "submitted_on": timezone.localdate(),
    }
    if advisor is not None:
        SurveyReceipt.objects.create(survey=survey, advisor=advisor)
    return SurveyResponse.objects.create(survey=survey, advisor=advisor, **{**data, **answers})


# --- answering a survey ---------------------------------------------------------------------------


class SurveyAnswerTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.survey = make_survey(title="Annual experience survey 2026")
        self.url = reverse("impacts:portal-survey", args=[self.survey.pk])

    def test_the_form_asks_each_question_with_the_scale_in_words(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        for text in (
            "I felt valued",
            "I had the support I needed",
            "I was paid on time (if you were paid)",
            "Would you take part again?",
            "Strongly disagree",
            "Neither agree nor disagree",
            "Strongly agree",
            "This does not apply to me: I was not paid",
            "Not sure",
            "What works well? (optional)",
            "What does not work so well? (optional)",
            "Send my answers anonymously",
            "we will not know these answers are yours",
        ):
            with self.subTest(text=text):
                self.assertContains(response, text)
        # Nothing is chosen for her, not even "does not apply".
        self.assertNotContains(response, "checked")

    def test_an_anonymous_answer_keeps_no_link_to_alice_and_a_receipt_stops_a_second_one(
        self,
    ) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.post(self.url, {**ANSWERS, "anonymous": "on"}, follow=True)
        self.assertRedirects(response, reverse("impacts:portal-surveys"))
        self.assertContains(response, "We have saved them without your name.")

        # The row as stored: no advisor, and nothing else that holds her id or name.
        (row,) = SurveyResponse.objects.values()
        self.assertIsNone(row["advisor_id"])
        # No date either: whoever answered alone on a day would be picked out by it.
        self.assertIsNone(row["submitted_on"])
        self.assertEqual(
            set(row),
            {
                "id",
                "survey_id",
                "advisor_id",
                "felt_valued",
                "had_support",
                "paid_on_time",
                "take_part_again",
                "works_well",
                "does_not_work",
                "submitted_on",
            },
        )
        for value in row.values():
            for identifier in ("Alice", "Ashby", "alice@example.org", "alice"):
                self.assertNotIn(identifier, str(value))
        self.assertEqual(
            (row["felt_valued"], row["had_support"], row["paid_on_time"], row["take_part_again"]),
            (5, 4, 3, "yes"),
        )
        # Only the receipt says she answered, and not what.
        receipt = SurveyReceipt.objects.get()
        self.assertEqual((receipt.survey, receipt.advisor), (self.survey, self.alice))

        # She cannot answer again.
        response = self.client.get(self.url)
        self.assertContains(response, "You have already answered this survey. Thank you!")
        self.assertNotContains(response, '<form method="post" action="' + self.url)
        response = self.client.post(self.url, ANSWERS)
        self.assertContains(
            response, "You have already answered this survey. Thank you!", status_code=400
        )
        self.assertEqual(SurveyResponse.objects.count(), 1)

    def test_a_named_answer_keeps_who_gave_it(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.post(self.url, ANSWERS, follow=True)
        self.assertContains(response, "Thank you for your answers. We have saved them.")
        response = SurveyResponse.objects.get()
        self.assertEqual(response.advisor, self.alice)
        self.assertEqual(response.submitted_on, timezone.localdate())
        self.assertTrue(
            SurveyReceipt.objects.filter(survey=self.survey, advisor=self.alice).exists()
        )

    def test_paid_on_time_may_be_left_out_or_said_not_to_apply(self) -> None:
        self.client.force_login(self.advisor_alice)
        answers = {k: v for k, v in ANSWERS.items() if k != "paid_on_time"}
        self.client.post(self.url, answers)
        self.client.force_login(self.advisor_bob)
        self.client.post(self.url, {**answers, "paid_on_time": "not_paid"})
        self.assertEqual(
            list(SurveyResponse.objects.values_list("paid_on_time", flat=True)), [None, None]
        )

    def test_missing_answers_are_explained_in_an_error_summary(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.post(self.url, {"anonymous": "on"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "<title>Error: ", status_code=400)
        self.assertContains(response, "There is a problem", status_code=400)
        self.assertContains(
            response, "Choose how much you agree that you felt valued.", status_code=400
        )
        self.assertContains(
            response,
            "Choose whether you would take part again: yes, not sure or no.",
            status_code=400,
        )
        self.assertContains(response, 'href="#id_felt_valued_0"', status_code=400)
        self.assertFalse(SurveyResponse.objects.exists())
        self.assertFalse(SurveyReceipt.objects.exists())

    def test_a_closed_survey_is_refused_with_a_clear_message_and_no_form(self) -> None:
        closed = make_survey(title="Last year's survey", opens=-60, closes=-1)
        url = reverse("impacts:portal-survey", args=[closed.pk])
        self.client.force_login(self.advisor_alice)
        response = self.client.get(url)
        self.assertContains(response, "This survey closed on")
        self.assertContains(response, "you cannot answer it any more")
        self.assertNotContains(response, "Send my answers")
        response = self.client.post(url, ANSWERS)
        self.assertContains(response, "This survey closed on", status_code=400)
        self.assertFalse(SurveyResponse.objects.exists())
        self.assertFalse(SurveyReceipt.objects.exists())

    def test_a_survey_not_open_yet_is_refused_too(self) -> None:
        later = make_survey(opens=3, closes=30)
        url = reverse("impacts:portal-survey", args=[later.pk])
        self.client.force_login(self.advisor_alice)
        self.assertContains(self.client.get(url), "This survey is not open yet.")
        self.client.post(url, ANSWERS)
        self.assertFalse(SurveyResponse.objects.exists())

    def test_only_advisors_answer_and_an_unknown_survey_is_not_found(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"{reverse('login')}?next={self.url}")
        self.client.force_login(self.staff_sam)
        self.assertEqual(self.client.post(self.url, ANSWERS).status_code, 403)
        self.client.force_login(self.advisor_alice)
        self.assertEqual(
            self.client.get(reverse("impacts:portal-survey", args=[999999])).status_code, 404
        )
        self.assertFalse(SurveyResponse.objects.exists())


# --- the results ----------------------------------------------------------------------------------


@override_settings(EQUALITY_SUPPRESS_BELOW=5)
class FeedbackResultsTest(BaseTestCase):
    """Six advisors answered the annual survey (two named, four anonymously); two answered
    the workshop survey."""

    url = reverse("impacts:feedback")

    def setUp(self) -> None:
        super().setUp()
        self.annual = make_survey(title="Annual survey 2026")
        self.workshop = make_survey(title="Co-analysis workshop", kind=Survey.Kind.AFTER_ACTIVITY)
        respond(
            self.annual, self.alice, felt_valued=5, had_support=4, works_well="Alice's kind words"
        )
        respond(
            self.annual,
            self.bob,
            felt_valued=5,
            had_support=4,
            does_not_work="Bob finds travel hard",
        )
        for n in range(4):
            respond(
                self.annual,
                felt_valued=4,
                had_support=4,
                paid_on_time=None if n == 0 else 4,
                take_part_again="yes" if n < 3 else "no",
                works_well=f"Anonymous praise {n}" if n % 2 else "",
            )
        respond(
            self.workshop,
            AdvisorFactory(first_name="Cyril"),
            felt_valued=1,
            had_support=2,
            take_part_again="no",
            works_well="Cyril's written answer",
        )
        respond(self.workshop, felt_valued=2, had_support=2, take_part_again="not_sure")

    def _section(self, response, title: str) -> dict:
        return next(s for s in response.context["sections"] if s["title"] == title)

    def test_the_manager_sees_averages_in_words_and_counts_with_small_ones_hidden(self) -> None:
        self.client.force_login(self.manager_mo)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        annual = self._section(response, "Annual survey 2026")["summary"]
        self.assertEqual(annual["n"], 6)
        # felt valued: 5, 5, 4, 4, 4, 4 → 4.33; had support all 4; paid: five answers of 4.
        self.assertEqual(annual["averages"], ["4.3 out of 5", "4.0 out of 5", "4.0 out of 5"])
        agree = next(r for r in annual["scale_rows"] if r["label"] == "Agree")
        self.assertEqual(agree["cells"], ["fewer than 5", 6, 5])
        strongly = next(r for r in annual["scale_rows"] if r["label"] == "Strongly agree")
        self.assertEqual(strongly["cells"], ["fewer than 5", "fewer than 5", "fewer than 5"])
        self.assertEqual(annual["again_share"], "83% said yes")
        self.assertEqual(
            [r["count"] for r in annual["again_rows"]], [5, "fewer than 5", "fewer than 5"]
        )
        self.assertContains(response, "4.3 out of 5")
        self.assertContains(response, "83% said yes")
        self.assertContains(response, "fewer than 5")

    def test_averages_of_fewer_than_five_answers_are_not_shown(self) -> None:
        self.client.force_login(self.manager_mo)
        response = self.client.get(self.url)
        workshop = self._section(response, "Co-analysis workshop")["summary"]
        self.assertEqual(workshop["n"], 2)
        self.assertEqual(workshop["averages"], ["", "", ""])
        self.assertEqual(workshop["again_share"], "")
        self.assertNotContains(response, "1.5 out of 5")
        self.assertContains(response, "Not shown: too few answers")

    def test_all_surveys_together_combine_every_answer(self) -> None:
        self.client.force_login(self.manager_mo)
        overall = self._section(self.client.get(self.url), "All surveys together")["summary"]
        self.assertEqual(overall["n"], 8)
        # felt valued: 5+5+4+4+4+4+1+2 = 29 / 8 = 3.625 → 3.6; had support: 24+4 = 28 / 8 = 3.5
        self.assertEqual(overall["averages"][:2], ["3.6 out of 5", "3.5 out of 5"])
        # Five yes out of eight.
        self.assertEqual(overall["again_share"], "63% said yes")

    def test_the_manager_never_sees_written_answers(self) -> None:
        self.client.force_login(self.manager_mo)
        response = self.client.get(self.url)
        for text in (
            "Alice&#x27;s kind words",
            "Bob finds travel hard",
            "Anonymous praise",
            "Cyril",
        ):
            with self.subTest(text=text):
                self.assertNotContains(response, text)
        self.assertNotContains(response, "What works well?")
        self.assertContains(response, "Written answers are seen by the PIE team only.")

    def test_the_pie_team_reads_written_answers_without_any_names(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.get(self.url)
        annual = self._section(response, "Annual survey 2026")
        self.assertEqual(
            annual["texts"]["works_well"],
            ["Alice's kind words", "Anonymous praise 1", "Anonymous praise 3"],
        )
        self.assertEqual(annual["texts"]["does_not_work"], ["Bob finds travel hard"])
        self.assertContains(response, "Bob finds travel hard")
        # Named responses are shown as text only: no advisor's name anywhere on the page.
        for name in ("Ashby", "Brown", "Bob Brown", "Alice Ashby", "Cyril Example"):
            with self.subTest(name=name):
                self.assertNotContains(response, name)

    def test_written_answers_to_a_survey_fewer_than_five_answered_are_not_shown(self) -> None:
        # Two people answered the workshop survey; the PIE team knows who they were.
        self.client.force_login(self.staff_sam)
        response = self.client.get(self.url)
        self.assertIsNone(self._section(response, "Co-analysis workshop")["texts"])
        self.assertNotContains(response, "Cyril&#x27;s written answer")
        self.assertContains(
            response, "Written answers are not shown: fewer than 5 people answered this survey."
        )

    def test_query_count_does_not_grow_with_the_number_of_responses(self) -> None:
        self.client.force_login(self.staff_sam)
        # session, user, user's groups (role check), surveys with their meetings,
        # counts per survey, overall averages (the service), the written answers
        with self.assertNumQueries(7):
            self.client.get(self.url)
        for n in range(10):
            respond(self.workshop, AdvisorFactory(), works_well=f"More {n}")
        with self.assertNumQueries(7):
            response = self.client.get(self.url)
        self.assertEqual(self._section(response, "Co-analysis workshop")["summary"]["n"], 12)
        self.client.force_login(self.manager_mo)
        # The same, without the written answers.
        with self.assertNumQueries(6):
            self.client.get(self.url)

    def test_a_survey_with_no_answers_says_so(self) -> None:
        make_survey(title="Brand new survey")
        self.client.force_login(self.staff_sam)
        response = self.client.get(self.url)
        self.assertEqual(self._section(response, "Brand new survey")["summary"]["n"], 0)
        self.assertContains(response, "No answers yet.")

    def test_only_the_pie_team_and_the_manager_see_results(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"{reverse('login')}?next={self.url}")
        for user in (
            self.advisor_alice,
            self.researcher_rita,
            self.finance_fay,
            self.outsider_carol,
        ):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
