from allauth.account import views as account_views
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from . import views

admin.site.site_header = "ASCRU2 PIE manager"
admin.site.site_title = "ASCRU2 PIE admin"
admin.site.index_title = "Involvement administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Accounts: django-allauth (sign-in, two factors, university sign-in) + invitations.
    # The short names other pages use ("login", "logout", "password_change", "password_reset")
    # name allauth's own views; the old addresses of Django's views redirect.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("accounts/password/change/", account_views.password_change, name="password_change"),
    path("accounts/password/reset/", account_views.password_reset, name="password_reset"),
    path(
        "accounts/password_change/",
        RedirectView.as_view(pattern_name="password_change"),
        name="password_change-old",
    ),
    path(
        "accounts/password_reset/",
        RedirectView.as_view(pattern_name="password_reset"),
        name="password_reset-old",
    ),
    path("accounts/", include("allauth.urls")),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        views.invitation_accept,
        name="invitation-accept",
    ),
    path("accounts/no-role/", views.no_role, name="no-role"),
    # Role homes
    path("", include("homes.urls")),
    # Apps: each urls.py carries its full paths under one namespace
    path("", include("advisors.urls")),
    path("", include("projects.urls")),
    path("", include("meetings.urls")),
    path("", include("payments.urls")),
    path("", include("impacts.urls")),
    path("", include("reminders.urls")),
    path("", include("reports.urls")),
    path("", include("privacy.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "ascru_pie.views.server_error"
