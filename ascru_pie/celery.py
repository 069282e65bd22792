"""Celery application. With no CELERY_BROKER_URL, settings make tasks run eagerly.

Also the one way our services hand a task to the broker, `enqueue_on_commit`.
"""

import logging
import os
from collections.abc import Callable, Iterable

from celery import Celery, Task
from django.db import transaction
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ascru_pie.settings.base")

app = Celery("ascru_pie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def enqueue_on_commit(
    task: Task, ids: Iterable[int], *, unsent: Callable[[list[int]], object]
) -> None:
    """After the transaction commits, send `task(pk)` for each id; never raise.

    The row is the source of truth, not the broker. When the broker does not take a task
    (Redis down or unreachable: kombu's OperationalError after the short publish retry in
    settings), the failure is logged, the rest are not tried (the broker is down for them
    too), and `unsent(ids)` marks those rows as having no task, so that their app's sweeper
    sends them when the broker is back. The person's request goes on as if it had worked.
    """
    ids = list(ids)

    def send() -> None:
        for n, pk in enumerate(ids):
            try:
                task.delay(pk)
            except Exception as exc:
                # Any other error (a bug in eager mode, say) gets its traceback in the log.
                logger.warning(
                    "The broker did not take %s(%s) and %d more; the sweeper will send them: %r",
                    task.name,
                    pk,
                    len(ids) - n - 1,
                    exc,
                    exc_info=not isinstance(exc, OperationalError),
                )
                unsent(ids[n:])
                return

    if ids:
        transaction.on_commit(send)
