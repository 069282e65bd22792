"""Celery tasks: thin, take ids, safe to run twice."""

from celery import shared_task


@shared_task(bind=True, name="reports.tasks.report_build", max_retries=0)
def report_build(self, request_id: int) -> str:
    # A task importing its service: the one sanctioned function-local import.
    from .services import report_build as build

    return build(request_id=request_id)


@shared_task(name="reports.tasks.report_requests_sweep")
def report_requests_sweep() -> dict[str, int]:
    """Beat, every 30 seconds: requeue or fail requests whose worker died; send queued ones that
    have no live task. Safe to run twice or overlapping."""
    from .services import report_requests_sweep as sweep

    return sweep()
