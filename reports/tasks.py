"""Celery tasks: thin, take ids, safe to run twice."""

from celery import shared_task


@shared_task(bind=True, name="reports.tasks.report_build", max_retries=0)
def report_build(self, request_id: int) -> str:
    # A task importing its service: the one sanctioned function-local import.
    from .services import report_build as build

    return build(request_id=request_id)
