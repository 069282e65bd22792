from django.urls import path

from .views import attendance, bank_details, batches, budgets, claims, portal

app_name = "payments"

urlpatterns = [
    # Advisor portal
    path("portal/payments/", portal.claim_list, name="portal"),
    path("portal/payments/expenses/new/", portal.expense_new, name="portal-expense"),
    path("portal/payments/time/new/", portal.time_new, name="portal-time"),
    path("portal/payments/preferences/", portal.preferences, name="portal-preferences"),
    path("portal/payments/statement/<int:year>/", portal.statement, name="portal-statement"),
    path(
        "portal/payments/bank-details/<int:pk>/confirm/",
        bank_details.portal_bank_confirm,
        name="portal-bank-confirm",
    ),
    # Receipts: the advisor who claimed, the PIE team and finance
    path("payments/receipts/<int:pk>/", portal.receipt_download, name="receipt"),
    # Staff: attendance after a meeting, which pays for it (PIE team)
    path("staff/meetings/<int:pk>/attendance/", attendance.attendance_record, name="attendance"),
    # Staff pages (PIE team and finance)
    path("staff/payments/", claims.claim_queue, name="claims"),
    path("staff/payments/claims/<int:pk>/", claims.claim_detail, name="claim"),
    path("staff/payments/claims/new/", claims.claim_new, name="claim-new"),
    path("staff/payments/claims/<int:pk>/unbatch/", claims.claim_unbatch, name="claim-unbatch"),
    path("staff/payments/batches/", batches.batch_list, name="batches"),
    path("staff/payments/batches/<int:pk>/", batches.batch_detail, name="batch"),
    path("staff/payments/batches/<int:pk>/export/", batches.batch_export, name="batch-export"),
    path("staff/payments/paid-import/", batches.paid_import, name="paid-import"),
    path("staff/payments/budgets/", budgets.budgets, name="budgets"),
    path("staff/payments/budgets/central/", budgets.central_budgets_edit, name="central-budgets"),
    # Bank details entered by staff wait for the advisor or a second member of staff
    path(
        "staff/payments/advisors/<int:pk>/bank-details/",
        bank_details.bank_details_staff,
        name="bank-details",
    ),
    path(
        "staff/payments/bank-details/<int:pk>/confirm/",
        bank_details.bank_details_confirm,
        name="bank-details-confirm",
    ),
]
