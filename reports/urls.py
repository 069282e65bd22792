from django.urls import path

from .views import dashboard, documents, requests

app_name = "reports"

urlpatterns = [
    # The manager's home: key figures, charts, report requests
    path("reports/", dashboard.dashboard, name="home"),
    path("reports/requests/", dashboard.request_create, name="request"),
    path("reports/requests/<int:pk>/", requests.request_status, name="status"),
    path("reports/requests/<int:pk>/download/", requests.request_download, name="download"),
    path("reports/requests/<int:pk>/retry/", requests.request_retry, name="retry"),
    # Advisor documents (own only)
    path("portal/documents/", documents.portal_documents, name="portal"),
    # PIE team
    path("staff/advisors/<int:pk>/reference/", documents.reference_letter, name="reference"),
]
