"""How the background work is going, in plain words, for the superusers' system page.

The background worker sends reminders and makes reports and subject access copies. It
writes a heartbeat every 5 minutes (CELERY_BEAT_SCHEDULE); sweepers send again any work
the broker lost. This page says whether that is all happening.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from ascru_pie.models import WorkerHeartbeat
from privacy.models import SubjectAccessRequest
from privacy.records import RetentionRun
from reminders.models import Delivery, claimable_q, without_task_q
from reports.models import ReportRequest

# The heartbeat comes every 5 minutes: three missed in a row means the worker is not running.
WORKER_SILENT_AFTER = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class Work:
    """One kind of background work: how many are waiting and how many seem stuck."""

    label: str
    waiting: int
    stuck: int
    failed: int


@dataclass(frozen=True)
class SystemStatus:
    in_process: bool  # no broker: tasks run inside the web server as each request ends
    last_heartbeat: datetime.datetime | None
    worker_running: bool
    work: list[Work]
    last_reminder_sent: datetime.datetime | None
    last_retention_run: RetentionRun | None

    @property
    def anything_stuck(self) -> bool:
        return any(w.stuck or w.failed for w in self.work)


def system_status(*, now: datetime.datetime | None = None) -> SystemStatus:
    """Read the heartbeat, the queues and the last runs. Five queries."""
    now = now or timezone.now()
    heartbeat = WorkerHeartbeat.objects.aggregate(last=Max("created_at"))["last"]

    # One pass over the log: the conditions themselves, not "pk in (a subquery)" for each.
    deliveries = Delivery.objects.aggregate(
        waiting=Count("pk", filter=claimable_q(now=now)),
        stuck=Count("pk", filter=without_task_q(now=now)),
        failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        last_sent=Max("sent_at"),
    )
    reports = _work(ReportRequest, "Reports being made", now=now, running="running")
    copies = _work(
        SubjectAccessRequest, "Copies of someone's records being made", now=now, running="building"
    )
    return SystemStatus(
        in_process=not settings.CELERY_BROKER_URL,
        last_heartbeat=heartbeat,
        worker_running=heartbeat is not None and now - heartbeat <= WORKER_SILENT_AFTER,
        work=[
            Work(
                "Reminder emails to send",
                deliveries["waiting"],
                deliveries["stuck"],
                deliveries["failed"],
            ),
            reports,
            copies,
        ],
        last_reminder_sent=deliveries["last_sent"],
        last_retention_run=RetentionRun.objects.first(),
    )


def _work(model, label: str, *, now: datetime.datetime, running: str) -> Work:
    """Queued or being made; stuck = no live task or its worker died; failed."""
    stuck = model.objects.without_task(now=now).values("pk")
    died = model.objects.lease_expired(now=now).values("pk")
    counts = model.objects.aggregate(
        waiting=Count("pk", filter=Q(status__in=["queued", running])),
        stuck=Count("pk", filter=Q(pk__in=stuck) | Q(pk__in=died)),
        failed=Count("pk", filter=Q(status="failed")),
    )
    return Work(label, counts["waiting"], counts["stuck"], counts["failed"])
