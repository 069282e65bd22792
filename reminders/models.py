"""The delivery log: every reminder to every person, claimed once by its key."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from advisors.models import Advisor
from ascru_pie.templatetags.words import plural_text
from meetings.models import Meeting

KIND_WORDS = {
    "rsvp-chase": "Asked to answer an invitation",
    "agenda-deadline": "Agenda deadline is close",
    "pie-digest": "Daily digest for the PIE team",
    "impact-prompt": "Asked the project lead what changed",
    "checkin": "Check-in after a long time without involvement",
    "survey": "Invitation to a feedback survey",
    "contact-list": "Daily call and post list for the coordinator",
    "invite": "Invitation to a meeting",
    "cancelled": "Meeting cancelled",
}


# A send claimed longer ago than this is a worker that died: it may be claimed again.
SEND_LEASE = datetime.timedelta(minutes=15)


def claimable_q(*, now: datetime.datetime) -> Q:
    """Waiting to send, or claimed by a worker that died (SEND_LEASE ago)."""
    return Q(status=Delivery.Status.PENDING) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - SEND_LEASE
    )


def without_task_q(*, now: datetime.datetime) -> Q:
    """Claimable, with no live task: the broker never took one, or the one it took (or a
    retry) was due TASK_LOST_AFTER_SECONDS ago and has not run."""
    lost = now - datetime.timedelta(seconds=settings.TASK_LOST_AFTER_SECONDS)
    return claimable_q(now=now) & (Q(task_due_at=None) | Q(task_due_at__lt=lost))


class DeliveryQuerySet(models.QuerySet):
    def claimable(self, *, now: datetime.datetime) -> "DeliveryQuerySet":
        """Waiting to send, or claimed by a worker that died (SEND_LEASE ago)."""
        return self.filter(claimable_q(now=now))

    def without_task(self, *, now: datetime.datetime) -> "DeliveryQuerySet":
        """Claimable, with no live task (without_task_q)."""
        return self.filter(without_task_q(now=now))

    def to_contact(self) -> "DeliveryQuerySet":
        """Calls and letters still to do: on the list, not ticked off, to an Active advisor
        (Paused or Left advisors are not phoned), and not about a cancelled meeting, except
        the call or letter that tells them it is cancelled. The reminders log and the
        coordinator home's counts both use this."""
        return self.filter(
            channel__in=[Delivery.Channel.CALL, Delivery.Channel.POST],
            status=Delivery.Status.LISTED,
            done_at=None,
            advisor__status=Advisor.Status.ACTIVE,
        ).filter(
            # Spelled out: an exclude() over the nullable meeting would also drop rows with
            # no meeting at all (NULL in SQL's three-valued logic).
            Q(meeting__isnull=True)
            | ~Q(meeting__status=Meeting.Status.CANCELLED)
            | Q(kind="cancelled")
        )

    def failed_open(self) -> "DeliveryQuerySet":
        """Emails that could not be sent and that nobody has yet tried again or dealt with."""
        return self.filter(status=Delivery.Status.FAILED, done_at=None)


class Delivery(models.Model):
    """One reminder to one person about one thing. The key makes it happen at most once."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        CALL = "call", "To call (on the coordinator's list)"
        POST = "post", "To post (on the coordinator's list)"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        LISTED = "listed", "On the coordinator's contact list"
        FAILED = "failed", "Failed"

    key = models.CharField(
        max_length=200, unique=True, help_text="kind:object:person[:period] – never sent twice"
    )
    kind = models.CharField(max_length=40)
    object_label = models.CharField(max_length=300, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    advisor = models.ForeignKey(
        "advisors.Advisor",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    recipient = models.CharField(max_length=254, blank=True)
    channel = models.CharField(max_length=10, choices=Channel, default=Channel.EMAIL)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a worker claimed the send; a claim older than SEND_LEASE is a worker that died.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When the task that sends it is due (now, or a retry's backoff); empty when the broker did
    # not take it (Redis down), so the sweeper knows to send it (services.deliveries_sweep).
    task_due_at = models.DateTimeField(null=True, blank=True)
    # For call/post deliveries: when they went out on the coordinator's daily list.
    listed_on = models.DateField(null=True, blank=True)
    # For call/post deliveries: who phoned or wrote, when, and what came of it (ticked off once).
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=500, blank=True)
    # Payload for rendering: the email template name and ids of what it is about.
    template = models.CharField(max_length=60)
    context = models.JSONField(default=dict, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "channel"], name="reminders_delivery_status"),
            # The log, newest first, all of it or one status (failed: the failed list too).
            models.Index(fields=["-created_at", "-id"], name="reminders_delivery_newest"),
            models.Index(
                fields=["status", "-created_at", "-id"], name="reminders_delivery_st_newest"
            ),
            # The calls and letters ticked off lately.
            models.Index(fields=["-done_at", "-id"], name="reminders_delivery_done"),
            # The calls and letters still to do: a few thousand among ten times as many done.
            models.Index(
                fields=["channel", "created_at"],
                condition=Q(status="listed", done_at__isnull=True),
                name="reminders_delivery_to_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient or self.advisor or self.user}: {self.get_status_display()}"

    @property
    def kind_words(self) -> str:
        """What the reminder was, as the PIE team would say it."""
        if self.kind.startswith("meeting-") and self.kind.endswith("d"):
            days = self.kind.removeprefix("meeting-").removesuffix("d")
            if days.isdigit():
                return f"Meeting reminder, {plural_text(int(days), 'day')} before"
        return KIND_WORDS.get(self.kind, self.kind.replace("-", " ").capitalize())

    @property
    def status_words(self) -> str:
        if self.status == self.Status.FAILED:
            return f"Failed: {self.error}" if self.error else "Failed"
        if self.status == self.Status.PENDING and self.attempts:
            tried = f"Waiting to try again (tried {plural_text(self.attempts, 'time')})"
            return f"{tried}: {self.error}" if self.error else tried
        return self.get_status_display()

    @property
    def person(self) -> str:
        if self.advisor:
            return self.advisor.full_name
        if self.user:
            return str(self.user)
        return self.recipient
