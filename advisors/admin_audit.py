"""The audit side of the advisors admin: each advisor's change history, consent, and the log
of who saw sensitive data.

Imported by advisors/admin.py, which adds the mixins to its model admins.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from .audit import advisor_history, sensitive_view_log
from .consent import consent_current
from .models import Advisor, Application, Consent, EqualityMonitoring, SensitiveDataView


def _sees_equality(request) -> bool:
    return request.user.has_perm("advisors.view_equality")


class EqualityViewLogMixin:
    """Logs each showing of a page with someone's individual equality answers on it.

    A change page is shown (GET, or a form sent back with errors) with the equality answers
    only to people with `advisors.view_equality`; each showing is one SensitiveDataView row.
    """

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if obj is not None and obj.pk and _sees_equality(request):
            self._log_equality_view(request, obj)
        return response

    def _log_equality_view(self, request, obj) -> None:
        where = f"admin: {obj._meta.verbose_name} page"
        if isinstance(obj, EqualityMonitoring):
            equality = obj
        elif isinstance(obj, Advisor):
            equality = EqualityMonitoring.objects.filter(advisor=obj).first()
        elif isinstance(obj, Application):
            equality = EqualityMonitoring.objects.filter(application=obj).first()
        else:
            equality = None
        if equality is None:
            return
        if equality.advisor_id:
            sensitive_view_log(
                viewer=request.user,
                what=SensitiveDataView.What.EQUALITY,
                where=where,
                advisors=[equality.advisor],
            )
        elif equality.application_id:
            sensitive_view_log(
                viewer=request.user,
                what=SensitiveDataView.What.EQUALITY,
                where=where,
                applications=[equality.application],
            )


class AdvisorHistoryMixin:
    """The advisor's "History" page: every change to their personal data, old → new."""

    def history_view(self, request, object_id, extra_context=None):
        advisor = get_object_or_404(Advisor, pk=object_id)
        if not request.user.has_perm("advisors.view_historicaladvisor"):
            raise PermissionDenied
        entries = advisor_history(
            advisor=advisor, viewer=request.user, where="admin: advisor history page"
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"History of {advisor.full_name}'s details",
            "opts": self.model._meta,
            "object": advisor,
            "original": advisor,
            "entries": entries,
            "contact_consent": consent_current(advisor=advisor, purpose=Consent.Purpose.CONTACT),
            "can_record_consent": request.user.has_perm("advisors.add_consent"),
            "consent_add_url": f"{reverse('admin:advisors_consent_add')}?advisor={advisor.pk}",
            "sees_equality": _sees_equality(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/advisors/advisor/audit_history.html", context)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Consent rows are added, never changed or deleted: to record a phoned-in withdrawal,
    add a row ("given" not ticked, how: by phone)."""

    list_display = ("at", "advisor", "purpose", "given", "method", "recorded_by")
    list_filter = ("purpose", "given", "method")
    search_fields = ("advisor__first_name", "advisor__last_name", "advisor__email")
    list_select_related = ("advisor", "recorded_by")
    autocomplete_fields = ["advisor"]
    fields = ["advisor", "purpose", "given", "method", "note"]

    def get_fields(self, request, obj=None):
        if obj is not None:
            return [*self.fields, "privacy_notice_version", "at", "recorded_by"]
        return self.fields

    def get_changeform_initial_data(self, request):
        return {"method": Consent.Method.PHONE, **super().get_changeform_initial_data(request)}

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "method":
            # Staff record what reached them by phone or in writing; the advisor's own
            # choices come from the portal and the application form.
            kwargs["choices"] = [
                (m.value, m.label) for m in (Consent.Method.PHONE, Consent.Method.WRITING)
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SensitiveDataView)
class SensitiveDataViewAdmin(admin.ModelAdmin):
    """Who saw whose equality answers or full bank details, and where. Superusers only."""

    list_display = ("at", "viewer", "what", "advisor", "application", "where")
    list_filter = ("what",)
    search_fields = ("viewer__username", "advisor__first_name", "advisor__last_name", "where")
    list_select_related = ("viewer", "advisor", "application")
    date_hierarchy = "at"

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
