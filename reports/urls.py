from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    # The manager's home: key figures, charts, report requests
    path("reports/", views.dashboard, name="home"),
    path("reports/requests/", views.request_create, name="request"),
    path("reports/requests/<int:pk>/", views.request_status, name="status"),
    path("reports/requests/<int:pk>/download/", views.request_download, name="download"),
    path("reports/requests/<int:pk>/retry/", views.request_retry, name="retry"),
    # Advisor documents (own only)
    path("portal/documents/", views.portal_documents, name="portal"),
    # PIE team
    path("staff/advisors/<int:pk>/reference/", views.reference_letter, name="reference"),
]
