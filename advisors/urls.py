from django.urls import path

from . import views, views_consent

app_name = "advisors"

urlpatterns = [
    # Public: the open application process
    path("apply/", views.apply, name="apply"),
    path("apply/thanks/", views.apply_thanks, name="apply-thanks"),
    path("apply/privacy/", views.privacy_notice, name="privacy-notice"),
    # Advisor portal
    path("portal/profile/", views.profile, name="profile"),
    path("portal/profile/contact/", views_consent.consent, name="consent"),
    path(
        "portal/profile/training/<int:pk>/certificate/",
        views.training_certificate,
        name="training-certificate",
    ),
    # Reports (aggregates only)
    path("reports/equality/", views.equality_summary, name="equality-summary"),
]
