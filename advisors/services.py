"""Applications and the register: every write that touches several rows or sends mail."""

import hashlib
import hmac
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from ascru_pie.lib.emails import make_message, render_plain
from ascru_pie.models import User
from ascru_pie.roles import Role
from ascru_pie.services import user_invite

from .consent import consent_from_application
from .models import Advisor, Application, ApplicationEvent, EqualityMonitoring, Topic

PERSON_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "postcode",
    "contact_method",
    "contact_format",
    "contact_format_other",
    "lived_experience_detail",
    "availability",
    "support_needs",
    "heard_about",
]

# Which status may follow which. Accepted and declined are final; withdrawn can be reopened.
APPLICATION_TRANSITIONS = {
    Application.Status.RECEIVED: {
        Application.Status.SHORTLISTED,
        Application.Status.ACCEPTED,
        Application.Status.DECLINED,
        Application.Status.WITHDRAWN,
    },
    Application.Status.SHORTLISTED: {
        Application.Status.ACCEPTED,
        Application.Status.DECLINED,
        Application.Status.WITHDRAWN,
        Application.Status.RECEIVED,
    },
    Application.Status.WITHDRAWN: {Application.Status.RECEIVED},
    Application.Status.ACCEPTED: set(),
    Application.Status.DECLINED: set(),
}


class ApplicationLimitReached(Exception):
    """Too many applications from one address in the last hour."""


def source_hash(ip: str) -> str:
    """A keyed hash of an IP address: enough to count submissions, useless to identify anyone."""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def application_submit(
    *, details: dict, lived_experience, topics, equality: dict | None, ip: str
) -> Application:
    """Save a public application (and its optional equality answers) and acknowledge it by email.

    All or nothing: any failure leaves no row behind.
    """
    digest = source_hash(ip)
    recent = Application.objects.filter(
        source_hash=digest, created_at__gte=timezone.now() - timedelta(hours=1)
    )
    if recent.count() >= settings.APPLY_LIMIT_PER_HOUR:
        raise ApplicationLimitReached
    application = Application(
        **{k: details.get(k, "") for k in PERSON_FIELDS},
        privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
        consented_at=timezone.now(),
        source_hash=digest,
    )
    application.full_clean()
    application.save()
    application.lived_experience.set(lived_experience)
    application.topics.set(topics)
    ApplicationEvent.objects.create(
        application=application, to_status=application.status, note="Applied online"
    )
    if equality and any(equality.values()):
        EqualityMonitoring.objects.create(application=application, **equality)
    if application.email:
        message = make_message(
            "application-received", application.email, {"application": application}
        )
        transaction.on_commit(message.send)
    return application


def application_transition(
    *, application: Application, to_status: str, by: User | None, note: str = ""
) -> Application:
    """Move an application to `to_status` if allowed; record who did it. Same status is a no-op."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status == to_status:
            return application
        if to_status not in APPLICATION_TRANSITIONS[application.status]:
            raise ValidationError(
                f"An application that is {application.get_status_display().lower()} cannot be moved to "
                f"{Application.Status(to_status).label.lower()}."
            )
        ApplicationEvent.objects.create(
            application=application,
            from_status=application.status,
            to_status=to_status,
            by=by,
            note=note,
        )
        application.status = to_status
        application.save(update_fields=["status", "updated_at"])
    return application


def _unique_username(application: Application) -> str:
    base = (
        slugify(f"{application.first_name}.{application.last_name}").replace("-", ".")[:30]
        or "advisor"
    )
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def application_accept(*, application: Application, by: User | None) -> Advisor:
    """Accept: create the Advisor and an `advisor` user, and email the set-password link.

    The consent given on the application (privacy notice, contact) becomes their first
    consent rows.

    Idempotent: a second call (double click, two staff at once) returns the same advisor
    and sends nothing.
    """
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.advisor_id:
            return application.advisor
        if Application.Status.ACCEPTED not in APPLICATION_TRANSITIONS[application.status]:
            raise ValidationError(
                f"An application that is {application.get_status_display().lower()} cannot be accepted."
            )
        if application.email and Advisor.objects.filter(email__iexact=application.email).exists():
            raise ValidationError(
                f"An advisor with the email address {application.email} is already on the register."
            )
        user = User.objects.create_user(
            username=_unique_username(application),
            email=application.email,
            first_name=application.first_name,
            last_name=application.last_name,
        )
        user.groups.add(Group.objects.get(name=Role.ADVISOR))
        advisor = Advisor.objects.create(
            user=user,
            joined_on=timezone.localdate(),
            status_changed_on=timezone.localdate(),
            **{k: getattr(application, k) for k in PERSON_FIELDS},
        )
        advisor.lived_experience.set(application.lived_experience.all())
        advisor.topics.set(application.topics.all())
        # One row at a time, so the change is in the equality answers' history.
        for equality in EqualityMonitoring.objects.filter(application=application):
            equality.advisor = advisor
            equality.save(update_fields=["advisor"])
        consent_from_application(advisor=advisor, application=application, recorded_by=by)
        ApplicationEvent.objects.create(
            application=application,
            from_status=application.status,
            to_status=Application.Status.ACCEPTED,
            by=by,
        )
        application.status = Application.Status.ACCEPTED
        application.advisor = advisor
        application.save(update_fields=["status", "advisor", "updated_at"])
        if user.email:
            transaction.on_commit(lambda: user_invite(user=user, invited_by=by))
    return advisor


def application_decline_message(*, application: Application) -> str:
    """The default, kind wording of a decline; staff edit it before it is sent."""
    return render_plain(
        "emails/application-declined-body.txt", {"application": application}
    ).strip()


def application_decline(*, application: Application, by: User | None, message: str) -> Application:
    """Decline and send the (edited) message to the applicant, once."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status == Application.Status.DECLINED:
            return locked
        locked = application_transition(
            application=locked,
            to_status=Application.Status.DECLINED,
            by=by,
            note="Decline message sent" if locked.email else "Declined (no email address)",
        )
        if locked.email:
            email = make_message("application-declined", locked.email, {"application": locked})
            email.body = message
            email.alternatives = []
            transaction.on_commit(email.send)
    return locked


