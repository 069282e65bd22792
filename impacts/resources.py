"""CSV/XLSX export of the impact database (django-import-export). Export only: impacts are
recorded through services.impact_record, never imported.

Advisors are named as they chose to be named in outputs (Advisor.acknowledged_as).
"""

from import_export import fields, resources

from ascru_pie.lib.exports import cell_safe

from .models import ImpactRecord

# Characters openpyxl refuses in a cell (control characters other than tab and newlines).


class ImpactResource(resources.ModelResource):
    project = fields.Field(attribute="project__title", column_name="project")
    stage = fields.Field(attribute="get_stage_display", column_name="stage")
    kind = fields.Field(attribute="get_kind_display", column_name="anticipated or actual")
    category = fields.Field(attribute="get_category_display", column_name="category")
    extent = fields.Field(attribute="get_extent_display", column_name="extent")
    direction = fields.Field(attribute="get_direction_display", column_name="direction")
    what_changed = fields.Field(attribute="what_changed", column_name="what changed")
    evidence_text = fields.Field(attribute="evidence_text", column_name="evidence")
    evidence_link = fields.Field(attribute="evidence_link", column_name="evidence link")
    contributors = fields.Field(column_name="contributors")
    standards = fields.Field(column_name="UK Standards")
    recorded_by = fields.Field(column_name="recorded by")
    recorded_on = fields.Field(attribute="recorded_on", column_name="recorded on")

    class Meta:
        model = ImpactRecord
        fields = [
            "id",
            "project",
            "stage",
            "kind",
            "category",
            "extent",
            "direction",
            "what_changed",
            "evidence_text",
            "evidence_link",
            "contributors",
            "standards",
            "recorded_by",
            "recorded_on",
        ]
        export_order = fields

    # Read from the prefetched rows (.all()), so the export's queries do not grow with its length.
    def dehydrate_contributors(self, impact: ImpactRecord) -> str:
        return "; ".join(sorted(a.acknowledged_as() for a in impact.contributors.all()))

    def dehydrate_standards(self, impact: ImpactRecord) -> str:
        return "; ".join(s.name for s in impact.standards.all())

    def dehydrate_recorded_by(self, impact: ImpactRecord) -> str:
        return str(impact.recorded_by)

    def export_field(self, field, instance, **kwargs):
        return cell_safe(super().export_field(field, instance, **kwargs))

    def import_data(self, *args, **kwargs):
        raise NotImplementedError("Impacts are recorded through the site, never imported.")
