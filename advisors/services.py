"""Applications and the register: every write that touches several rows or sends mail."""

import hashlib
import hmac
from collections.abc import Iterable
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from ascru_pie.email_change import login_email_change_request
from ascru_pie.lib.emails import make_message, render_plain
from ascru_pie.models import LoginEmailChange, User
from ascru_pie.roles import Role
from ascru_pie.services import user_invite

from . import imports as register_imports
from .consent import consent_from_application
from .models import (
    Advisor,
    Application,
    ApplicationEvent,
    EqualityMonitoring,
    ImportJob,
    PersonDetails,
    Topic,
)
from .tasks import import_job_run_task

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


def _unique_username(person: PersonDetails) -> str:
    base = slugify(f"{person.first_name}.{person.last_name}").replace("-", ".")[:30] or "advisor"
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
            advisor.invitation_sent_at = timezone.now()
            advisor.save(update_fields=["invitation_sent_at", "updated_at"])
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


def advisor_profile_update(
    *, advisor: Advisor, topics: Iterable[Topic], request: HttpRequest | None = None
) -> LoginEmailChange | None:
    """Save an advisor's own changes to their details and their topics together, or neither.

    `advisor` carries the changed details (a ProfileForm's `save(commit=False)`, which has
    already checked them against the model), so no full_clean() here: it would also judge
    fields the advisor cannot change. A new email address becomes their sign-in email too,
    once confirmed at the new address (advisor_login_email_follow); returns that change.
    """
    with transaction.atomic():
        advisor.save()
        advisor.topics.set(topics)
        return advisor_login_email_follow(request=request, advisor=advisor, by=advisor.user)


def _login_never_used(user: User) -> bool:
    return not user.has_usable_password() and user.last_login is None


EMAIL_TAKEN = (
    "Another account already signs in with {email}. Ask a superuser to link that account to "
    "this advisor, or record a different email."
)


def login_email_taken(*, email: str, user: User | None = None) -> bool:
    """Whether an account other than `user` signs in with `email` (one email per person)."""
    others = User.objects.filter(email__iexact=email)
    if user is not None:
        others = others.exclude(pk=user.pk)
    return bool(email) and others.exists()


def _login_email_set(user: User, email: str) -> None:
    """Set the sign-in email of an account nobody has used yet (no one to protect).

    Refused (ValidationError) when another account signs in with it: its invitation would
    go to that person, and two accounts would sign in with one address."""
    if login_email_taken(email=email, user=user):
        raise ValidationError(EMAIL_TAKEN.format(email=email), code="email_taken")
    user.email = email
    user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
    user.login_email_changes.filter(confirmed_at__isnull=True).delete()


def advisor_login_email_follow(
    *, request: HttpRequest | None, advisor: Advisor, by: User | None
) -> LoginEmailChange | None:
    """One email per person: make the advisor's sign-in email follow the one on the register.

    An account that has been used keeps its old sign-in email until the new address is
    confirmed (ascru_pie.email_change: a link to the new address, a note to the old one), so
    no one can take over an account by changing the email on the register. An account
    never used (no password yet) takes the new address at once: its invitation must go there.
    Returns the change waiting for confirmation, if one was asked for.
    """
    user = advisor.user
    if user is None or not advisor.email:
        return None
    if advisor.email.lower() == (user.email or "").lower():
        # Changed back before confirming: nothing waits any more, and the link sent to the
        # other address no longer works.
        user.login_email_changes.filter(confirmed_at__isnull=True).delete()
        EmailAddress.objects.filter(user=user, verified=False).delete()
        return None
    if _login_never_used(user):
        _login_email_set(user, advisor.email)
        return None
    if request is None:
        # allauth sends its confirmation link from a request: without one (an import, a
        # script) the sign-in email stays as it is.
        return None
    pending = user.login_email_changes.filter(confirmed_at__isnull=True).first()
    if pending is not None and pending.new_email.lower() == advisor.email.lower():
        return pending
    return login_email_change_request(
        request=request, user=user, new_email=advisor.email, by=by or user
    )


NO_EMAIL = (
    "{name} has no email address, so we cannot send them an invitation. They can still take "
    "part by phone or post: we invite them and record their answers and claims for them. "
    "If they would like to use the website, ask for their email address, add it to their "
    "record and save, then send the invitation."
)


