"""Forms for the impact database: recording an impact, the GRIPP2 summary and the search filters.

They check the shape of input only. Whether a meeting or planned activity belongs to the
project, and who may record, are decided in services.py. The evidence file's type and size
are checked here, so that the error is shown next to the file field.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, Max, Min, OuterRef, Q
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from advisors.models import Advisor
from ascru_pie.models import User
from ascru_pie.roles import Role
from meetings.models import Meeting
from projects.models import PIEPlan, PlannedActivity, Project, ProjectMembership

from .models import AdvisorReflection, GrippSummary, ImpactRecord, ImpactStage, Standard

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LongSelect(forms.Select):
    """A drop-down written out in Python rather than one template per option: with every
    project of a large unit (hundreds) the per-option templates took most of a search page's
    time. The same HTML as forms.Select, without option groups."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _, group, _ in widget["optgroups"]
                for option in group
            ),
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>', widget["name"], flatatt(widget["attrs"]), options
        )


EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = (
    ".pdf,.jpg,.jpeg,.png,.docx,application/pdf,image/jpeg,image/png,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
# What a file of each kind starts with, and the names it may have. A DOCX is a zip archive.
EVIDENCE_SIGNATURES = {
    b"%PDF-": ("PDF", {"pdf"}),
    b"\xff\xd8\xff": ("JPEG", {"jpg", "jpeg"}),
    b"\x89PNG\r\n\x1a\n": ("PNG", {"png"}),
    b"PK\x03\x04": ("Word", {"docx"}),
}


def evidence_file_check(upload) -> None:
    """PDF, JPEG, PNG or Word (DOCX) only, by content as well as by name, and at most 10 MB."""
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            f"The evidence file is {upload.size / 1024 / 1024:.1f} MB; the largest we accept is "
            f"{EVIDENCE_MAX_BYTES // 1024 // 1024} MB. Try a smaller file, or add a link to it instead."
        )
    head = upload.read(16)
    upload.seek(0)
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    for signature, (_, extensions) in EVIDENCE_SIGNATURES.items():
        if head.startswith(signature) and extension in extensions:
            return
    raise ValidationError(
        "The evidence file must be a PDF, JPEG, PNG or Word (.docx) file. This file is not one of those."
    )


class _MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, meeting: Meeting) -> str:
        return f"{meeting.title} ({date_format(timezone.localtime(meeting.starts_at), 'j F Y')})"


class _ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, activity: PlannedActivity) -> str:
        impact = Truncator(activity.anticipated_impact).words(12)
        return f"{activity.get_activity_type_display()} ({activity.get_stage_display().lower()}): {impact}"


class _AdvisorChoiceField(forms.ModelMultipleChoiceField):
    # The project team knows its advisors by name; how they are named in outputs is shown
    # on the impact pages (acknowledged_as).
    def label_from_instance(self, advisor: Advisor) -> str:
        return advisor.full_name


