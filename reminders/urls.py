from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    # PIE team
    path("staff/reminders/", views.reminders_log, name="log"),
    path("staff/reminders/<int:pk>/done/", views.contact_done, name="contact-done"),
    path("staff/reminders/<int:pk>/retry/", views.failed_retry, name="failed-retry"),
    path("staff/reminders/<int:pk>/dealt-with/", views.failed_dealt_with, name="failed-dealt-with"),
    # On the meeting's pages, but here: inviting fills the call/post list (README: layers).
    path("staff/meetings/<int:pk>/invite/", views.meeting_invite, name="meeting-invite"),
    path(
        "staff/meetings/<int:pk>/answers/<int:invitation>/", views.rsvp_record, name="rsvp-record"
    ),
    path("staff/meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting-cancel"),
]