def advisor_login_give(*, advisor: Advisor, by: User | None) -> User:
    """Give an advisor a login if they have none, and email them a link to set a password.

    Sends the invitation again if they have not set a password yet (a new link; an earlier
    one works until it is used or expires). Sends one email, after commit, to the email on
    the register, and records when (`invitation_sent_at`; who: the advisor's history).
    Refuses with a ValidationError when there is no email, the advisor has left, or they
    already have a password (they use "Forgotten your password?").
    """
    with transaction.atomic():
        advisor = (
            Advisor.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=advisor.pk)
        )
        name = advisor.full_name
        if not advisor.email:
            raise ValidationError(NO_EMAIL.format(name=name))
        if not advisor.can_take_part:
            raise ValidationError(
                f"{name} has left the register, so they cannot sign in. Change their status "
                "first if they are coming back."
            )
        user = advisor.user
        if user is None:
            if login_email_taken(email=advisor.email):
                raise ValidationError(EMAIL_TAKEN.format(email=advisor.email), code="email_taken")
            user = User.objects.create_user(
                username=_unique_username(advisor),
                email=advisor.email,
                first_name=advisor.first_name,
                last_name=advisor.last_name,
            )
            user.groups.add(Group.objects.get(name=Role.ADVISOR))
            advisor.user = user
        elif user.has_usable_password():
            raise ValidationError(
                f"{name} has already set a password. If they have forgotten it, they can use "
                "“Forgotten your password?” on the sign-in page, or you can send them a "
                "password reset email from their account."
            )
        elif (user.email or "").lower() != advisor.email.lower():
            _login_email_set(user, advisor.email)
        if not user.is_active:
            raise ValidationError(
                f"{name}'s account is switched off, so an invitation would not work. Ask a "
                "superuser why before switching it on again."
            )
        advisor.invitation_sent_at = timezone.now()
        advisor.save(update_fields=["user", "invitation_sent_at", "updated_at"])
        transaction.on_commit(lambda: user_invite(user=user, invited_by=by))
    return user


def advisor_set_status(*, advisor: Advisor, status: str) -> Advisor:
    """Change status and keep the dates that go with it.

    Left means they can no longer sign in: their account is switched off, which also ends
    every session they have (User.session_epoch). Coming back switches it on again. Paused
    keeps their access.
    """
    if advisor.status == status:
        return advisor
    today = timezone.localdate()
    was = advisor.status
    with transaction.atomic():
        advisor.status = status
        advisor.status_changed_on = today
        advisor.left_on = today if status == Advisor.Status.LEFT else None
        advisor.save(update_fields=["status", "status_changed_on", "left_on", "updated_at"])
        advisor_login_follow_status(advisor=advisor, was=was)
    return advisor


def advisor_login_follow_status(*, advisor: Advisor, was: str = "") -> None:
    """Left: switch the advisor's login off (saving an inactive user ends its sessions for
    good). Back from Left (`was`): switch it on. Staff accounts are left alone."""
    user = User.objects.filter(pk=advisor.user_id).first()
    if user is None or user.has_staff_role:
        return
    if advisor.status == Advisor.Status.LEFT and user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    elif was == Advisor.Status.LEFT and advisor.status != was and not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])


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


# --- the register import in the background (advisors.imports) ------------------------------


def import_job_start(*, data: bytes, filename: str, user, rows: int) -> ImportJob:
    """Keep the file on a new ImportJob and queue its import once this transaction commits."""
    job = ImportJob.objects.create(data=data, filename=filename, created_by=user, rows_total=rows)
    transaction.on_commit(lambda: import_job_run_task.delay(job.pk))
    return job


def _finish(job: ImportJob, summary: "register_imports.RegisterImport") -> None:
    job.status = ImportJob.Status.DONE if summary.ok else ImportJob.Status.FAILED
    job.rows_done = job.rows_total if summary.ok else job.rows_done
    job.rows_new, job.rows_updated, job.rows_skipped = summary.new, summary.updated, summary.skipped
    job.problems = "\n".join(summary.problems)
    job.data = b""
    job.finished_at = timezone.now()
    job.save()


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Import a queued job's file: check every row (saying how far it has got), then write
    them all in one transaction. Safe to run twice; a finished job is left as it is."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return job
        job.status = ImportJob.Status.CHECKING
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "started_at"])
    data = bytes(job.data)

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.CHECKING).update(rows_done=done)

    # The check runs outside the import's transaction, so that its progress can be seen.
    check = register_imports.import_register_file(
        data, filename=job.filename, user=job.created_by, dry_run=True, progress=progress
    )
    if not check.ok:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if not job.finished:
                _finish(job, check)
        return job
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.CHECKING).update(
        status=ImportJob.Status.SAVING, rows_done=check.rows
    )
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.finished:
            return job
        # Checked again as it is written: the register may have changed since the check.
        summary = register_imports.import_register_file(
            data, filename=job.filename, user=job.created_by
        )
        _finish(job, summary)
    return job
