from django.urls import path

from .views import portal, staff

app_name = "meetings"

urlpatterns = [
    # Staff pages (PIE team)
    path("staff/meetings/", staff.meeting_list, name="list"),
    path("staff/meetings/<int:pk>/", staff.meeting_detail, name="detail"),
    path("staff/meetings/<int:pk>/roster.csv", staff.roster_csv, name="roster-csv"),
    # (staff/meetings/<pk>/invite/, answers/<invitation>/ and cancel/ are in reminders.urls:
    # they fill or tidy the call/post list)
    path("staff/meetings/<int:pk>/agenda/", staff.agenda_manage, name="agenda"),
    # Staff and invitees
    path("meetings/<int:pk>/calendar.ics", portal.meeting_ics, name="ics"),
    path("meetings/papers/<int:pk>/", portal.paper_download, name="paper"),
    # Advisor portal
    path("portal/meetings/", portal.portal_list, name="portal-list"),
    path("portal/meetings/<int:pk>/", portal.portal_detail, name="portal-detail"),
    path("portal/meetings/<int:pk>/propose/", portal.agenda_propose, name="portal-propose"),
]
