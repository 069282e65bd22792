"""The PIE team's reminders log: what was sent, who to call or write to, who we have not seen."""

import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ascru_pie.access import role_required
from ascru_pie.roles import Role

from .forms import DeliveryFilterForm
from .models import Delivery
from .services import inactive_advisors

DELIVERIES_PER_PAGE = 50
# The coordinator's call/post list covers what was listed today and yesterday.
CONTACT_LIST_DAYS = 2


@role_required(Role.PIE_TEAM)
def reminders_log(request: HttpRequest) -> HttpResponse:
    """Reminders sent (or not), advisors not involved for a while, and today's call/post list."""
    form = DeliveryFilterForm(request.GET)
    form.is_valid()
    # An invalid filter is shown as an error and left out.
    status = form.cleaned_data.get("status")
    deliveries = Delivery.objects.select_related("advisor", "user").order_by("-created_at", "-pk")
    if status:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))

    now = timezone.now()
    since = timezone.localdate() - datetime.timedelta(days=CONTACT_LIST_DAYS - 1)
    to_contact = list(
        Delivery.objects.filter(
            channel__in=[Delivery.Channel.CALL, Delivery.Channel.POST],
            status=Delivery.Status.LISTED,
            created_at__date__gte=since,
        )
        .select_related("advisor", "user")
        .order_by("channel", "advisor__last_name", "advisor__first_name", "pk")
    )
    inactive = list(inactive_advisors(now))
    for advisor in inactive:
        dates = [d for d in (advisor.last_invited, advisor.last_attended, advisor.last_claim) if d]
        advisor.last_involved = max(dates) if dates else None

    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reminders/log.html",
        {
            "form": form,
            "page": page,
            "page_query": query.urlencode(),
            "to_call": [d for d in to_contact if d.channel == Delivery.Channel.CALL],
            "to_post": [d for d in to_contact if d.channel == Delivery.Channel.POST],
            "inactive": inactive,
            "inactive_days": settings.REMINDER_INACTIVE_DAYS,
        },
    )
