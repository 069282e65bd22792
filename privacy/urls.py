from django.urls import path

from . import views_erasure, views_sar

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
    # Erasure (PIE team with privacy.erase_person): anonymise an advisor or an applicant
    path("staff/privacy/erasure/", views_erasure.erasure_list, name="erasure-list"),
    path(
        "staff/privacy/erasure/advisors/<int:pk>/",
        views_erasure.advisor_erase_confirm,
        name="erasure-advisor",
    ),
    path(
        "staff/privacy/erasure/applications/<int:pk>/",
        views_erasure.application_erase_confirm,
        name="erasure-application",
    ),
]
