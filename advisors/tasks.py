"""Register tasks: thin, take ids, safe to run twice."""

from celery import shared_task


@shared_task(
    name="advisors.tasks.import_job_run",
    bind=True,
    max_retries=3,
    default_retry_delay=60,
)
def import_job_run_task(self, job_id: int) -> str:
    """Import a register file kept on an ImportJob (advisors.services.import_job_run)."""
    from .services import import_job_run

    job = import_job_run(job_id=job_id)
    return job.status if job else "missing"
