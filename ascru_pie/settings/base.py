"""Settings for every environment, driven by environment variables (see README).

Production-only behaviour is switched by env vars, not by a separate module: with
DJANGO_DEBUG=0 the secret key and allowed hosts are required and we refuse to start
without them.
"""

from pathlib import Path

import environ
import xstatic.pkg.bootstrap
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _required_in_production(name: str, default_in_debug):
    """Return the env var, or a development default only when DEBUG is on."""
    value = env(name, default=None)
    if value:
        return value
    if DEBUG:
        return default_in_debug
    raise ImproperlyConfigured(
        f"{name} must be set when DJANGO_DEBUG=0. "
        f"Set it in the environment or in a .env file (see README, 'Configuration')."
    )


SECRET_KEY = _required_in_production(
    "DJANGO_SECRET_KEY", "django-insecure-development-only-key-do-not-use-in-production"
)
ALLOWED_HOSTS = [
    h.strip()
    for h in _required_in_production("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "django_htmx",
    # Sign-in, two factors and university (OpenID Connect) sign-in: one library, django-allauth.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # Who changed personal data, when, old -> new: one mechanism for every audited model.
    "simple_history",
    "ascru_pie",
    "advisors",
    "rates",
    "projects",
    "meetings",
    "payments",
    "impacts",
    "reminders",
    "reports",
    "privacy",
    "homes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

ROOT_URLCONF = "ascru_pie.urls"
WSGI_APPLICATION = "ascru_pie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ascru_pie.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a lock rather than fail at once when the dev server and a task overlap.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "ascru_pie.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password reset links; invitation links have their own, longer lifetime.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
INVITATION_TIMEOUT_DAYS = env.int("INVITATION_TIMEOUT_DAYS", default=14)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the xstatic-bootstrap package, never from a CDN.
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Receipts and other private files: never under a public URL; served by views that check access.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email -------------------------------------------------------------------
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif env("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    raise ImproperlyConfigured(
        "EMAIL_URL (e.g. smtp+tls://user:pass@mail.example.ac.uk:587) or EMAIL_HOST must be set "
        "when DJANGO_DEBUG=0, so that invitations and reminders can be sent."
    )
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ASCRU2 Involvement <involvement@localhost>")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Public Advisors ---------------------------------------------------------
# The privacy notice applicants consent to; bump the version when its text changes.
PRIVACY_NOTICE_VERSION = env("PRIVACY_NOTICE_VERSION", default="2026-01")
# Applications accepted from one address (keyed hash) per hour before we ask them to wait.
APPLY_LIMIT_PER_HOUR = env.int("APPLY_LIMIT_PER_HOUR", default=5)
# Aggregates of special-category data show counts below this as "fewer than 5".
EQUALITY_SUPPRESS_BELOW = 5

# --- Payments -----------------------------------------------------------------
# Days from the activity to payment that we promise advisors.
PAYMENT_TARGET_DAYS = env.int("PAYMENT_TARGET_DAYS", default=28)
# Claims count as "at risk" this many days before the target passes.
PAYMENT_AT_RISK_DAYS = env.int("PAYMENT_AT_RISK_DAYS", default=7)
RECEIPT_MAX_BYTES = env.int("RECEIPT_MAX_BYTES", default=5 * 1024 * 1024)
# What counts towards the annual limit an advisor sets: "time" (payments for their time only;
# expenses paid back are treated differently by most benefits rules) or "all" (time and expenses).
ANNUAL_LIMIT_COUNTS = env("ANNUAL_LIMIT_COUNTS", default="time")
if ANNUAL_LIMIT_COUNTS not in ("time", "all"):
    raise ImproperlyConfigured(
        f'ANNUAL_LIMIT_COUNTS must be "time" or "all", not "{ANNUAL_LIMIT_COUNTS}".'
    )
# Claims for an activity or expense more than this many months ago need the PIE team and a reason.
CLAIM_MAX_AGE_MONTHS = env.int("CLAIM_MAX_AGE_MONTHS", default=12)
# Key for encrypting bank details (Fernet, 32 url-safe base64 bytes). Required in production.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default="")
if not FIELD_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be set when DJANGO_DEBUG=0: it encrypts advisors' bank details. Make one with: "
            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        )
    # Development only: a key derived from the development secret key.
    import base64
    import hashlib

    FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(
        hashlib.sha256(SECRET_KEY.encode()).digest()
    ).decode()
# Columns of the finance export, in order (see payments/resources.py for the names).
FINANCE_EXPORT_COLUMNS = env.list(
    "FINANCE_EXPORT_COLUMNS",
    default=[
        "batch",
        "claim",
        "payee",
        "payment_method",
        "account",
        "amount",
        "activity_date",
        "description",
        "cost_centre",
    ],
)
FINANCE_COST_CENTRE = env("FINANCE_COST_CENTRE", default="ASCRU2-PIE")

# --- Celery ------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# With no broker, tasks run in-process so `make run` needs nothing but Python.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60
CELERY_TASK_TIME_LIMIT = 6 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The broker being down must not fail or hang a request: the row is the source of truth and
# the sweepers below send what the broker did not take. So give up connecting after 1 s in
# all, a command after 2 s (longer than kombu's 1 s BRPOP poll), and retry a publish once
# (that once is what reconnects after Redis restarted): measured, 2 ms when Redis refuses,
# 2.2 s when it accepts and never answers.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
# A worker keeps trying to reconnect for as long as the broker is down (Celery's default
# gives up after 100 tries, about 45 minutes, and the worker exits).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BEAT_SCHEDULE = {
    # Every 5 minutes: a worker writes a heartbeat row, so /healthz can say when a
    # worker last ran a task.
    "worker-heartbeat": {"task": "ascru_pie.tasks.worker_heartbeat", "schedule": 5 * 60},
    # Every hour at :05 — work out which reminders are due and send each once.
    "reminders": {"task": "reminders.tasks.reminders_run", "schedule": crontab(minute=5)},
    # Every day at 07:30 — email the coordinator the "to call / to post" list.
    "contact-list": {
        "task": "reminders.tasks.contact_list_send",
        "schedule": crontab(hour=7, minute=30),
    },
    # Every 30 seconds — send again the work that has no live task: reports queued while the
    # broker was down (or whose worker died: REPORT_LEASE_SECONDS), and reminder emails the
    # broker did not take (or whose send was claimed by a worker that died). Every 30 s, not
    # every minute, because a worker takes up to 30 s to reconnect after an outage: queued
    # work then drains within a minute of the broker's return. Safe to overlap; a sweep
    # still waiting after 25 s is dropped, as the next one does the same work.
    "reports-sweep": {
        "task": "reports.tasks.report_requests_sweep",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "deliveries-sweep": {
        "task": "reminders.tasks.deliveries_sweep",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
}
# A queued report or reminder whose task was due this long ago and has not started is
# taken to be lost (Redis restarted empty, say) and sent again: longer than any normal queue.
TASK_LOST_AFTER_SECONDS = env.int("TASK_LOST_AFTER_SECONDS", default=5 * 60)
# A report "being made" for longer than the hard time limit and a minute has lost its worker
# (killed, out of memory, the machine gone): the sweeper queues it again, up to
# REPORT_MAX_ATTEMPTS starts in all, then marks it failed with that reason.
REPORT_LEASE_SECONDS = env.int("REPORT_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
REPORT_MAX_ATTEMPTS = 2

# --- Reminders (timings are settings, the schedule is above) ------------------
REMINDER_MEETING_DAYS = [7, 1]  # meeting reminders this many days before
REMINDER_RSVP_CHASE_AFTER_DAYS = 3  # chase an unanswered invitation after this many days...
REMINDER_RSVP_CHASE_WITHIN_DAYS = 10  # ...for meetings within this many days
REMINDER_AGENDA_DEADLINE_DAYS = 2  # remind invitees this many days before the agenda deadline
REMINDER_CLAIMS_WAITING_DAYS = env.int("REMINDER_CLAIMS_WAITING_DAYS", default=7)
REMINDER_PLANS_WAITING_DAYS = env.int("REMINDER_PLANS_WAITING_DAYS", default=10)
REMINDER_IMPACT_AFTER_DAYS = (
    2  # ask the project lead about impact this many days after a project meeting
)
REMINDER_INACTIVE_DAYS = 90  # a friendly check-in after this many days without involvement
REMINDER_MAX_ATTEMPTS = 4  # a failed email is retried with backoff, then shown as failed

# --- Security ----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # The container health check calls /healthz over plain HTTP from inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# Admin import and export need model permissions, not only admin access (every admin that
# imports also checks add + change: ascru_pie.lib.imports.SafeImportExportModelAdmin).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
