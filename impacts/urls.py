from django.urls import path

from .views import database, portal

app_name = "impacts"

urlpatterns = [
    # Researcher pages (the project's researchers and the PIE team)
    path("research/projects/<int:pk>/impacts/", database.project_impacts, name="project"),
    path("research/projects/<int:pk>/impacts/new/", database.impact_new, name="record"),
    path(
        "research/projects/<int:pk>/impacts/<int:impact_pk>/evidence/",
        database.evidence_download,
        name="evidence",
    ),
    path("research/projects/<int:pk>/gripp/", database.gripp_edit, name="gripp"),
    path("research/projects/<int:pk>/gripp/export/", database.gripp_export, name="gripp-export"),
    # The impact database (PIE team, researchers, manager)
    path("impacts/", database.search, name="search"),
    path("impacts/<int:pk>/", database.impact_detail, name="detail"),
    path("impacts/export/", database.export, name="export"),
    path("impacts/follow-up/", database.follow_up, name="follow-up"),
    path("impacts/reflections/", database.reflections, name="reflections"),
    path("impacts/feedback/", portal.feedback_results, name="feedback"),
    # Advisor portal
    path("portal/impacts/", portal.you_said_we_did, name="portal"),
    path("portal/impacts/<int:pk>/reflection/", portal.reflection, name="portal-reflection"),
    path("portal/surveys/", portal.survey_list, name="portal-surveys"),
    path("portal/surveys/<int:pk>/", portal.survey_answer, name="portal-survey"),
]
