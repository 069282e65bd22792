"""Celery tasks: thin, take ids, safe to run twice."""

from celery import shared_task

from .retention import retention_run as retention_run_service

# --- Subject access ---------------------------------------------------------------------------


@shared_task(name="privacy.tasks.subject_access_build", max_retries=0)
def subject_access_build(request_id: int) -> str:
    """Make one subject access ZIP (privacy.services.subject_access_build)."""
    # A task importing its service: the one sanctioned function-local import.
    from .services import subject_access_build as build

    return build(request_id=request_id)


@shared_task(name="privacy.tasks.subject_access_sweep")
def subject_access_sweep() -> dict[str, int]:
    """Beat, every minute: requeue or fail requests whose worker died; send queued ones that
    have no live task. Safe to run twice or overlapping."""
    from .services import subject_access_sweep as sweep

    return sweep()


# --- Retention (helper D1) --------------------------------------------------------------------


@shared_task(name="privacy.tasks.retention_run")
def retention_run() -> dict[str, int]:
    """Beat, daily: apply the retention settings (privacy.retention.retention_run). Safe to
    run twice: what is already erased is skipped."""
    return retention_run_service()