class ImpactForm(forms.ModelForm):
    meeting = _MeetingChoiceField(
        label="Which meeting did it come from? (optional)",
        queryset=Meeting.objects.none(),
        required=False,
        empty_label="Not from a particular meeting",
        error_messages={"invalid_choice": "Choose one of this project's meetings from the list."},
    )
    planned_activity = _ActivityChoiceField(
        label="Which planned activity is it about? (optional)",
        queryset=PlannedActivity.objects.none(),
        required=False,
        empty_label="Not about a planned activity",
        help_text="The activities of the approved PIE plan, with the impact anticipated for each.",
        error_messages={
            "invalid_choice": "Choose one of the activities of this project's approved plan."
        },
    )
    contributors = _AdvisorChoiceField(
        label="Which advisors contributed? (optional)",
        queryset=Advisor.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The advisors assigned to this project.",
        error_messages={"invalid_choice": "Choose advisors assigned to this project."},
    )
    # Typed without a scheme, a link is taken to be https:// (Django 6's default, chosen now).
    evidence_link = forms.URLField(
        label="Link to evidence (optional)",
        required=False,
        max_length=ImpactRecord._meta.get_field("evidence_link").max_length,
        assume_scheme="https",
        help_text="A web address, for example https://example.org/minutes",
        error_messages={
            "invalid": "Enter the link as a web address, for example https://example.org/minutes."
        },
    )
    standards = forms.ModelMultipleChoiceField(
        label="Which UK Standards for Public Involvement does it show? (optional)",
        queryset=Standard.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ImpactRecord
        fields = [
            "stage",
            "kind",
            "meeting",
            "planned_activity",
            "what_changed",
            "category",
            "extent",
            "direction",
            "evidence_text",
            "evidence_file",
            "evidence_link",
            "contributors",
            "standards",
            "recorded_on",
        ]
        labels = {
            "stage": "Stage of the research",
            "kind": "Is this an anticipated or an actual impact?",
            "what_changed": "What changed because of the involvement?",
            "category": "What did it change?",
            "extent": "How big was the change?",
            "direction": "Was it positive or negative?",
            "evidence_text": "Evidence (optional)",
            "evidence_file": "Evidence file (optional)",
            "recorded_on": "Date recorded",
        }
        help_texts = {
            "what_changed": "In plain English, for example “We reworded the interview questions after advisors said "
            "they were hard to follow”.",
            "evidence_text": "For example minutes, feedback or a before-and-after version.",
        }
        widgets = {
            "kind": forms.RadioSelect,
            "extent": forms.RadioSelect,
            "direction": forms.RadioSelect,
            "what_changed": forms.Textarea(attrs={"rows": 4}),
            "evidence_text": forms.Textarea(attrs={"rows": 3}),
            "evidence_file": forms.FileInput(attrs={"accept": EVIDENCE_TYPES}),
            "recorded_on": DATE,
        }
        error_messages = {
            "stage": {
                "required": "Choose the stage of the research.",
                "invalid_choice": "Choose the stage of the research.",
            },
            "kind": {
                "required": "Say whether this impact is anticipated or actual.",
                "invalid_choice": "Say whether this impact is anticipated or actual.",
            },
            "what_changed": {"required": "Say what changed because of the involvement."},
            "category": {
                "required": "Choose what the involvement changed.",
                "invalid_choice": "Choose what the involvement changed.",
            },
            "extent": {
                "required": "Say how big the change was.",
                "invalid_choice": "Say how big the change was.",
            },
            "direction": {
                "required": "Say whether the change was positive or negative.",
                "invalid_choice": "Say whether the change was positive or negative.",
            },
            "evidence_file": {"empty": "The evidence file is empty. Please choose another file."},
            "recorded_on": {
                "required": "Enter the date, for example 14 March 2026.",
                "invalid": "Enter a real date, for example 14 March 2026.",
            },
        }

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", "Choose a stage"), *ImpactStage.choices]
        self.fields["category"].choices = [
            ("", "Choose what it changed"),
            *ImpactRecord.Category.choices,
        ]
        self.fields["meeting"].queryset = project.meetings.order_by("-starts_at")
        self.fields["planned_activity"].queryset = PlannedActivity.objects.filter(
            plan__project=project, plan__status=PIEPlan.Status.APPROVED
        )
        self.fields["contributors"].queryset = (
            Advisor.objects.filter(project_assignments__project=project)
            .distinct()
            .order_by("first_name", "last_name")
        )
        self.fields[
            "evidence_file"
        ].help_text = f"A PDF, JPEG, PNG or Word (.docx) file of up to {EVIDENCE_MAX_BYTES // 1024 // 1024} MB."
        if not self.is_bound:
            self.initial.setdefault("recorded_on", timezone.localdate())

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            evidence_file_check(upload)
        return upload

    def impact_data(self) -> dict:
        """The record's own fields, for services.impact_record (contributors and standards apart)."""
        data = {
            k: v for k, v in self.cleaned_data.items() if k not in ("contributors", "standards")
        }
        data["evidence_file"] = data.get("evidence_file") or ""
        return data


class GrippForm(forms.ModelForm):
    class Meta:
        model = GrippSummary
        fields = ["aim", "methods", "results", "outcomes", "reflections"]
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in fields}


