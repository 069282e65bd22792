"""Impacts the access matrix points at: one Alice contributed to, one Bob did."""

import datetime

from django.utils import timezone

from impacts.models import ImpactRecord, Survey
from tests.projects.fixtures import rita_project


def _impact(tc, advisor) -> ImpactRecord:
    impact = ImpactRecord.objects.create(
        project_id=rita_project(tc)["pk"],
        stage="design",
        category="tools",
        what_changed="Questions reworded",
        recorded_by=tc.researcher_rita,
        recorded_on=datetime.date(2026, 6, 1),
    )
    impact.contributors.add(advisor)
    return impact


def alice_impact(tc) -> dict:
    if not hasattr(tc, "_alice_impact"):
        tc._alice_impact = _impact(tc, tc.alice)
    return {"pk": tc._alice_impact.pk}


def bob_impact(tc) -> dict:
    if not hasattr(tc, "_bob_impact"):
        tc._bob_impact = _impact(tc, tc.bob)
    return {"pk": tc._bob_impact.pk}


def open_survey(tc) -> dict:
    if not hasattr(tc, "_survey"):
        today = timezone.localdate()
        tc._survey = Survey.objects.create(
            title="Annual survey",
            kind="annual",
            opens_on=today - datetime.timedelta(days=1),
            closes_on=today + datetime.timedelta(days=30),
        )
    return {"pk": tc._survey.pk}


def impact_with_evidence(tc, project_pk: int) -> int:
    from django.core.files.base import ContentFile

    impact = ImpactRecord(
        project_id=project_pk,
        stage="design",
        category="tools",
        what_changed="Reworded",
        recorded_by=tc.staff_sam,
        recorded_on=datetime.date(2026, 6, 1),
    )
    impact.evidence_file.save("minutes.pdf", ContentFile(b"%PDF-1.4 minutes"), save=False)
    impact.save()
    return impact.pk
