from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "ASCRU2 PIE manager"
admin.site.site_title = "ASCRU2 PIE admin"
admin.site.index_title = "Involvement administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Accounts: Django's auth views (login, logout, password change/reset) + invitations
    path("accounts/", include("django.contrib.auth.urls")),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        views.invitation_accept,
        name="invitation-accept",
    ),
    path("accounts/no-role/", views.no_role, name="no-role"),
    # Role homes
    path("staff/", views.staff_home, name="staff-home"),
    path("portal/", views.portal_home, name="portal-home"),
    path("research/", views.research_home, name="research-home"),
    path("reports/", views.reports_home, name="reports-home"),
    path("admin/", admin.site.urls),
]