class ImpactSearchForm(forms.Form):
    """The search and filters of the impact database (GET, so a search can be bookmarked)."""

    q = forms.CharField(
        label="Words to search for",
        required=False,
        max_length=200,
        help_text="Searches what changed and the evidence.",
    )
    stage = forms.ChoiceField(
        label="Stage", choices=[("", "All stages"), *ImpactStage.choices], required=False
    )
    category = forms.ChoiceField(
        label="What it changed",
        choices=[("", "Everything"), *ImpactRecord.Category.choices],
        required=False,
    )
    project = forms.ModelChoiceField(
        label="Project",
        queryset=Project.objects.none(),
        required=False,
        empty_label="All projects",
        widget=LongSelect,
    )
    year = forms.TypedChoiceField(
        label="Year recorded", coerce=int, required=False, empty_value=None
    )
    extent = forms.ChoiceField(
        label="How big", choices=[("", "Any size"), *ImpactRecord.Extent.choices], required=False
    )
    standard = forms.ModelChoiceField(
        label="UK Standard",
        queryset=Standard.objects.all(),
        to_field_name="code",
        required=False,
        empty_label="Any standard",
    )
    kind = forms.ChoiceField(
        label="Anticipated or actual",
        choices=[("", "Both"), *ImpactRecord.Kind.choices],
        required=False,
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        projects = Project.objects.order_by("title")
        # The same rule as ImpactRecord.objects.visible_to: no confidential project's name to strangers.
        if not user.has_role(Role.PIE_TEAM, Role.MANAGER):
            own = ProjectMembership.objects.filter(user=user).values("project_id")
            projects = projects.filter(Q(confidential=False) | Q(pk__in=own))
        self.fields["project"].queryset = projects
        # The years that have impacts this person may see, newest first (one query).
        # The first and last dates, not years, so the index on recorded_on answers it.
        span = ImpactRecord.objects.visible_to(user).aggregate(
            first=Min("recorded_on"), last=Max("recorded_on")
        )
        years = range(span["last"].year, span["first"].year - 1, -1) if span["first"] else []
        self.fields["year"].choices = [("", "Any year")] + [(y, str(y)) for y in years]

    def filters(self) -> dict:
        """The valid filters, in the shape services.impact_search takes (call after is_valid)."""
        data = self.cleaned_data
        filters = {
            k: data.get(k) for k in ("stage", "category", "year", "extent", "kind") if data.get(k)
        }
        if data.get("project"):
            filters["project"] = data["project"].pk
        if data.get("standard"):
            filters["standard"] = data["standard"].code
        return filters


class ReflectionFilterForm(forms.Form):
    """Narrow the advisors' reflections down by project and by the year of the impact (GET)."""

    project = forms.ModelChoiceField(
        label="Project",
        queryset=Project.objects.none(),
        required=False,
        empty_label="All projects",
        widget=LongSelect,
    )
    year = forms.TypedChoiceField(
        label="Year of the impact", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only projects with reflections, and only the years that have them.
        reflected = AdvisorReflection.objects.filter(impact__project=OuterRef("pk"))
        self.fields["project"].queryset = Project.objects.filter(Exists(reflected)).order_by(
            "title"
        )
        span = AdvisorReflection.objects.aggregate(
            first=Min("impact__recorded_on"), last=Max("impact__recorded_on")
        )
        years = range(span["last"].year, span["first"].year - 1, -1) if span["first"] else []
        self.fields["year"].choices = [("", "Any year")] + [(y, str(y)) for y in years]

    def filtered(self, reflections):
        """`reflections` narrowed by the valid filters (call after is_valid)."""
        data = getattr(self, "cleaned_data", {})
        if data.get("project"):
            reflections = reflections.filter(impact__project=data["project"])
        if data.get("year"):
            reflections = reflections.filter(impact__recorded_on__year=data["year"])
        return reflections
