"""Audit of advisors' personal data: who changed what, and who saw what.

Changes: every model holding an advisor's personal data keeps its history with
django-simple-history (`history = HistoricalRecords()`), one mechanism for all of them.
`HistoryRequestMiddleware` records who made a change from any page (the portal and the
admin alike); each history row holds the whole record as it was, so old → new is the diff
of two rows. The models register here (`audited_register`), and `advisor_history` gathers
their changes for one advisor, readable, for the advisor's "History" page in the admin.

Bulk updates: `QuerySet.update()` and `bulk_create`/`bulk_update` send no signals, so
simple-history cannot see them. Our code therefore writes these models one row at a time
(`save()`) or with simple-history's `bulk_create_with_history` / `bulk_update_with_history`;
`tests/advisors/test_audit_history.py` greps the code for a plain bulk write on them. The one
exception is erasure (privacy/erasure.py), which updates with UPDATE on purpose and scrubs
the history rows itself, so that no new history row copies the values it erases.

Views: `sensitive_view_log` records each time an individual's equality answers or full bank
details are shown (admin pages, history, the finance export); only superusers see the log.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models import Q
from django.utils.text import capfirst

from .models import Advisor, Application, Consent, EqualityMonitoring, SensitiveDataView

# How a value that must never be shown (encrypted bank details) appears in a change.
HIDDEN = "(hidden)"
EMPTY = "—"


@dataclass(frozen=True)
class AuditedModel:
    """A model whose history appears on an advisor's history page."""

    model: type[models.Model]
    label: str
    # The history rows' field holding the advisor's id ("id" for the Advisor itself).
    advisor_field: str
    # Who may see this model's history (a permission; the page itself needs
    # advisors.view_historicaladvisor).
    permission: str
    # Fields whose values are never shown, only that they changed.
    hidden_fields: frozenset[str] = frozenset()
    # Seeing this history shows special-category or bank data: log the view.
    sensitive: str = ""
    # Clearer names for fields than their verbose names, on the history page.
    labels: dict[str, str] = field(default_factory=dict)

    def label_of(self, name: str) -> str:
        return self.labels.get(name) or capfirst(self.model._meta.get_field(name).verbose_name)


AUDITED: list[AuditedModel] = []


def audited_register(
    model: type[models.Model],
    *,
    label: str,
    advisor_field: str = "advisor",
    permission: str,
    hidden_fields: Iterable[str] = (),
    sensitive: str = "",
    labels: dict[str, str] | None = None,
) -> None:
    """Show `model`'s history (it must have `history = HistoricalRecords()`) per advisor.

    Apps above advisors (payments' bank details) register their own models here.
    """
    AUDITED.append(
        AuditedModel(
            model,
            label,
            advisor_field,
            permission,
            frozenset(hidden_fields),
            sensitive,
            labels or {},
        )
    )


audited_register(
    Advisor,
    label="Profile, contact, support and preferences",
    advisor_field="id",
    permission="advisors.view_historicaladvisor",
)
audited_register(Application, label="Application", permission="advisors.view_historicalapplication")
audited_register(
    EqualityMonitoring,
    label="Equality answers",
    permission="advisors.view_equality",
    sensitive=SensitiveDataView.What.EQUALITY,
)
audited_register(Consent, label="Consent", permission="advisors.view_consent")


@dataclass
class HistoryEntry:
    at: datetime
    by: AbstractBaseUser | None
    record: str
    action: str
    # (field label, old value, new value), in the model's field order.
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _shown(model_field, value, hidden: bool) -> str:
    if hidden:
        return HIDDEN
    if value is None or value == "":
        return EMPTY
    if isinstance(value, list):
        # Many-to-many rows ({"advisor": …, "topic": …}): name the related objects.
        target = model_field.m2m_reverse_field_name()
        return ", ".join(str(row[target]) for row in value) or EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def _changes(audited: AuditedModel, new, old) -> list[tuple[str, str, str]]:
    """(label, old, new) for each field that differs between two history rows."""
    delta = new.diff_against(old, foreign_keys_are_objs=True)
    order = {f.name: i for i, f in enumerate(audited.model._meta.get_fields())}
    rows = []
    for change in sorted(delta.changes, key=lambda c: order.get(c.field, 0)):
        model_field = audited.model._meta.get_field(change.field)
        hidden = change.field in audited.hidden_fields
        rows.append(
            (
                audited.label_of(change.field),
                _shown(model_field, change.old, hidden),
                _shown(model_field, change.new, hidden),
            )
        )
    return rows


