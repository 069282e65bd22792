"""Reminder tasks: thin, take ids, safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ascru_pie.lib.emails import make_message

from .models import Delivery


@shared_task(name="reminders.tasks.reminders_run")
def reminders_run() -> int:
    """Beat, hourly: claim due reminders and queue their emails. Returns how many were new."""
    from .services import reminders_queue

    with transaction.atomic():
        return len(reminders_queue())


@shared_task(
    bind=True, name="reminders.tasks.delivery_send", max_retries=settings.REMINDER_MAX_ATTEMPTS - 1
)
def delivery_send(self, delivery_id: int) -> str:
    """Send one reminder email, at most once; failures retry with backoff, then show as failed.

    The send is claimed with a conditional UPDATE, so two deliveries of this task (a retry,
    a redelivery after a worker restart) cannot both send.
    """
    from .services import reminder_context

    now = timezone.now()
    if not (
        Delivery.objects.claimable(now=now)
        .filter(pk=delivery_id)
        .update(status=Delivery.Status.SENDING, claimed_at=now)
    ):
        return "skipped"
    delivery = Delivery.objects.get(pk=delivery_id)
    try:
        message = make_message(delivery.template, delivery.recipient, reminder_context(delivery))
        message.send()
    except Exception as exc:  # any failure to render or send is recorded, then retried
        attempts = delivery.attempts + 1
        final = attempts >= settings.REMINDER_MAX_ATTEMPTS
        # Back off: 1, 2, 4 ... minutes. The sweeper leaves it alone until the retry is overdue.
        countdown = 60 * 2**delivery.attempts
        Delivery.objects.filter(pk=delivery_id).update(
            attempts=attempts,
            error=f"{exc.__class__.__name__}: {exc}"[:1000],
            status=Delivery.Status.FAILED if final else Delivery.Status.PENDING,
            task_due_at=None if final else now + timedelta(seconds=countdown),
        )
        if final:
            return "failed"
        raise self.retry(exc=exc, countdown=countdown) from exc
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        attempts=delivery.attempts + 1,
        subject=message.subject[:300],
        error="",
    )
    return "sent"


@shared_task(name="reminders.tasks.deliveries_sweep")
def deliveries_sweep() -> int:
    """Beat, every 30 seconds: send the reminder emails that have no live task (the broker was
    down, or a worker died while sending). Safe to run twice or overlapping."""
    from .services import deliveries_sweep as sweep

    return sweep()


@shared_task(name="reminders.tasks.contact_list_send")
def contact_list_send() -> int:
    """Daily: email the coordinator(s) the people to phone or write to. Each person once.

    Listed deliveries are stamped with the day's list (a conditional UPDATE), so nobody is on
    two lists, and a second run the same day finds nothing new.
    """
    from .services import pie_team_users

    today = timezone.localdate()
    with transaction.atomic():
        pending = Delivery.objects.filter(
            channel__in=[Delivery.Channel.CALL, Delivery.Channel.POST],
            status=Delivery.Status.LISTED,
            listed_on=None,
        )
        ids = list(pending.values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids, listed_on=None).update(listed_on=today)
        items = list(
            Delivery.objects.filter(pk__in=ids)
            .select_related("advisor", "meeting")
            .order_by("channel", "advisor__last_name")
        )
        if not items:
            return 0
        recipients = [u.email for u in pie_team_users()]
        message = make_message("contact-list", recipients, {"items": items, "today": today})
        transaction.on_commit(message.send)
    return len(items)
