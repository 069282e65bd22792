"""Impacts and surveys in a real browser: Ada sees what her involvement changed, adds her
reflection and answers a survey anonymously; the manager reads the results.

Every page must pass axe-core (WCAG 2.2 AA) with zero violations, including error states.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, h1, login

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT = "Care at home after hospital"
CHANGE = "Interviews moved from video calls to phone, because many participants do not use video."
SURVEY = "Annual experience survey"


@pytest.fixture
def impact_and_survey(register):
    """The demo register (Ada Advisor is the "advisor" login), an impact Ada helped to make,
    and an open survey that five other advisors have already answered."""
    from advisors.models import Advisor
    from impacts.models import ImpactRecord, Survey, SurveyReceipt, SurveyResponse
    from tests.factories import ProjectFactory

    ada = Advisor.objects.get(user__username="advisor")
    impact = ImpactRecord.objects.create(
        project=ProjectFactory(title=PROJECT),
        stage="design",
        what_changed=CHANGE,
        category=ImpactRecord.Category.DESIGN,
        recorded_by=register["coordinator"],
        recorded_on=datetime.date(2026, 3, 3),
    )
    impact.contributors.add(ada)
    today = timezone.localdate()
    survey = Survey.objects.create(
        title=SURVEY,
        kind=Survey.Kind.ANNUAL,
        opens_on=today - datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=30),
    )
    for advisor in Advisor.objects.exclude(pk=ada.pk).order_by("pk")[:5]:
        SurveyReceipt.objects.create(survey=survey, advisor=advisor)
        SurveyResponse.objects.create(
            survey=survey,
            advisor=advisor,
            felt_valued=4,
            had_support=4,
            paid_on_time=5,
            take_part_again="yes",
            works_well="Friendly meetings.",
            submitted_on=today,
        )
    return impact, survey


def _login_to(page, live_server, username: str, path: str) -> None:
    """Sign in through the login form (staff type their code too), then open `path`, so that
    the test does not depend on the role's landing page."""
    login(page, live_server, username, DEMO_PASSWORD)
    page.goto(f"{live_server.url}{path}")
    assert page.url == f"{live_server.url}{path}"


def test_advisor_reflects_and_answers_a_survey_anonymously(page, live_server, impact_and_survey):
    from impacts.models import AdvisorReflection, SurveyReceipt, SurveyResponse

    impact, survey = impact_and_survey

    # 1. Ada sees what her involvement changed.
    login(page, live_server, "advisor", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/portal/impacts/")
    assert response.status == 200
    assert h1(page) == "You said, we did"
    assert page.get_by_role("heading", name=PROJECT).is_visible()
    assert page.get_by_text(CHANGE).is_visible()
    assert page.get_by_text("Tuesday 3 March 2026", exact=True).is_visible()
    assert_no_axe_violations(page, "portal-impacts")

    # 2. She adds her reflection.
    with page.expect_navigation():
        page.get_by_role("link", name="Add your reflection").click()
    assert h1(page) == "Add your reflection"
    assert_no_axe_violations(page, "portal-reflection")
    page.get_by_label("Your reflection").fill("It felt good to be listened to.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save my reflection").click()
    assert page.url == f"{live_server.url}/portal/impacts/"
    assert "We have saved your reflection." in page.get_by_role("status").inner_text()
    assert page.get_by_text("It felt good to be listened to.").is_visible()
    assert page.get_by_role("link", name="Change your reflection").is_visible()
    assert_no_axe_violations(page, "portal-impacts-reflected")
    assert AdvisorReflection.objects.get(impact=impact).text == "It felt good to be listened to."

    # 3. She opens the survey.
    page.goto(f"{live_server.url}/portal/surveys/")
    assert h1(page) == "Surveys"
    assert page.get_by_text("You have not answered yet.").is_visible()
    assert_no_axe_violations(page, "portal-surveys")
    with page.expect_navigation():
        page.get_by_role("link", name=SURVEY).click()
    assert h1(page) == SURVEY
    assert page.get_by_text("we will not know these answers are yours").is_visible()
    assert_no_axe_violations(page, "portal-survey")

    # Sending without answering: an error summary linking to the questions, nothing saved.
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").click()
    assert page.title().startswith("Error: ")
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert summary.get_by_role(
        "link", name="Choose how much you agree that you felt valued."
    ).is_visible()
    assert_no_axe_violations(page, "portal-survey-error")
    assert SurveyResponse.objects.count() == 5

    # 4. She answers, anonymously.
    page.get_by_role("group", name="I felt valued").get_by_label("Strongly agree").check()
    page.get_by_role("group", name="I had the support I needed").get_by_label(
        "Agree", exact=True
    ).check()
    page.get_by_label("This does not apply to me: I was not paid").check()
    page.get_by_role("group", name="Would you take part again?").get_by_label("Yes").check()
    page.get_by_label("What works well? (optional)").fill("Papers in large print.")
    page.get_by_label("Send my answers anonymously").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").click()
    assert page.url == f"{live_server.url}/portal/surveys/"
    assert "We have saved them without your name." in page.get_by_role("status").inner_text()
    assert page.get_by_text("You have answered this survey. Thank you!").is_visible()
    assert_no_axe_violations(page, "portal-surveys-answered")

    answer = SurveyResponse.objects.get(works_well="Papers in large print.")
    assert answer.advisor is None
    assert (
        answer.felt_valued,
        answer.had_support,
        answer.paid_on_time,
        answer.take_part_again,
    ) == (5, 4, None, "yes")
    assert SurveyReceipt.objects.filter(survey=survey, advisor__user__username="advisor").exists()

    # Going back to the survey: she is thanked, and there is no form.
    page.goto(f"{live_server.url}/portal/surveys/{survey.pk}/")
    assert page.get_by_text("You have already answered this survey. Thank you!").is_visible()
    assert page.get_by_role("button", name="Send my answers").count() == 0


def test_manager_reads_the_feedback_results(page, live_server, impact_and_survey):
    _login_to(page, live_server, "manager", "/impacts/feedback/")
    assert h1(page) == "Advisor feedback results"
    section = page.locator("section", has=page.get_by_role("heading", name=SURVEY, exact=True))
    assert section.get_by_text("4.0 out of 5").first.is_visible()
    assert section.get_by_text("100% said yes").is_visible()
    assert section.get_by_role("cell", name="fewer than 5").count() > 0
    # Aggregates only: the written answers are for the PIE team.
    assert page.get_by_text("Friendly meetings.").count() == 0
    assert_no_axe_violations(page, "impacts-feedback")
