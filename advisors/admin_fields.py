"""The advisor admin shows each role only the fields in advisors.access.ADVISOR_FIELDS_BY_ROLE.

Every door of the admin is narrowed, not only the change form: list columns, filters, search,
lookups typed into the address (`?support_needs__icontains=…` would tell finance who has a
given need from the row count), inlines and the export's columns.
"""

from .access import advisor_fields_for

# The field each list column, filter or search reveals (when not the column's own name).
REVEALS = {
    "full_name": "last_name",
    "SupportNeedsFilter": "support_needs",
    "bank_details_masked": "bank_details",
    "bank_details_finance": "bank_details",
    "login_state": "user",
}


def _reveals(item) -> str:
    if isinstance(item, str):
        return REVEALS.get(item, item.split("__")[0])
    return REVEALS.get(item.__name__, getattr(item, "parameter_name", ""))


class FieldsByRoleMixin:
    """For a ModelAdmin of Advisor. `restricted_resource_classes` is the export for roles that
    see only part of the record."""

    restricted_resource_classes: list = []

    def _allowed(self, request) -> frozenset[str] | None:
        return advisor_fields_for(request.user)

    def _keep(self, request, items) -> list:
        allowed = self._allowed(request)
        return list(items) if allowed is None else [i for i in items if _reveals(i) in allowed]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self._allowed(request) is None:
            return fieldsets
        kept = []
        for name, options in fieldsets:
            fields = self._keep(request, options["fields"])
            if fields:
                kept.append((name, {**options, "fields": fields}))
        return kept

    def get_readonly_fields(self, request, obj=None):
        return self._keep(request, super().get_readonly_fields(request, obj))

    def get_list_display(self, request):
        return self._keep(request, super().get_list_display(request))

    def get_list_display_links(self, request, list_display):
        links = self._keep(request, super().get_list_display_links(request, list_display) or [])
        return links or list_display[:1]

    def get_list_filter(self, request):
        return self._keep(request, super().get_list_filter(request))

    def get_search_fields(self, request):
        return self._keep(request, super().get_search_fields(request))

    def get_inlines(self, request, obj):
        # Training, recognition and equality answers are not payment work.
        return super().get_inlines(request, obj) if self._allowed(request) is None else []

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        allowed = self._allowed(request) if request is not None else frozenset()
        if allowed is not None and _reveals(lookup) not in allowed:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_export_resource_classes(self, request):
        if self._allowed(request) is None:
            return super().get_export_resource_classes(request)
        return self.restricted_resource_classes
