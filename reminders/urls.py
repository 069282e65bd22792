from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    # PIE team
    path("staff/reminders/", views.reminders_log, name="log"),
    path("staff/reminders/<int:pk>/done/", views.contact_done, name="contact-done"),
    # On the meeting's pages, but here: inviting fills the call/post list (README: layers).
    path("staff/meetings/<int:pk>/invite/", views.meeting_invite, name="meeting-invite"),
]
