"""How a report request is said: to the PIE team and manager, or (portal) to the advisor.

Used by the request list (through `{% load reports_words %}`) and by the views' messages.
"""

from ascru_pie.templatetags.words import day_text

from .figures import Period
from .forms import tax_year_label
from .models import ReportRequest

Kind, Status = ReportRequest.Kind, ReportRequest.Status

# What advisors call their two documents.
PORTAL_KIND_WORDS = {
    Kind.STATEMENT: "Statement of payments",
    Kind.CERTIFICATE: "Certificate of involvement",
}
ADVISOR_FAILED_WORDS = (
    "Failed: something went wrong while making it. Please try again. "
    "If it fails again, please contact the Involvement Coordinator."
)


def worker_lost_words(attempts: int) -> str:
    """The reason a request failed when every worker making it died (services.report_requests_sweep)."""
    return (
        f"The worker making it stopped before it finished, {attempts} times (it may have run "
        "out of memory). Please try again later."
    )


def report_kind_words(report: ReportRequest, *, portal: bool) -> str:
    return (PORTAL_KIND_WORDS.get(report.kind) if portal else None) or report.get_kind_display()


def report_about_words(report: ReportRequest, *, portal: bool) -> str:
    """What the report covers: the year, the project or the advisor."""
    if report.kind == Kind.ANNUAL:
        return Period.of(report.year, report.period_kind).label if report.year else ""
    if report.kind == Kind.PROJECT:
        return report.project.title if report.project else ""
    if report.kind == Kind.STATEMENT:
        years = f"Tax year {tax_year_label(report.year)}" if report.year else ""
        return years if portal else f"{report.advisor.full_name}: {years}"
    if report.kind == Kind.CERTIFICATE:
        upto = f"Your involvement up to {day_text(report.created_at)}"
        return upto if portal else report.advisor.full_name
    return report.advisor.full_name if report.advisor else ""


def report_status_words(report: ReportRequest, *, portal: bool) -> str:
    if report.status == Status.QUEUED:
        return "Queued: it will be made in a moment"
    if report.status == Status.RUNNING:
        return "Being made"
    if report.status == Status.DONE:
        return "Ready"
    # The technical reason helps the PIE team; an advisor gets plain words instead.
    if portal:
        return ADVISOR_FAILED_WORDS
    return f"Failed: {report.error}" if report.error else "Failed"
