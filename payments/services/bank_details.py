"""Bank details: encrypted, only the last digits readable, every change recorded and emailed."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from advisors.models import Advisor
from ascru_pie.lib.crypto import encrypt
from ascru_pie.lib.emails import make_message
from ascru_pie.models import User

from ..models import (
    BankDetails,
    BankDetailsChange,
)


def bank_details_set(
    *,
    advisor: Advisor,
    account_name: str,
    sort_code: str,
    account_number: str,
    by: User | None = None,
) -> BankDetails:
    """Store bank details encrypted; only the last four digits are kept readable.

    Every change is recorded (BankDetailsChange) and the advisor is emailed, so a change they
    did not make is noticed before money goes to the wrong account.
    """
    sort_code = "".join(c for c in sort_code if c.isdigit())
    account_number = "".join(c for c in account_number if c.isdigit())
    if len(sort_code) != 6:
        raise ValidationError("A sort code has 6 digits, like 12-34-56.")
    if len(account_number) != 8:
        raise ValidationError("An account number has 8 digits.")
    with transaction.atomic():
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
        BankDetailsChange.objects.create(
            advisor=advisor,
            by=by,
            old_last4=old.account_number_last4 if old else "",
            new_last4=account_number[-4:],
        )
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
) -> Advisor:
    """How the advisor is paid, their own annual limit and (if given) new bank details.

    All or nothing: bad bank details leave the preferences as they were.
    """
    with transaction.atomic():
        advisor.payment_preference = payment_preference
        advisor.annual_limit = annual_limit
        changed = ["payment_preference", "annual_limit"]
        advisor.clean_fields(
            exclude=[f.name for f in Advisor._meta.fields if f.name not in changed]
        )
        advisor.save(update_fields=["payment_preference", "annual_limit", "updated_at"])
        if bank_details is not None:
            bank_details_set(advisor=advisor, by=by, **bank_details)
    return advisor
