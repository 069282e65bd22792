from django.urls import path

from .views import opportunities, outputs, plans

app_name = "projects"

urlpatterns = [
    # Researcher pages. The researcher's home, /research/, is "research-home" in homes/urls.py (it gathers
    # from higher layers); "projects:home" stays the name of the list of projects, which the
    # "Research projects" breadcrumbs link to.
    path("research/projects/", plans.project_list, name="home"),
    path("research/projects/<int:pk>/", plans.project_detail, name="detail"),
    path("research/projects/<int:pk>/plan/", plans.plan_detail, name="plan"),
    path("research/projects/<int:pk>/plan/start/", plans.plan_start, name="plan-start"),
    path("research/projects/<int:pk>/plan/edit/", plans.plan_edit, name="plan-edit"),
    path("research/projects/<int:pk>/plan/budget/", plans.plan_budget_preview, name="plan-budget"),
    path("research/projects/<int:pk>/plan/submit/", plans.plan_submit, name="plan-submit"),
    path("research/projects/<int:pk>/plan/review/", plans.plan_review, name="plan-review"),
    path(
        "research/projects/<int:pk>/plan/versions/<int:version>/",
        plans.plan_version,
        name="plan-version",
    ),
    # Opportunities and outputs (researchers and PIE team)
    path(
        "research/projects/<int:pk>/opportunities/new/",
        opportunities.opportunity_create,
        name="opportunity-create",
    ),
    path(
        "research/opportunities/<int:pk>/select/",
        opportunities.opportunity_select,
        name="opportunity-select",
    ),
    path(
        "research/opportunities/<int:pk>/undo/",
        opportunities.opportunity_undo,
        name="opportunity-undo",
    ),
    path(
        "research/opportunities/<int:pk>/told/<int:interest_pk>/",
        opportunities.interest_told,
        name="interest-told",
    ),
    path("research/projects/<int:pk>/outputs/", outputs.output_list, name="outputs"),
    path(
        "research/projects/<int:pk>/outputs/<int:output_pk>/edit/",
        outputs.output_edit,
        name="output-edit",
    ),
    path(
        "research/projects/<int:pk>/outputs/<int:output_pk>/delete/",
        outputs.output_delete,
        name="output-delete",
    ),
    # Advisor portal
    path(
        "portal/opportunities/", opportunities.portal_opportunity_list, name="portal-opportunities"
    ),
    path(
        "portal/opportunities/<int:pk>/",
        opportunities.portal_opportunity_detail,
        name="portal-opportunity",
    ),
]
