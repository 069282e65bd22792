from django.urls import path

from . import views

# No namespace: User.home_url and the navigation name these two directly.
urlpatterns = [
    path("staff/", views.staff_home, name="staff-home"),
    path("portal/", views.portal_home, name="portal-home"),
]
