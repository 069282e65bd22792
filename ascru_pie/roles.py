"""The five roles (Django groups) and the model permissions each one holds.

This is the one place that says what a role may do in the admin. `roles_sync` is run
by a data migration and again after every `migrate`, so permissions of models that
later migrations add are granted without another data migration.
"""

from fnmatch import fnmatch

from django.db import models


class Role(models.TextChoices):
    PIE_TEAM = "pie_team", "PIE team"
    ADVISOR = "advisor", "Public Advisor"
    RESEARCHER = "researcher", "Researcher"
    MANAGER = "manager", "Unit Manager"
    FINANCE = "finance", "Finance"


# Audit and delivery logs, history of changes and consent: nobody changes or deletes them,
# whatever else their role may do (consent and the logs only ever gain rows).
AUDIT_LOGS_READ_ONLY = [
    f"{app}.{action}_{model}"
    for app, model in [
        ("advisors", "applicationevent"),
        ("advisors", "consent"),
        ("advisors", "historical*"),
        ("payments", "claimevent"),
        ("payments", "bankdetailschange"),
        ("payments", "historical*"),
        ("projects", "planevent"),
        ("reminders", "delivery"),
    ]
    for action in ("change", "delete")
] + ["advisors.add_historical*", "payments.add_historical*"]

# Patterns are "app_label.codename" with shell wildcards; EXCLUDE wins over INCLUDE.
ROLE_PERMISSIONS: dict[str, dict[str, list[str]]] = {
    Role.PIE_TEAM: {
        "include": [
            "ascru_pie.view_user",
            "ascru_pie.add_user",
            "ascru_pie.change_user",
            "advisors.*",
            "rates.*",
            "projects.*",
            "meetings.*",
            "payments.*",
            "impacts.*",
            "reminders.*",
            "reports.*",
            # The advisors' library of guides and training (issue 14, helper H1).
            "homes.*",
            # Data protection (helper D1): erase an advisor or a declined applicant.
            "privacy.erase_person",
        ],
        # Individual equality answers are special-category data: only people who are
        # also given `edi_access` (or the permission directly) may see them.
        # Money is never deleted (corrections are new rows), nor are advisors (they leave).
        "exclude": [
            "advisors.*_equalitymonitoring",
            "advisors.view_equality",
            "advisors.delete_advisor",
            # Full bank details are for finance only.
            "advisors.view_bank_details",
            "payments.delete_*",
            "rates.delete_*",
            "ascru_pie.delete_*",
            *AUDIT_LOGS_READ_ONLY,
            # Changes to equality answers are as sensitive as the answers.
            "advisors.*_historicalequalitymonitoring",
            # Who saw sensitive data is for superusers only.
            "advisors.*_sensitivedataview",
        ],
    },
    Role.FINANCE: {
        "include": [
            "payments.*",
            "rates.*",
            "advisors.view_advisor",
            "advisors.view_bank_details",
        ],
        "exclude": ["payments.delete_*", "rates.delete_*", *AUDIT_LOGS_READ_ONLY],
    },
    Role.MANAGER: {
        "include": ["reports.*"],
        # The PIE team chooses the annual report's examples and narrative (issue 15, H8).
        "exclude": [
            "reports.add_reportexample",
            "reports.change_reportexample",
            "reports.delete_reportexample",
            "reports.add_standardnarrative",
            "reports.change_standardnarrative",
            "reports.delete_standardnarrative",
        ],
    },
    Role.ADVISOR: {"include": [], "exclude": []},
    Role.RESEARCHER: {"include": [], "exclude": []},
}

# Granted on top of a role to the few people who need individual equality answers.
EDI_ACCESS_GROUP = "edi_access"
EDI_ACCESS_PERMISSIONS = [
    "advisors.*_equalitymonitoring",
    "advisors.view_equality",
    "advisors.view_historicalequalitymonitoring",
]


def _matching(patterns: list[str], permissions) -> set:
    return {
        p
        for p in permissions
        if any(fnmatch(f"{p.content_type.app_label}.{p.codename}", pat) for pat in patterns)
    }


def roles_sync(*, group_model, permission_model) -> None:
    """Create every role group and set its permissions to exactly what the table says."""
    permissions = list(permission_model.objects.select_related("content_type"))
    for role, spec in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=str(role))
        wanted = _matching(spec["include"], permissions) - _matching(spec["exclude"], permissions)
        group.permissions.set(wanted)
    edi, _ = group_model.objects.get_or_create(name=EDI_ACCESS_GROUP)
    edi.permissions.set(_matching(EDI_ACCESS_PERMISSIONS, permissions))
