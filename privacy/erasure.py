"""Erasure (UK GDPR article 17): anonymise an advisor, or a declined applicant, in one go.

The register (privacy.register) says what happens to each field; this module does it. Rows
are not deleted wholesale (claims, payments and attendance are the unit's accounts and must
add up to the penny): personal fields are emptied or replaced by a pseudonym ("Advisor
7F3A"), rows that are only about the person are deleted, files are deleted once the
transaction has committed, the login is made unusable, and the change history
(django-simple-history) is scrubbed the same way. Values are changed with UPDATE, not
`save()`, so no new history row copies the values being erased.

Erasing twice is harmless: the ErasureRecord (one per person) is found and returned.
"""

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from advisors.models import Advisor, Application
from ascru_pie.models import User
from payments.models import BankDetailsChange, Claim

from .records import ErasureRecord
from .register import (
    Entry,
    Erasure,
    entries,
    is_historical,
    is_m2m_history,
    rows_for,
    rows_for_application,
)

logger = logging.getLogger(__name__)

# Claims still on their way to being paid: erasing the bank details would strand them.
IN_FLIGHT = [Claim.Status.SUBMITTED, Claim.Status.APPROVED, Claim.Status.IN_BATCH]
# Applications that did not go ahead, and so may be erased on their own.
NOT_GOING_AHEAD = [Application.Status.DECLINED, Application.Status.WITHDRAWN]
KEPT = (Erasure.KEEP, Erasure.KEEP_LINK, Erasure.SCRUB)


class ErasureBlocked(Exception):
    """Erasure cannot go ahead yet; the message says why in words the PIE team can act on."""


@dataclass(frozen=True)
class Pseudonym:
    """What an erased person is called from now on: "Advisor 7F3A" (kind and code)."""

    kind: str  # "Advisor" or "Applicant"
    code: str
    pk: int

    def __str__(self) -> str:
        return f"{self.kind} {self.code}"

    def value_for(self, field_name: str) -> str:
        if field_name == "first_name":
            return self.kind
        if field_name == "last_name":
            return self.code
        if field_name == "username":
            return f"erased-{self.kind.lower()}-{self.pk}"
        return str(self)


def pseudonym_for(kind: str, pk: int) -> Pseudonym:
    """The same pseudonym every time for the same person (a keyed hash of the id, so it
    says nothing about them), four characters unless another erased person has those."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{pk}".encode(), hashlib.sha256
    ).hexdigest()
    for length in (4, 6, 8, 64):
        candidate = Pseudonym(kind, digest[:length].upper(), pk)
        taken = ErasureRecord.objects.filter(pseudonym=str(candidate))
        if kind == "Advisor":
            taken = taken.exclude(advisor_id=pk)
        else:
            taken = taken.exclude(application_id=pk)
        if not taken.exists():
            return candidate
    return candidate


# --- the two public services ------------------------------------------------------------


def advisor_erase(
    advisor: Advisor,
    *,
    by: User | None,
    reason: str = ErasureRecord.Reason.REQUEST,
) -> ErasureRecord:
    """Anonymise an advisor everywhere the register says they are. One transaction.

    Refused while claims of theirs are waiting to be paid (pay or reject them first).
    """
    with transaction.atomic():
        # Lock the advisor: two clicks at once erase once.
        advisor = Advisor.objects.select_for_update().get(pk=advisor.pk)
        done = ErasureRecord.objects.filter(advisor=advisor).first()
        if done:
            return done
        waiting = Claim.objects.filter(advisor=advisor, status__in=IN_FLIGHT).count()
        if waiting:
            raise ErasureBlocked(
                f"{waiting} of their claims {'is' if waiting == 1 else 'are'} still waiting to "
                "be paid. Pay or reject them first, then erase."
            )
        # Bank details staff entered and nobody confirmed can never be used now.
        BankDetailsChange.objects.filter(
            advisor=advisor, status=BankDetailsChange.Status.PENDING
        ).update(status=BankDetailsChange.Status.CANCELLED)
        pseudonym = pseudonym_for("Advisor", advisor.pk)
        names = _names_of(advisor)
        eraser = _Eraser(pseudonym=pseudonym, names=names)
        for application in Application.objects.filter(advisor=advisor):
            eraser.erase_rows(rows_for_application(application))
        eraser.erase_rows(rows_for(advisor))
        # Every session of theirs ends for good (the session epoch goes up).
        User.objects.filter(advisor=advisor).deactivate()
        today = timezone.localdate()
        Advisor.objects.filter(pk=advisor.pk).update(
            status=Advisor.Status.LEFT,
            left_on=advisor.left_on or today,
            status_changed_on=advisor.status_changed_on
            if advisor.status == Advisor.Status.LEFT
            else today,
        )
        eraser.delete_files_after_commit()
        record = ErasureRecord.objects.create(
            advisor=advisor, pseudonym=str(pseudonym), by=by, reason=reason, counts=eraser.counts
        )
    logger.info("Erased advisor %s as %s: %s", advisor.pk, pseudonym, eraser.counts)
    return record


def application_erase(
    application: Application,
    *,
    by: User | None = None,
    reason: str = ErasureRecord.Reason.REQUEST,
) -> ErasureRecord:
    """Anonymise an application that did not go ahead (declined or withdrawn)."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        done = ErasureRecord.objects.filter(application=application).first()
        if done:
            return done
        if application.advisor_id:
            raise ErasureBlocked(
                "This applicant joined the register: erase them as an advisor instead."
            )
        if application.status not in NOT_GOING_AHEAD:
            raise ErasureBlocked(
                "Only a declined or withdrawn application can be erased: decide on it first."
            )
        pseudonym = pseudonym_for("Applicant", application.pk)
        eraser = _Eraser(pseudonym=pseudonym, names=_names_of(application))
        eraser.erase_rows(rows_for_application(application))
        eraser.delete_files_after_commit()
        record = ErasureRecord.objects.create(
            application=application,
            pseudonym=str(pseudonym),
            by=by,
            reason=reason,
            counts=eraser.counts,
        )
    logger.info("Erased application %s as %s: %s", application.pk, pseudonym, eraser.counts)
    return record


