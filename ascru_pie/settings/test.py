"""Test settings: speed knobs only. Celery is not made eager here (see STYLE rule 19)."""

import os

# Tests run with DEBUG off, like production; give them the variables production requires.
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
os.environ.setdefault("EMAIL_URL", "memorymail://")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "U4KiyhxNdw9pGUxBEuowQwy_MhSLCBFCQzZQoq7CiBE=")

from .base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
# The browser tests talk plain HTTP to a live server.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# Uploaded files from tests go to a throwaway folder, never into var/media.
import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="ascru-test-media-")
PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="ascru-test-private-")

# Celery: never eager here, so that SQLite and PostgreSQL+Redis runs test the same thing:
# work is enqueued after commit, and a test that needs a task's effect patches `.delay` (or
# calls the task itself). Without a broker, an in-memory one lets `.delay()` return at once
# instead of retrying a connection; CI's CELERY_BROKER_URL (Redis) is kept for worker tests.
CELERY_TASK_ALWAYS_EAGER = False
if not CELERY_BROKER_URL:  # noqa: F405
    CELERY_BROKER_URL = "memory://"
