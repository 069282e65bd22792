from django.urls import path

from .views import dashboard, documents, evidence, requests

app_name = "reports"

urlpatterns = [
    # The manager's home: key figures, charts, report requests
    path("reports/", dashboard.dashboard, name="home"),
    path("reports/requests/", dashboard.request_create, name="request"),
    path("reports/requests/<int:pk>/", requests.request_status, name="status"),
    path("reports/requests/<int:pk>/download/", requests.request_download, name="download"),
    path("reports/requests/<int:pk>/retry/", requests.request_retry, name="retry"),
    # The annual report's examples and narrative (PIE team edits; the manager reads)
    path("reports/evidence/", evidence.evidence, name="evidence"),
    path(
        "reports/evidence/standards/<int:standard_pk>/examples/",
        evidence.example_add,
        name="evidence-add",
    ),
    path(
        "reports/evidence/standards/<int:standard_pk>/narrative/",
        evidence.narrative_save,
        name="evidence-narrative",
    ),
    path("reports/evidence/examples/<int:pk>/", evidence.example_edit, name="evidence-example"),
    path(
        "reports/evidence/examples/<int:pk>/remove/",
        evidence.example_remove,
        name="evidence-remove",
    ),
    # Advisor documents (own only)
    path("portal/documents/", documents.portal_documents, name="portal"),
    # PIE team
    path("staff/advisors/letters/", documents.letters, name="letters"),
    path("staff/advisors/<int:pk>/reference/", documents.reference_letter, name="reference"),
]
