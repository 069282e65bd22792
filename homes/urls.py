from django.urls import path

from . import views, views_portal, views_research

# No namespace: User.home_url and the navigation name these two directly.
urlpatterns = [
    path("staff/", views.staff_home, name="staff-home"),
    # Superusers only: whether the background work is running.
    path("staff/system/", views.system, name="staff-system"),
    path("portal/", views_portal.portal_home, name="portal-home"),
    path("portal/resources/", views_portal.resource_list, name="portal-resources"),
    path("portal/resources/<int:pk>/", views_portal.resource_download, name="portal-resource"),
    path("research/", views_research.research_home, name="research-home"),
]
