"""Settings for every environment, driven by environment variables (see README).

Production-only behaviour is switched by env vars, not by a separate module: with
DJANGO_DEBUG=0 the secret key and allowed hosts are required and we refuse to start
without them.
"""

from pathlib import Path
from urllib.parse import urlsplit

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
    # Issue 13 (headers, helper B): the Content Security Policy on every page (django-csp).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Issue 13 (headers, helper B): Permissions-Policy; no-store for signed-in people and
    # downloads. After AuthenticationMiddleware (reads request.user), after WhiteNoise (static
    # files keep their caching).
    "ascru_pie.headers.PrivacyHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Issue 13 (sessions): staff signed out after STAFF_SESSION_IDLE_MINUTES idle. Needs
    # request.user and messages, so it stays after Authentication- and MessageMiddleware.
    "ascru_pie.sessions.StaffIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Issue 13 (two factors): staff pages need a second factor in this session (ascru_pie.mfa).
    "ascru_pie.mfa.SecondFactorMiddleware",
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
                "ascru_pie.context_processors.contact",
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
else:
    # Keep each web/worker process's connection open between requests: opening a new
    # PostgreSQL connection costs more than most pages (issue 16 measured /healthz 8x faster).
    # Health checks replace a connection the server dropped, so a database restart costs
    # one retry, not an error page.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Sign-in lockout and password-reset counters live in the cache, so every web process must