def advisor_profile_update(*, advisor: Advisor, topics: Iterable[Topic]) -> Advisor:
    """Save an advisor's own changes to their details and their topics together, or neither.

    `advisor` carries the changed details (a ProfileForm's `save(commit=False)`, which has
    already checked them against the model), so no full_clean() here: it would also judge
    fields the advisor cannot change.
    """
    with transaction.atomic():
        advisor.save()
        advisor.topics.set(topics)
    return advisor


def advisor_set_status(*, advisor: Advisor, status: str) -> Advisor:
    """Change status and keep the dates that go with it."""
    if advisor.status == status:
        return advisor
    today = timezone.localdate()
    advisor.status = status
    advisor.status_changed_on = today
    advisor.left_on = today if status == Advisor.Status.LEFT else None
    advisor.save(update_fields=["status", "status_changed_on", "left_on", "updated_at"])
    return advisor


def _suppress(counts: list[int], threshold: int) -> list[int | str]:
    """Hide counts below `threshold`; if only one is hidden, hide the next smallest too.

    Every question's counts add up to the same total, so a single hidden cell could be
    worked out by subtraction (secondary suppression).
    """
    hidden = {i for i, n in enumerate(counts) if n < threshold}
    if len(hidden) == 1:
        visible = sorted((n, i) for i, n in enumerate(counts) if i not in hidden)
        if visible:
            hidden.add(visible[0][1])
    return [
        f"fewer than {threshold}"
        if i in hidden and n < threshold
        else ("hidden to protect small numbers" if i in hidden else n)
        for i, n in enumerate(counts)
    ]


def equality_summary() -> list[dict]:
    """Counts of each answer, applicants vs the active register, with small counts suppressed.

    Returns one dict per question: {"question", "rows": [{"label", "applicants", "register"}]}
    where each count is an int >= threshold, "fewer than 5", or (secondary suppression, so
    that a hidden count cannot be worked out from the others) "hidden to protect small numbers".
    """
    threshold = settings.EQUALITY_SUPPRESS_BELOW
    applicants = EqualityMonitoring.objects.filter(application__isnull=False)
    register = EqualityMonitoring.objects.filter(advisor__status=Advisor.Status.ACTIVE)

    def counts(qs, field: str) -> dict[str, int]:
        return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("pk")).order_by()}

    summary = []
    for field, question, choices in EqualityMonitoring.QUESTIONS:
        a, r = counts(applicants, field), counts(register, field)
        options = [*choices.choices, ("", "Not answered")]
        shown_a = _suppress([a.get(value, 0) for value, _ in options], threshold)
        shown_r = _suppress([r.get(value, 0) for value, _ in options], threshold)
        rows = [
            {"label": label, "applicants": shown_a[i], "register": shown_r[i]}
            for i, (_, label) in enumerate(options)
        ]
        summary.append({"field": field, "question": question, "rows": rows})
    return summary
