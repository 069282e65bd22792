"""Existing advisors' first consent rows, and a first history row for each audited record.

Consent: an advisor who joined through an application gave consent on it (the privacy
notice and to be contacted), with the notice version and time it records. Advisors with no
application (imported, or added by staff) get no row: no consent row means not withdrawn.

History: one "+" row per existing record, so the first change after this shows old → new.
"""

from django.db import migrations
from django.utils import timezone

BASELINE_REASON = "Record as it was when history began"


def consent_from_applications(apps, schema_editor):
    Application = apps.get_model("advisors", "Application")
    Consent = apps.get_model("advisors", "Consent")
    rows = []
    for application in Application.objects.filter(advisor__isnull=False).order_by("pk"):
        for purpose in ("privacy_notice", "contact"):
            if Consent.objects.filter(advisor_id=application.advisor_id, purpose=purpose).exists():
                continue
            rows.append(
                Consent(
                    advisor_id=application.advisor_id,
                    purpose=purpose,
                    given=True,
                    privacy_notice_version=application.privacy_notice_version,
                    at=application.consented_at,
                    method="application",
                    note="From the application form (recorded when consent records began)",
                )
            )
    # Consent.save() refuses updates, not inserts; the historical model's save is not ours.
    Consent.objects.bulk_create(rows)
    HistoricalConsent = apps.get_model("advisors", "HistoricalConsent")
    _baseline(Consent.objects.filter(pk__in=[r.pk for r in rows if r.pk]), HistoricalConsent)


def _baseline(queryset, historical_model, m2m=()):
    now = timezone.now()
    names = {f.attname for f in historical_model._meta.concrete_fields}
    for obj in queryset.iterator():
        values = {
            f.attname: getattr(obj, f.attname)
            for f in obj._meta.concrete_fields
            if f.attname in names
        }
        record = historical_model.objects.create(
            **values,
            history_date=now,
            history_type="+",
            history_change_reason=BASELINE_REASON,
        )
        for field_name, historical_through, target in m2m:
            through = getattr(type(obj), field_name).through
            historical_through.objects.bulk_create(
                [
                    historical_through(
                        id=row.pk,
                        history=record,
                        advisor_id=obj.pk,
                        **{f"{target}_id": getattr(row, f"{target}_id")},
                    )
                    for row in through.objects.filter(advisor_id=obj.pk)
                ]
            )


def history_baseline(apps, schema_editor):
    model = apps.get_model
    _baseline(
        model("advisors", "Advisor").objects.all(),
        model("advisors", "HistoricalAdvisor"),
        m2m=[
            (
                "lived_experience",
                model("advisors", "HistoricalAdvisor_lived_experience"),
                "livedexperience",
            ),
            ("topics", model("advisors", "HistoricalAdvisor_topics"), "topic"),
        ],
    )
    _baseline(
        model("advisors", "Application").objects.all(),
        model("advisors", "HistoricalApplication"),
    )
    _baseline(
        model("advisors", "EqualityMonitoring").objects.all(),
        model("advisors", "HistoricalEqualityMonitoring"),
    )


class Migration(migrations.Migration):
    dependencies = [("advisors", "0006_audit_history_consent_views")]

    operations = [
        migrations.RunPython(history_baseline, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(consent_from_applications, migrations.RunPython.noop, elidable=True),
    ]
