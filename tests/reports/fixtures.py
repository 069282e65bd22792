"""Report requests the access matrix points at."""

from django.core.files.base import ContentFile

from reports.models import ReportRequest


def _done_certificate(tc, advisor) -> ReportRequest:
    request = ReportRequest(
        kind="certificate",
        year=2026,
        advisor=advisor,
        requested_by=advisor.user,
        status=ReportRequest.Status.DONE,
    )
    request.file.save("certificate.pdf", ContentFile(b"%PDF-1.4 certificate"), save=False)
    request.save()
    return request


def alice_certificate(tc) -> dict:
    if not hasattr(tc, "_alice_certificate"):
        tc._alice_certificate = _done_certificate(tc, tc.alice)
    return {"pk": tc._alice_certificate.pk}


def bob_certificate(tc) -> dict:
    if not hasattr(tc, "_bob_certificate"):
        tc._bob_certificate = _done_certificate(tc, tc.bob)
    return {"pk": tc._bob_certificate.pk}


def failed_annual(tc) -> dict:
    request = ReportRequest.objects.create(
        kind="annual",
        year=2026,
        requested_by=tc.manager_mo,
        status=ReportRequest.Status.FAILED,
        error="ValueError: test",
    )
    return {"pk": request.pk}


def done_annual(tc) -> dict:
    if not hasattr(tc, "_done_annual"):
        request = ReportRequest(
            kind="annual", year=2026, requested_by=tc.manager_mo, status=ReportRequest.Status.DONE
        )
        request.file.save("annual.pdf", ContentFile(b"%PDF-1.4 annual"), save=False)
        request.save()
        tc._done_annual = request
    return {"pk": tc._done_annual.pk}


def alice_failed_certificate(tc) -> dict:
    request = ReportRequest.objects.create(
        kind="certificate",
        year=2026,
        advisor=tc.alice,
        requested_by=tc.advisor_alice,
        status=ReportRequest.Status.FAILED,
        error="ValueError: test",
    )
    return {"pk": request.pk}
