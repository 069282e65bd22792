"""Consent: recorded as new rows only (advisors.models.Consent); the latest row is the answer.

Withdrawing consent for contact stops reminders: the reminders app leaves out
`Advisor.objects.contact_withdrawn()`.
"""

from django.conf import settings
from django.utils import timezone

from ascru_pie.models import User

from .models import Advisor, Application, Consent


def consent_current(*, advisor: Advisor, purpose: str) -> Consent | None:
    """The advisor's latest consent row for `purpose`, or None if none was ever recorded."""
    return advisor.consents.filter(purpose=purpose).order_by("-at", "-pk").first()


def consent_record(
    *,
    advisor: Advisor,
    purpose: str,
    given: bool,
    method: str,
    recorded_by: User | None,
    note: str = "",
    at=None,
    privacy_notice_version: str | None = None,
) -> Consent:
    """Add a consent row (given or withdrawn). Nothing is ever changed or deleted.

    The same answer as the current one is still recorded: it is what the person told us,
    and when.
    """
    consent = Consent(
        advisor=advisor,
        purpose=purpose,
        given=given,
        method=method,
        recorded_by=recorded_by,
        note=note,
        at=at or timezone.now(),
        privacy_notice_version=settings.PRIVACY_NOTICE_VERSION
        if privacy_notice_version is None
        else privacy_notice_version,
    )
    consent.full_clean()
    consent.save()
    return consent


def consent_from_application(
    *, advisor: Advisor, application: Application, recorded_by: User | None
) -> list[Consent]:
    """The consent given on the application form: the privacy notice, and to be contacted."""
    return [
        consent_record(
            advisor=advisor,
            purpose=purpose,
            given=True,
            method=Consent.Method.APPLICATION,
            recorded_by=recorded_by,
            at=application.consented_at,
            privacy_notice_version=application.privacy_notice_version,
        )
        for purpose in (Consent.Purpose.PRIVACY_NOTICE, Consent.Purpose.CONTACT)
    ]
