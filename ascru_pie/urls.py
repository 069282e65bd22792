from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .forms import AccessiblePasswordChangeForm, LoginForm

admin.site.site_header = "ASCRU2 PIE manager"
admin.site.site_title = "ASCRU2 PIE admin"
admin.site.index_title = "Involvement administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Accounts: Django's auth views (login, logout, password change/reset) + invitations
    path(
        "accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"
    ),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=AccessiblePasswordChangeForm),
        name="password_change",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
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
