from django.urls import path

from . import views_sar

app_name = "privacy"

urlpatterns = [
    # Subject access (PIE team): a copy of everything held about one advisor
    path("staff/privacy/subject-access/", views_sar.subject_access_list, name="sar-list"),
    path("staff/privacy/advisors/<int:pk>/", views_sar.advisor_subject_access, name="sar-advisor"),
    path(
        "staff/privacy/subject-access/<int:pk>/download/",
        views_sar.subject_access_download,
        name="sar-download",
    ),
    path(
        "staff/privacy/subject-access/<int:pk>/retry/",
        views_sar.subject_access_retry,
        name="sar-retry",
    ),
]
