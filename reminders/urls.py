from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    # PIE team
    path("staff/reminders/", views.reminders_log, name="log"),
]