# share one: production uses the database (CACHE_URL=dbcache://ascru_pie_cache, table made by
# `createcachetable`; it keeps working when Redis is down). The default is per process.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "ascru_pie.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Issue 13 (passwords): 12 characters for staff roles, 10 for everyone else, in plain English.
    {"NAME": "ascru_pie.passwords.RoleMinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Passwords and sessions (issue 13) ---------------------------------------------------------
# Argon2 (memory-hard, the OWASP first choice) hashes new passwords; the others stay listed so
# existing PBKDF2 hashes still verify and are re-hashed with Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Staff (PIE team, finance, manager, equality access, superusers) are signed out after this
# many minutes without a request (ascru_pie.sessions.StaffIdleTimeoutMiddleware).
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
# Everyone else's session ends this long after their last visit (the idle clock is saved at
# most once a minute, which renews the cookie). 12 hours, not Django's 14 days: long enough
# for a day of meetings or a slow form filled in with breaks, short enough that a session on
# a shared or library computer is gone by the next day.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)
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
# How people reach the unit, shown wherever a page or email says "contact us" (footer, /apply/,
# error pages, every email). The email defaults to DEFAULT_FROM_EMAIL's address; the postal
# address is lines separated by newlines (or "\n" in an env file).
UNIT_CONTACT_NAME = env("UNIT_CONTACT_NAME", default="the Involvement Coordinator")
UNIT_CONTACT_PHONE = env("UNIT_CONTACT_PHONE", default="")
UNIT_CONTACT_EMAIL = env("UNIT_CONTACT_EMAIL", default="")
UNIT_CONTACT_ADDRESS = env("UNIT_CONTACT_ADDRESS", default="").replace("\\n", "\n")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Public Advisors ---------------------------------------------------------
# The privacy notice applicants consent to; bump the version when its text changes.
PRIVACY_NOTICE_VERSION = env("PRIVACY_NOTICE_VERSION", default="2026-01")

# --- Data protection: retention (issue 13, helper D1) -----------------------------------------
# How long personal data is kept; the daily job privacy.tasks.retention_run (beat schedule
# "privacy-retention") erases what is due, and `manage.py retention_run --dry-run` says what
# it would do. Erasure keeps claims and payments (amounts, dates) under a pseudonym.
# A declined or withdrawn application is erased this many months after the decision.
RETENTION_DECLINED_APPLICATION_MONTHS = env.int("RETENTION_DECLINED_APPLICATION_MONTHS", default=6)
# An advisor who left (or paused) this many years ago, with no claimed activity since, is
# erased: contact details and every other personal field; their claims stay, pseudonymised.
RETENTION_INACTIVE_ADVISOR_YEARS = env.int("RETENTION_INACTIVE_ADVISOR_YEARS", default=2)
# Financial records are kept for this many whole tax years after the one they belong to
# (HMRC: six); then receipt files are deleted and bank-change digits emptied. Claim rows
# (amounts, dates, pseudonym) stay: they are the unit's accounts.
RETENTION_FINANCIAL_YEARS = env.int("RETENTION_FINANCIAL_YEARS", default=6)
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
    # Issue 13 (anonymous surveys): every day at 02:15 — rewrite the answers to surveys open
    # now or closed in the last week in a random order, so that the order rows are stored in
    # says nothing about who answered when (each answer also queues this for its survey).
    "survey-responses-shuffle": {
        "task": "impacts.tasks.survey_responses_shuffle_recent",
        "schedule": crontab(hour=2, minute=15),
    },
    # Issue 13 (retention, helper D1): every day at 03:40 — erase what the retention
    # settings say is due (privacy.retention; see "Data protection" below). Safe to run twice.
    "privacy-retention": {
        "task": "privacy.tasks.retention_run",
        "schedule": crontab(hour=3, minute=40),
    },
    # Issue 13 (subject access, helper D1b): every minute — send again subject access ZIPs
    # queued with no live task or whose worker died (SUBJECT_ACCESS_LEASE_SECONDS), and delete
    # ZIPs made more than SUBJECT_ACCESS_KEEP_DAYS ago. Safe to overlap; dropped after 55 s.
    "privacy-subject-access-sweep": {
        "task": "privacy.tasks.subject_access_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
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
# Issue 13 (subject access, helper D1b): a ZIP being made for longer than this lost its
# worker (then retried, up to REPORT_MAX_ATTEMPTS starts). A ZIP holds bank details and
# equality answers, so it is deleted SUBJECT_ACCESS_KEEP_DAYS after it is made.
SUBJECT_ACCESS_LEASE_SECONDS = env.int("SUBJECT_ACCESS_LEASE_SECONDS", default=REPORT_LEASE_SECONDS)
SUBJECT_ACCESS_KEEP_DAYS = env.int("SUBJECT_ACCESS_KEEP_DAYS", default=30)

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

# --- Trusted proxies and segregation of duties (issue 13, helper E) ---------------------------
# Addresses or networks (CIDR) of the reverse proxies in front of gunicorn. Only a request that
# comes straight from one of them may name the visitor in X-Forwarded-For (ascru_pie.lib.net).
# Empty (the default): the header is ignored and the connecting address is the visitor.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# A confirmed new sign-in email replaces the old one (allauth removes the old address), so a
# change staff asked for (ascru_pie.email_change) ends with one address that signs in.
ACCOUNT_CHANGE_EMAIL = True

# --- Authentication (django-allauth) --------------------------------------------------------
# One library for sign-in, two factors (TOTP + recovery codes) and university sign-in (OpenID
# Connect). Our choices live in ascru_pie.accounts (adapters), ascru_pie.forms and ascru_pie.mfa.
ACCOUNT_ADAPTER = "ascru_pie.accounts.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "ascru_pie.accounts.UniversitySignInAdapter"
ACCOUNT_FORMS = {
    "login": "ascru_pie.forms.LoginForm",
    "change_password": "ascru_pie.forms.ChangePasswordForm",
    "reset_password": "ascru_pie.forms.PasswordResetForm",
    "reset_password_from_key": "ascru_pie.forms.PasswordResetKeyForm",
}
# People sign in with their username or their email address; accounts are made by the PIE
# team (or by accepting an application), never by signing up.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
# Required by allauth for signing in by email (it checks forms, not the database).
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
# Session length is the sessions section's business (SESSION_COOKIE_AGE), not a checkbox.
ACCOUNT_SESSION_REMEMBER = True
# A password reset for an unknown address sends nothing and looks the same as a known one.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Brute force: LOGIN_FAILURES_ALLOWED wrong passwords for one username (or email) from one
# address within LOGIN_LOCKOUT_MINUTES lock that pair out; the same person elsewhere can
# still sign in (the key is login + address: AccountAdapter). One address trying many names
# is stopped at 100 failures an hour. Password reset: RESET_EMAILS_PER_ACCOUNT per hour for one
# address, RESET_REQUESTS_PER_ADDRESS per hour from one address. The counters live in the
# cache: give production a shared cache (Redis) when running more than one process.
LOGIN_FAILURES_ALLOWED = env.int("LOGIN_FAILURES_ALLOWED", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
RESET_EMAILS_PER_ACCOUNT = env.int("RESET_EMAILS_PER_ACCOUNT", default=3)
RESET_REQUESTS_PER_ADDRESS = env.int("RESET_REQUESTS_PER_ADDRESS", default=10)
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"{LOGIN_FAILURES_ALLOWED}/{LOGIN_LOCKOUT_MINUTES}m/key,100/1h/ip",
    # Sign-in forms sent from one address (many staff share the university's).
    "login": "60/m/ip",
    "reset_password": f"{RESET_REQUESTS_PER_ADDRESS}/1h/ip,{RESET_EMAILS_PER_ACCOUNT}/1h/key",
}
# Two factors: an authenticator app (TOTP) with recovery codes. Required for staff on the
# pages in MFA_REQUIRED_PATH_PREFIXES (ascru_pie.mfa); advisors may turn it on.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ASCRU2 Involvement"
MFA_FORMS = {
    "authenticate": "ascru_pie.forms.AuthenticateForm",
    "reauthenticate": "ascru_pie.forms.ReauthenticateForm",
    "activate_totp": "ascru_pie.forms.ActivateTOTPForm",
}
MFA_REQUIRED_PATH_PREFIXES = ["/staff/", "/admin/", "/reports/", "/impacts/", "/privacy/"]
# University sign-in (OpenID Connect, e.g. Microsoft Entra ID): shown on the sign-in page
# only when OIDC_PROVIDER_URL is set. Only existing staff accounts, matched by email, may use
# it, and it counts as their second factor (the university's own MFA applies).
OIDC_PROVIDER_URL = env("OIDC_PROVIDER_URL", default="")
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="University sign-in")
# Entra ID sends no email_verified claim: set this when the provider only issues addresses
# the university itself manages (a single-tenant app), so its addresses count as verified.
OIDC_EMAILS_ARE_VERIFIED = env.bool("OIDC_EMAILS_ARE_VERIFIED", default=False)
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": (
            [
                {
                    "provider_id": "university",
                    "name": OIDC_PROVIDER_NAME,
                    "client_id": env("OIDC_CLIENT_ID", default=""),
                    "secret": env("OIDC_CLIENT_SECRET", default=""),
                    "settings": {"server_url": OIDC_PROVIDER_URL},
                }
            ]
            if OIDC_PROVIDER_URL
            else []
        ),
    }
}
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False

# --- Content Security Policy and private caching (issue 13, helper B) ------------------------
# django-csp 4. No inline script or style anywhere: our JS and CSS are files under static/,
# htmx is told not to inject its indicator <style> nor to eval (htmx-config in base.html).
# data: images: allauth's TOTP QR code. Forms post only to us, or (university sign-in) to the
# OpenID provider, because browsers apply form-action to the redirect after a POST.
# CSP_REPORT_ONLY=1 sends the same policy as Content-Security-Policy-Report-Only, to roll it
# out while watching the browser console; off by default. (Not a setting named CSP_REPORT_ONLY:
# django-csp 4 rejects its old setting names, csp.E001.)
_csp_form_action = ["'self'"]
if OIDC_PROVIDER_URL:
    _oidc = urlsplit(OIDC_PROVIDER_URL)
    _csp_form_action.append(f"{_oidc.scheme}://{_oidc.netloc}")
_csp_policy = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": _csp_form_action,
        "frame-ancestors": ["'none'"],
    }
}
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp_policy
else:
    CONTENT_SECURITY_POLICY = _csp_policy
