"""Bank details: encrypted, only the last digits readable, every change recorded and emailed;
staff-entered details wait for the advisor or a second member of staff."""

import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from advisors.models import Advisor
from ascru_pie.lib.crypto import encrypt
from ascru_pie.lib.emails import make_message
from ascru_pie.models import User
from ascru_pie.roles import Role
from ascru_pie.templatetags.words import pounds_text

from ..models import MAX_ANNUAL_LIMIT, BankDetails, BankDetailsChange

USED_ELSEWHERE = "This form has already been used. Go back and start again."


def _lock_advisor(advisor: Advisor) -> Advisor:
    """Lock the advisor's row: changes to one advisor's payment details happen one at a time,
    so a form sent twice at once finds the first sending's change when its turn comes."""
    return Advisor.objects.select_for_update().get(pk=advisor.pk)


def _already_saved(submission_key: uuid.UUID | None, advisor: Advisor) -> bool:
    if submission_key is None:
        return False
    change = BankDetailsChange.objects.filter(submission_key=submission_key).first()
    if change is not None and change.advisor_id != advisor.pk:
        raise ValidationError(USED_ELSEWHERE)
    return change is not None


def _entered_by_the_advisor(advisor: Advisor, by: User | None) -> bool:
    """The advisor's own change (or the system's, with nobody signed in) is used at once."""
    return by is None or (advisor.user_id is not None and by.pk == advisor.user_id)


def _apply(
    advisor: Advisor,
    *,
    account_name: str,
    sort_code_encrypted: str,
    account_number_encrypted: str,
    last4: str,
) -> tuple[BankDetails, str]:
    """Write the details payments use; returns them and the last digits they replace."""
    old = BankDetails.objects.select_for_update().filter(advisor=advisor).first()
    details, _ = BankDetails.objects.update_or_create(
        advisor=advisor,
        defaults={
            "account_name": account_name,
            "sort_code_encrypted": sort_code_encrypted,
            "account_number_encrypted": account_number_encrypted,
            "account_number_last4": last4,
        },
    )
    return details, old.account_number_last4 if old else ""


def _tell_the_advisor(advisor: Advisor, name: str, ctx: dict) -> None:
    """Email the advisor at the address on the register (never the full numbers)."""
    if advisor.email:
        message = make_message(name, advisor.email, {"advisor": advisor, **ctx})
        transaction.on_commit(message.send)


def bank_details_set(
    *,
    advisor: Advisor,
    account_name: str,
    sort_code: str,
    account_number: str,
    by: User | None = None,
    submission_key: uuid.UUID | None = None,
) -> BankDetailsChange:
    """Store bank details encrypted; only the last four digits are kept readable.

    Every change is recorded (BankDetailsChange) and the advisor is emailed, so a change they
    did not make is noticed before money goes to the wrong account. Details the advisor enters
    are used at once; details staff enter for them wait, pending, until the advisor or another
    member of staff confirms them (`bank_details_change_confirm`), and replace any earlier
    pending change. The same form sent again (`submission_key`) writes nothing and sends nothing.
    """
    sort_code = "".join(c for c in sort_code if c.isdigit())
    account_number = "".join(c for c in account_number if c.isdigit())
    if len(sort_code) != 6:
        raise ValidationError("A sort code has 6 digits, like 12-34-56.")
    if len(account_number) != 8:
        raise ValidationError("An account number has 8 digits.")
    values = {
        "account_name": account_name.strip(),
        "sort_code_encrypted": encrypt(sort_code),
        "account_number_encrypted": encrypt(account_number),
    }
    last4 = account_number[-4:]
    with transaction.atomic():
        _lock_advisor(advisor)
        if _already_saved(submission_key, advisor):
            return BankDetailsChange.objects.get(submission_key=submission_key)
        current = BankDetails.objects.filter(advisor=advisor).first()
        immediate = _entered_by_the_advisor(advisor, by)
        if immediate:
            details, old_last4 = _apply(advisor, last4=last4, **values)
            change_fields = {"status": BankDetailsChange.Status.APPLIED}
        else:
            old_last4 = current.account_number_last4 if current else ""
            change_fields = {"status": BankDetailsChange.Status.PENDING, **values}
        advisor.bank_details_changes.filter(status=BankDetailsChange.Status.PENDING).update(
            status=BankDetailsChange.Status.CANCELLED,
            account_name="",
            sort_code_encrypted="",
            account_number_encrypted="",
        )
        try:
            with transaction.atomic():
                change = BankDetailsChange.objects.create(
                    advisor=advisor,
                    by=by,
                    old_last4=old_last4,
                    new_last4=last4,
                    submission_key=submission_key,
                    **change_fields,
                )
        except IntegrityError:
            # The key was used at the same moment for another advisor (the advisor lock
            # serialises sendings for this one): refuse rather than fail.
            raise ValidationError(USED_ELSEWHERE) from None
        if immediate:
            _tell_the_advisor(advisor, "bank-details-changed", {"details": details})
        else:
            _tell_the_advisor(advisor, "bank-details-pending", {"change": change})
    return change


