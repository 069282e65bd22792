"""Money services, by sub-domain. Import from here: `from payments import services`.

claims        time claims from attendance, the claim state machine, advisors' own claims
limits        the advisor's own annual limit, one check for every kind of claim
bank_details  encrypted bank details, every change recorded and emailed; staff entries confirmed
batches       payment batches, the finance export and finance's "paid" file
budgets       central budgets per financial year (PIE team)
pending_receipts  a receipt kept while the advisor decides after a warning
attendance    attendance confirmed and paid for in one step (meetings → payments)
Reads that pages and other apps share are in payments.selectors.
"""

from .attendance import attendance_confirm_and_pay
from .bank_details import (
    bank_details_change_confirm,
    bank_details_set,
    payment_preferences_set,
)
from .batches import (
    batch_approve,
    batch_build,
    batch_export,
    batch_mark_paid,
    claim_unbatch,
    finance_paid_apply,
    paid_file_preview,
)
from .budgets import central_budgets_set
from .claims import (
    ClaimOutcome,
    LimitNotConfirmed,
    claim_approve,
    claim_cancel,
    claim_expense_submit,
    claim_reject,
    claim_reverse,
    claim_sync_for_attendance,
    claim_time_log,
    claims_approve,
    claims_sync_for_meeting,
    expense_date,
    receipt_check,
)
from .limits import (
    YearTotals,
    advisor_tax_year_total,
    advisor_year_totals,
    annual_limit_warning,
    annual_limit_warnings,
    limit_counts_words,
)
from .pending_receipts import (
    pending_receipt_discard,
    pending_receipt_keep,
    pending_receipt_name,
    pending_receipt_open,
    pending_receipts_sweep,
)

__all__ = [
    "ClaimOutcome",
    "LimitNotConfirmed",
    "YearTotals",
    "advisor_tax_year_total",
    "advisor_year_totals",
    "annual_limit_warning",
    "annual_limit_warnings",
    "attendance_confirm_and_pay",
    "bank_details_change_confirm",
    "bank_details_set",
    "central_budgets_set",
    "batch_approve",
    "batch_build",
    "batch_export",
    "batch_mark_paid",
    "claim_approve",
    "claim_cancel",
    "claim_expense_submit",
    "claim_reject",
    "claim_reverse",
    "claim_sync_for_attendance",
    "claim_time_log",
    "claim_unbatch",
    "claims_approve",
    "claims_sync_for_meeting",
    "expense_date",
    "finance_paid_apply",
    "limit_counts_words",
    "paid_file_preview",
    "pending_receipt_discard",
    "pending_receipt_keep",
    "pending_receipt_name",
    "pending_receipt_open",
    "pending_receipts_sweep",
    "payment_preferences_set",
    "receipt_check",
]
