import secrets

from celery import shared_task

from .accounts import password_reset_send_task  # noqa: F401 (registers it with the worker)
from .models import WorkerHeartbeat


@shared_task(name="ascru_pie.tasks.worker_heartbeat")
def worker_heartbeat(token: str | None = None) -> str:
    """Record that a worker ran a task. Safe to run twice with the same token."""
    token = token or secrets.token_hex(16)
    WorkerHeartbeat.objects.get_or_create(token=token)
    # Keep the table small: only the newest few rows matter.
    old = WorkerHeartbeat.objects.order_by("-created_at").values_list("pk", flat=True)[50:]
    WorkerHeartbeat.objects.filter(pk__in=list(old)).delete()
    return token