def bank_details_change_confirm(*, change: BankDetailsChange, by: User) -> BankDetailsChange:
    """Use bank details staff entered, once the advisor or a second member of staff confirms.

    Whoever entered them cannot confirm them. Confirming again does nothing. The advisor is
    emailed that the new account is now in use.
    """
    with transaction.atomic():
        advisor = _lock_advisor(change.advisor)
        change = BankDetailsChange.objects.select_for_update().get(pk=change.pk)
        if change.status == BankDetailsChange.Status.APPLIED:
            return change
        if not change.is_pending:
            raise ValidationError(
                "Newer bank details have been entered since these: confirm those instead."
            )
        is_advisor = advisor.user_id is not None and by.pk == advisor.user_id
        if not is_advisor and not by.has_role(Role.PIE_TEAM, Role.FINANCE):
            raise PermissionDenied("Only the advisor or the PIE team and finance can confirm.")
        if change.by_id == by.pk:
            raise ValidationError(
                "You entered these bank details, so someone else must confirm them: the "
                "advisor, or a colleague who has checked them with the advisor."
            )
        details, _ = _apply(
            advisor,
            account_name=change.account_name,
            sort_code_encrypted=change.sort_code_encrypted,
            account_number_encrypted=change.account_number_encrypted,
            last4=change.new_last4,
        )
        change.status = BankDetailsChange.Status.APPLIED
        change.confirmed_by = by
        change.confirmed_at = timezone.now()
        change.account_name = change.sort_code_encrypted = change.account_number_encrypted = ""
        change.save()
        _tell_the_advisor(advisor, "bank-details-changed", {"details": details})
    return change


def payment_preferences_set(
    *,
    advisor: Advisor,
    by: User,
    payment_preference: str,
    annual_limit: Decimal | None,
    bank_details: dict | None = None,
    submission_key: uuid.UUID | None = None,
) -> Advisor:
    """How the advisor is paid, their own annual limit and (if given) new bank details.

    All or nothing: bad bank details leave the preferences as they were. Preferences that are
    already as asked are not written again, and bank details from a form already saved
    (`submission_key`) are not saved, recorded or emailed again.
    """
    if annual_limit is not None and not 0 <= annual_limit <= MAX_ANNUAL_LIMIT:
        raise ValidationError(
            f"Enter a limit between £0 and {pounds_text(MAX_ANNUAL_LIMIT)}, or leave it empty."
        )
    with transaction.atomic():
        now = _lock_advisor(advisor)
        if (now.payment_preference, now.annual_limit) != (payment_preference, annual_limit):
            advisor.payment_preference = payment_preference
            advisor.annual_limit = annual_limit
            changed = ["payment_preference", "annual_limit"]
            advisor.clean_fields(
                exclude=[f.name for f in Advisor._meta.fields if f.name not in changed]
            )
            advisor.save(update_fields=["payment_preference", "annual_limit", "updated_at"])
        if bank_details is not None:
            bank_details_set(advisor=advisor, by=by, submission_key=submission_key, **bank_details)
    return advisor
