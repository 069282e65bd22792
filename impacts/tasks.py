"""Survey tasks: thin, take ids, safe to run twice."""

from celery import shared_task

from .models import Survey


@shared_task(name="impacts.tasks.survey_responses_shuffle")
def survey_responses_shuffle(survey_id: int) -> int:
    """After an answer: rewrite the survey's answers in a random order (see the service)."""
    from .services import survey_responses_shuffle as shuffle

    survey = Survey.objects.filter(pk=survey_id).first()
    return shuffle(survey=survey) if survey else 0


@shared_task(name="impacts.tasks.survey_responses_shuffle_recent")
def survey_responses_shuffle_recent() -> int:
    """Beat, nightly: rewrite the answers of surveys open now or closed in the past week."""
    from .services import survey_responses_shuffle_recent as shuffle_recent

    return shuffle_recent()
