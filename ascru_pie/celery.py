"""Celery application. With no CELERY_BROKER_URL, settings make tasks run eagerly."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ascru_pie.settings.base")

app = Celery("ascru_pie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
