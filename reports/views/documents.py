"""Advisors' own documents (statements, certificates) and the PIE team's reference letters
and certificates."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from advisors.access import get_advisor_for_user
from advisors.models import Advisor
from ascru_pie.access import role_required
from ascru_pie.lib.dates import tax_year
from ascru_pie.lib.paging import page_of
from ascru_pie.roles import Role
from meetings.models import Attendance

from .. import services
from ..access import (
    ADVISOR_KINDS,
)
from ..figures import PRESENT
from ..forms import (
    ReferenceLetterForm,
    StatementForm,
    tax_year_label,
)
from ..models import ReportRequest
from .requests import Kind, _list_context, _list_partial, _request_rows

# --- Advisors' own documents ---------------------------------------------------------------------


@role_required(Role.ADVISOR)
def portal_documents(request: HttpRequest) -> HttpResponse:
    """Ask for a statement of payments or a certificate of involvement, and download them."""
    advisor = get_advisor_for_user(request)
    mine = ReportRequest.objects.filter(advisor=advisor, kind__in=ADVISOR_KINDS)
    poll_url = reverse("reports:portal")
    if request.GET.get("partial"):
        rows = _request_rows(mine, user=request.user, portal=True)
        return _list_partial(request, _list_context(rows, poll_url=poll_url, portal=True))

    today = timezone.localdate()
    document = request.POST.get("document") if request.method == "POST" else None
    form = StatementForm(
        request.POST if document == Kind.STATEMENT else None, tax_year_start=tax_year(today)[0].year
    )
    kind = year = None
    if document == Kind.CERTIFICATE:
        kind = Kind.CERTIFICATE
    elif document == Kind.STATEMENT and form.is_valid():
        kind, year = Kind.STATEMENT, form.cleaned_data["year"]
    if kind:
        try:
            services.report_request(kind=kind, by=request.user, advisor=advisor, year=year)
        except ValidationError as exc:
            no_involvement = any(e.code == "no_involvement" for e in exc.error_list)
            messages.error(
                request,
                "We cannot make a certificate of involvement for you yet: our records show no "
                "meetings that you have taken part in. Once you have, you can ask for one here."
                if no_involvement
                else " ".join(exc.messages),
            )
        else:
            what = f"statement for {tax_year_label(year)}" if year else "certificate of involvement"
            messages.success(
                request,
                f"Thank you. We are making your {what}. It usually takes less than a minute. "
                "When it is ready, a link to download it appears in the list below.",
            )
        return redirect("reports:portal")

    rows = _request_rows(mine, user=request.user, portal=True)
    return render(
        request,
        "reports/portal_documents.html",
        {"form": form, "advisor": advisor, **_list_context(rows, poll_url=poll_url, portal=True)},
        status=400 if form.errors else 200,
    )


# How many advisors the letters page lists at a time.
LETTERS_PER_PAGE = 50

# --- Reference letters (PIE team) ----------------------------------------------------------------


@role_required(Role.PIE_TEAM)
def reference_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a drafted reference letter for an advisor, name the referee, then have it made
    into a PDF. A letter with the draft's placeholder still in it is refused, naming it."""
    advisor = get_object_or_404(Advisor, pk=pk)
    default = services.referee_default(user=request.user)
    if request.method == "POST":
        form = ReferenceLetterForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            referee = services.Referee(
                name=data["referee_name"] or default.name,
                role=data["referee_role"] or default.role,
                contact=data["referee_contact"] or default.contact,
            )
            try:
                services.report_request(
                    kind=Kind.REFERENCE,
                    by=request.user,
                    advisor=advisor,
                    letter_text=data["letter_text"],
                    referee=referee,
                )
            except ValidationError as exc:
                form.add_error("letter_text", " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    f"The reference letter for {advisor.full_name} is being made. It is listed "
                    "under “Your reports” below, with a download link when it is ready.",
                )
                return redirect("reports:home")
    else:
        form = ReferenceLetterForm(
            initial={
                "letter_text": services.reference_draft(advisor=advisor),
                "referee_name": default.name,
                "referee_role": default.role,
                "referee_contact": default.contact,
            }
        )
    return render(
        request,
        "reports/reference.html",
        {"advisor": advisor, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(Role.PIE_TEAM)
def letters(request: HttpRequest) -> HttpResponse:
    """Advisors' letters and certificates: write a reference letter for anyone on the
    register, or make a certificate of involvement (refused, with the reason, for an advisor
    with no involvement yet)."""
    if request.method == "POST":
        advisor = get_object_or_404(Advisor, pk=request.POST.get("advisor") or 0)
        try:
            services.report_request(kind=Kind.CERTIFICATE, by=request.user, advisor=advisor)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"The certificate of involvement for {advisor.full_name} is being made. It is "
                "listed under “Your reports” on the reports page, with a download link when it "
                "is ready.",
            )
        return redirect("reports:letters")
    # Queries: how many advisors match, then one page of them, each with their meetings
    # attended counted by a subquery (run for the rows on the page only).
    found = request.GET.get("q", "").strip()
    advisors = Advisor.objects.taking_part()
    for word in found.split():
        advisors = advisors.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    attended = (
        Attendance.objects.filter(advisor=OuterRef("pk"), status__in=PRESENT)
        .order_by()
        .values("advisor")
        .annotate(n=Count("meeting", distinct=True))
        .values("n")
    )
    advisors = advisors.annotate(meetings_attended=Coalesce(Subquery(attended), 0)).order_by(
        "last_name", "first_name", "pk"
    )
    page, page_range = page_of(request, advisors, LETTERS_PER_PAGE)
    return render(
        request,
        "reports/letters.html",
        {"advisors": page.object_list, "page": page, "page_range": page_range, "q": found},
    )