def erasure_consequences(advisor: Advisor) -> dict:
    """What erasing this advisor would do, for the confirm page (counts, nothing changed)."""
    counts: dict[str, int] = {}
    for entry, queryset in rows_for(advisor):
        if entry.fields and not all(e in KEPT for _, e in entry.fields.values()):
            model = entry.model_class
            name = (
                "earlier versions in the history of changes"
                if is_historical(model) or is_m2m_history(model)
                else str(model._meta.verbose_name_plural)
            )
            counts[name] = counts.get(name, 0) + queryset.count()
    return {
        "pseudonym": str(pseudonym_for("Advisor", advisor.pk)),
        "claims": Claim.objects.filter(advisor=advisor).count(),
        "waiting": Claim.objects.filter(advisor=advisor, status__in=IN_FLIGHT).count(),
        "rows": {name: n for name, n in counts.items() if n},
    }


# --- how each register entry is applied --------------------------------------------------


def _names_of(person) -> list[str]:
    """The strings that identify them in free text: full name, then email."""
    return [value for value in (person.full_name.strip(), person.email.strip()) if value]


class _Eraser:
    """Applies register entries to rows; collects files to delete and counts what changed."""

    def __init__(self, *, pseudonym: Pseudonym, names: list[str]) -> None:
        self.pseudonym = pseudonym
        self.names = names
        self.files: list[tuple] = []
        self.counts: dict[str, int] = {}

    def erase_rows(self, pairs) -> None:
        for entry, queryset in pairs:
            changed = self.erase(entry, queryset)
            if changed:
                self.counts[entry.model] = self.counts.get(entry.model, 0) + changed
        self._scrub_names()

    def erase(self, entry: Entry, queryset) -> int:
        model = entry.model_class
        rows = list(queryset)
        if not rows:
            return 0
        pks = [row.pk for row in rows]
        self._collect_files(entry, model, rows)
        if entry.deletes_row():
            model._base_manager.filter(pk__in=pks).delete()
            return len(rows)
        values = {}
        for name, (_category, erasure) in entry.fields.items():
            field = model._meta.get_field(name)
            if erasure in KEPT:
                continue
            if field.many_to_many:
                for row in rows:
                    getattr(row, name).clear()
                continue
            values[name] = self._erased_value(field, erasure)
        if values:
            model._base_manager.filter(pk__in=pks).update(**values)
        return len(rows)

    def _erased_value(self, field: models.Field, erasure: str):
        if erasure == Erasure.PSEUDONYM:
            return self.pseudonym.value_for(field.name)[: field.max_length or None]
        if erasure == Erasure.DEFAULT:
            return field.get_default()
        if erasure == Erasure.UNUSABLE:
            return False if isinstance(field, models.BooleanField) else make_password(None)
        # EMPTY, DELETE_FILE: nothing left in the field.
        if field.null:
            return None
        if isinstance(field, models.JSONField):
            return field.get_default() if field.has_default() else {}
        return ""

    def _collect_files(self, entry: Entry, model, rows) -> None:
        """Files named by DELETE_FILE fields (or any file of a row being deleted)."""
        names = [
            name
            for name, (_category, erasure) in entry.fields.items()
            if erasure == Erasure.DELETE_FILE
            or (entry.deletes_row() and isinstance(model._meta.get_field(name), models.FileField))
        ]
        for row in rows:
            for name in names:
                stored = getattr(row, name)
                if stored and hasattr(stored, "storage"):
                    self.files.append((stored.storage, stored.name))

    def _scrub_names(self) -> None:
        """Their name or email in free text (any row, theirs or not) becomes the pseudonym."""
        if not self.names:
            return
        pattern = re.compile("|".join(re.escape(name) for name in self.names), re.IGNORECASE)
        for entry in entries():
            for name, (_category, erasure) in entry.fields.items():
                if erasure != Erasure.SCRUB:
                    continue
                model = entry.model_class
                mentions = Q()
                for text in self.names:
                    mentions |= Q(**{f"{name}__icontains": text})
                for pk, text in model._base_manager.filter(mentions).values_list("pk", name):
                    model._base_manager.filter(pk=pk).update(
                        **{name: pattern.sub(str(self.pseudonym), text)}
                    )
                    self.counts[f"{entry.model}.{name}"] = (
                        self.counts.get(f"{entry.model}.{name}", 0) + 1
                    )

    def delete_files_after_commit(self) -> None:
        """Files go only once the database changes are safe (a rollback keeps them)."""
        files = list(dict.fromkeys(self.files))
        if files:
            self.counts["files"] = len(files)

        def delete() -> None:
            for storage, name in files:
                storage.delete(name)

        transaction.on_commit(delete)
