"""Bank details: encrypted, only the last digits readable, every change recorded and emailed."""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from advisors.models import Advisor
from ascru_pie.lib.crypto import encrypt
from ascru_pie.lib.emails import make_message
from ascru_pie.models import User
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


def bank_details_set(
    *,
    advisor: Advisor,
    account_name: str,
    sort_code: str,
    account_number: str,
    by: User | None = None,
    submission_key: uuid.UUID | None = None,
) -> BankDetails:
    """Store bank details encrypted; only the last four digits are kept readable.

    Every change is recorded (BankDetailsChange) and the advisor is emailed, so a change they
    did not make is noticed before money goes to the wrong account. The same form sent again
    (`submission_key`) writes nothing and sends nothing.
    """
    sort_code = "".join(c for c in sort_code if c.isdigit())
    account_number = "".join(c for c in account_number if c.isdigit())
    if len(sort_code) != 6:
        raise ValidationError("A sort code has 6 digits, like 12-34-56.")
    if len(account_number) != 8:
        raise ValidationError("An account number has 8 digits.")
    with transaction.atomic():
        _lock_advisor(advisor)
        if _already_saved(submission_key, advisor):
            return BankDetails.objects.get(advisor=advisor)
        old = BankDetails.objects.select_for_update().filter(advisor=advisor).first()
        details, _ = BankDetails.objects.update_or_create(
            advisor=advisor,
            defaults={
                "account_name": account_name.strip(),
                "sort_code_encrypted": encrypt(sort_code),
                "account_number_encrypted": encrypt(account_number),
                "account_number_last4": account_number[-4:],
            },
        )
        try:
            with transaction.atomic():
                BankDetailsChange.objects.create(
                    advisor=advisor,
                    by=by,
                    old_last4=old.account_number_last4 if old else "",
                    new_last4=account_number[-4:],
                    submission_key=submission_key,
                )
        except IntegrityError:
            # The key was used at the same moment for another advisor (the advisor lock
            # serialises sendings for this one): refuse rather than fail.
            raise ValidationError(USED_ELSEWHERE) from None
        if advisor.email:
            message = make_message(
                "bank-details-changed", advisor.email, {"advisor": advisor, "details": details}
            )
            transaction.on_commit(message.send)
    return details


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