def _created(audited: AuditedModel, row) -> list[tuple[str, str, str]]:
    """(label, —, value) for each field a new record was given a value in."""
    rows = []
    for model_field in audited.model._meta.concrete_fields:
        if not model_field.editable or model_field.primary_key:
            continue
        if model_field.name not in {f.name for f in row.tracked_fields}:
            continue
        value = getattr(row, model_field.name, None)
        if value in (None, "") or (
            isinstance(value, bool) and model_field.has_default() and value == model_field.default
        ):
            continue
        hidden = model_field.name in audited.hidden_fields
        rows.append((audited.label_of(model_field.name), EMPTY, _shown(model_field, value, hidden)))
    return rows


ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _entries(audited: AuditedModel, advisor: Advisor) -> list[HistoryEntry]:
    history = audited.model.history
    if audited.advisor_field == "id":
        ids = [advisor.pk]
    else:
        # Rows written before the record was linked to the advisor (an applicant's
        # equality answers) belong to them too.
        ids = list(
            audited.model.objects.filter(**{audited.advisor_field: advisor}).values_list(
                "pk", flat=True
            )
        )
    rows = (
        history.filter(Q(id__in=ids) | Q(**{f"{audited.advisor_field}": advisor.pk}))
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    entries, previous = [], None
    for row in rows:
        same = previous is not None and previous.id == row.id
        if row.history_type == "+":
            changes = _created(audited, row)
        elif same and row.history_type == "~":
            changes = _changes(audited, row, previous)
        else:
            changes = []
        # A save that changed nothing we keep (e.g. a form sent unchanged) is not news.
        if row.history_type != "~" or changes:
            entries.append(
                HistoryEntry(
                    at=row.history_date,
                    by=row.history_user,
                    record=audited.label,
                    action=ACTIONS[row.history_type],
                    changes=changes,
                )
            )
        previous = row
    return entries


def advisor_history(*, advisor: Advisor, viewer, where: str) -> list[HistoryEntry]:
    """Every recorded change to `advisor`'s personal data that `viewer` may see, newest first.

    Each model's history is shown only with its permission; encrypted values never. If
    equality answers are shown, the view is logged (sensitive_view_log).
    """
    entries = []
    for audited in AUDITED:
        if not viewer.has_perm(audited.permission):
            continue
        found = _entries(audited, advisor)
        if found and audited.sensitive:
            sensitive_view_log(
                viewer=viewer, what=audited.sensitive, where=where, advisors=[advisor]
            )
        entries.extend(found)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def sensitive_view_log(
    *,
    viewer,
    what: str,
    where: str,
    advisors: Iterable[Advisor] = (),
    applications: Iterable[Application] = (),
) -> list[SensitiveDataView]:
    """Record that `viewer` saw these people's `what` (equality answers, bank details) `where`.

    One row per person, written together (bulk_create: an export of a whole batch is one
    query). Call it wherever the values are shown in full, never for aggregates.
    """
    where = where[: SensitiveDataView._meta.get_field("where").max_length]
    rows = [
        SensitiveDataView(viewer=viewer, what=what, where=where, advisor=a)
        for a in dict.fromkeys(advisors)
    ] + [
        SensitiveDataView(
            viewer=viewer, what=what, where=where, application=a, advisor_id=a.advisor_id
        )
        for a in dict.fromkeys(applications)
    ]
    return SensitiveDataView.objects.bulk_create(rows)
