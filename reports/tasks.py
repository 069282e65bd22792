"""Celery tasks: thin, take ids, safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ascru_pie.lib.emails import make_message

from .models import Delivery


@shared_task(name="reports.tasks.reminders_run")
def reminders_run() -> int:
    """Beat, hourly: claim due reminders and queue their emails. Returns how many were new."""
    from .reminders import reminders_queue

    with transaction.atomic():
        return len(reminders_queue())


@shared_task(bind=True, name="reports.tasks.delivery_send", max_retries=settings.REMINDER_MAX_ATTEMPTS - 1)
def delivery_send(self, delivery_id: int) -> str:
    """Send one reminder email. A sent one is never sent again; failures retry with backoff."""
    from .reminders import reminder_context

    # Claim the send: only a pending (or failed-but-retrying) delivery moves on.
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (Delivery.Status.SENT, Delivery.Status.LISTED):
        return "skipped"
    try:
        message = make_message(delivery.template, delivery.recipient, reminder_context(delivery))
        message.send()
    except Exception as exc:  # any failure to render or send is recorded, then retried
        Delivery.objects.filter(pk=delivery_id).update(
            attempts=delivery.attempts + 1, error=f"{exc.__class__.__name__}: {exc}"[:1000],
            status=Delivery.Status.FAILED if delivery.attempts + 1 >= settings.REMINDER_MAX_ATTEMPTS else Delivery.Status.PENDING,
        )
        if delivery.attempts + 1 >= settings.REMINDER_MAX_ATTEMPTS:
            return "failed"
        # Back off: 1, 2, 4 ... minutes.
        raise self.retry(exc=exc, countdown=60 * 2**delivery.attempts) from exc
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), attempts=delivery.attempts + 1, subject=message.subject[:300],
        error="",
    )
    return "sent"


@shared_task(name="reports.tasks.contact_list_send")
def contact_list_send() -> int:
    """Daily: email the coordinator(s) the people to phone or write to. Once a day at most."""
    from .reminders import _pie_team

    today = timezone.localdate()
    key = f"contact-list:{today.isoformat()}"
    listed = list(
        Delivery.objects.filter(channel__in=[Delivery.Channel.CALL, Delivery.Channel.POST], status=Delivery.Status.LISTED,
                                created_at__date__gte=today - timezone.timedelta(days=1))
        .select_related("advisor", "meeting").order_by("channel", "advisor__last_name")
    )
    if not listed:
        return 0
    with transaction.atomic():
        delivery, created = Delivery.objects.get_or_create(
            key=key, defaults={"kind": "contact-list", "template": "contact-list", "object_label": f"Contact list {today}",
                               "channel": Delivery.Channel.EMAIL},
        )
        if not created:
            return 0
        recipients = [u.email for u in _pie_team()]
        message = make_message("contact-list", recipients, {"items": listed, "today": today})
        transaction.on_commit(message.send)
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, sent_at=timezone.now(),
                                                       recipient=", ".join(recipients)[:254], subject=message.subject[:300])
    return len(listed)


@shared_task(bind=True, name="reports.tasks.report_build", max_retries=0)
def report_build(self, request_id: int) -> str:
    from .services import report_build as build

    return build(request_id=request_id)
