"""Settings for the clinic site, read from the environment (see .env.example)."""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from clinic.lib.env import (
    broker_transport_options,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_opening_hours,
    env_str,
    read_env_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent


read_env_file(os.environ.get("ENV_FILE", BASE_DIR / ".env"))
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG")

SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "insecure-development-key-only-used-when-DEBUG-is-on"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
else:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The staff admin: the stock admin app with our site (2FA, dashboard, agenda) as admin.site.
    "clinic.staff.admin_config.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "clinic",
    "treatments",
]

MIDDLEWARE = [
    # First: probes answer before host checks, sessions or the user are looked at.
    "clinic.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clinic.lib.request_guard.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "clinic.lib.csp.CSPMiddleware",  # django-csp's, the policy built once (clinic/lib/csp.py)
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "clinic.lib.page_cache.CachedPageMiddleware",  # anonymous visitors' cached content pages (README)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After the user is known: every log line of the request carries its id and the staff member's.
    "clinic.lib.log_context.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinic.staff.sessions.StaffSessionTimeoutMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinic.lib.token_pages.NoStoreMiddleware",
    "clinic.lib.token_pages.TokenLinkRateLimitMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
# The admin lives at a path of the clinic's choosing (less noise from scanners).
ADMIN_URL = env_str("ADMIN_URL", "admin/").strip("/") + "/"
# Where staff land after signing in when the page they asked for is not on this site.
LOGIN_REDIRECT_URL = "/" + ADMIN_URL
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "clinic.context_processors.clinic",
            ],
        },
    },
    {
        # Plain-text email parts: not HTML, so not HTML-escaped ("A&E", not "A&amp;E").
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {"autoescape": False},
    },
]

# Database: SQLite under var/ unless DATABASE_URL points elsewhere.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'clinic.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE serialises check-then-insert (no double booking); WAL lets readers run
    # beside the single writer; the timeout waits for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 600)
    # An unreachable database host fails a request (and the health check) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_CACHE_URL = env_str("CACHE_URL")
if REDIS_CACHE_URL:
    # Fails open with short timeouts: a hung or stopped Redis makes pages uncached, never broken.
    CACHES = {"default": {"BACKEND": "clinic.lib.cache.FailOpenRedisCache", "LOCATION": REDIS_CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en-gb"
USE_I18N = True
USE_TZ = True
CLINIC_TIME_ZONE = env_str("CLINIC_TIME_ZONE", "Europe/London")
# Country whose phone numbers patients type without a +country code (ISO 3166 code).
CLINIC_PHONE_REGION = env_str("CLINIC_PHONE_REGION", "GB")
TIME_ZONE = CLINIC_TIME_ZONE

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Request size limits: a form this site serves never comes near these.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400

# --- Security ---------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", not DEBUG)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading is a one-way commitment for the whole domain: the clinic opts in, so the
# check that nags about it is quiet until then.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_ENGINE = "clinic.lib.session_store"  # one statement a save; cookies HttpOnly (the default)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The __Host- prefix pins the cookies to this host over HTTPS (browsers refuse it on http).
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"
# Absolute limit of a staff session, however active (the idle limit is below).
SESSION_COOKIE_AGE = 60 * 60 * 12

# --- Staff logins -----------------------------------------------------------
# Axes' backend first: it refuses a locked-out username and IP before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
# The pair is locked, not the IP alone: a reception desk sharing one address keeps working
# while one mistyped (or attacked) username waits out the cool-off.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "clinic.lib.client_ip.client_ip"
# The addresses (or networks) of our own proxies. X-Forwarded-For is believed only from them, so a
# client that reaches gunicorn directly cannot pick its address to dodge a lockout or rate limit.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
# A one-time code from an authenticator app as well as the password (django-otp, TOTP).
STAFF_2FA_REQUIRED = env_bool("STAFF_2FA_REQUIRED", not DEBUG)
# Staff are signed out after this long without a request.
STAFF_IDLE_TIMEOUT_MINUTES = env_int("STAFF_IDLE_TIMEOUT_MINUTES", 30)
SIMPLE_HISTORY_REVERT_DISABLED = True  # reverting from a history page would bypass the booking rules

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Bootstrap's stylesheet draws a few icons as data: SVGs.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = {
    "camera": [],
    "geolocation": [],
    "microphone": [],
    "payment": [],
    "usb": [],
    "interest-cohort": [],
}

# --- Forms ------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
# No mail server: with DEBUG, a local mailbox read at /dev/mail/ (its links work); otherwise the console.
_NO_SERVER_BACKEND = "clinic.mail.mailbox.MailboxBackend" if DEBUG else "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else _NO_SERVER_BACKEND
)
EMAIL_PORT = env_int("EMAIL_PORT", 587 if EMAIL_HOST else 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST) and EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Clinic <no-reply@clinic.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who gets a (personal-data-free) report of each server error, through the outbox: comma-separated addresses.
ADMINS = [(address, address) for address in env_list("ADMINS")]
CLINIC_INBOX_EMAIL = env_str("CLINIC_INBOX_EMAIL", "reception@clinic.example")
CLINIC_CLINICAL_EMAIL = env_str("CLINIC_CLINICAL_EMAIL") or CLINIC_INBOX_EMAIL  # worries; .env.example
CLINIC_CONCERN_REALERT_HOURS = env_int("CLINIC_CONCERN_REALERT_HOURS", 4)
CLINIC_REPLY_TO = env_str("CLINIC_REPLY_TO") or CLINIC_INBOX_EMAIL  # Reply-To: a mailbox a person reads

# --- The clinic -------------------------------------------------------------
CLINIC_NAME = env_str("CLINIC_NAME", "Riverside Skin Clinic")
# The name staff see for their login in their authenticator app.
OTP_TOTP_ISSUER = CLINIC_NAME
CLINIC_ADDRESS = env_str("CLINIC_ADDRESS", "1 Example Street, Exampletown, EX1 2MP")
CLINIC_ADDRESS_STREET = env_str("CLINIC_ADDRESS_STREET", "1 Example Street")  # the same, in parts, for search engines
CLINIC_ADDRESS_LOCALITY = env_str("CLINIC_ADDRESS_LOCALITY", "Exampletown")
CLINIC_ADDRESS_POSTCODE = env_str("CLINIC_ADDRESS_POSTCODE", "EX1 2MP")
CLINIC_PHONE = env_str("CLINIC_PHONE", "01234 567890")
CLINIC_URGENT_PHONE = env_str("CLINIC_URGENT_PHONE", CLINIC_PHONE)
CLINIC_EMAIL = env_str("CLINIC_EMAIL", "hello@clinic.example")
CLINIC_OPENING_HOURS = env_str("CLINIC_OPENING_HOURS", "Monday to Friday, 9am to 5pm")
CLINIC_OPENING_HOURS_SCHEMA = env_opening_hours("CLINIC_OPENING_HOURS_SCHEMA", "Mo-Fr 09:00-17:00")
CLINIC_EMERGENCY_NUMBER = env_str("CLINIC_EMERGENCY_NUMBER", "999")
CLINIC_EMERGENCY_DEPARTMENT = env_str("CLINIC_EMERGENCY_DEPARTMENT", "A&E")
CLINIC_OUT_OF_HOURS_ADVICE = env_str("CLINIC_OUT_OF_HOURS_ADVICE", "NHS 111 (call 111 or go to 111.nhs.uk)")

# Booking rules.
CLINIC_BOOKING_MIN_NOTICE_HOURS = env_int("CLINIC_BOOKING_MIN_NOTICE_HOURS", 12)
CLINIC_BOOKING_HORIZON_DAYS = env_int("CLINIC_BOOKING_HORIZON_DAYS", 60)
CLINIC_BOOKING_SLOT_STEP_MINUTES = env_int("CLINIC_BOOKING_SLOT_STEP_MINUTES", 15)
CLINIC_CANCELLATION_CUTOFF_HOURS = env_int("CLINIC_CANCELLATION_CUTOFF_HOURS", 24)
CLINICAL_REVIEW_INTERVAL_DAYS = env_int("CLINICAL_REVIEW_INTERVAL_DAYS", 365)
# Reminder this many hours before: more than the cut-off (checked at start-up, clinic/booking/timing.py).
CLINIC_BOOKING_REMINDER_HOURS = env_int("CLINIC_BOOKING_REMINDER_HOURS", 48)
WAITLIST_OFFER_BATCH = env_int("WAITLIST_OFFER_BATCH", 1)  # patients offered one free time at once (README)
WAITLIST_OFFER_HOLD_MINUTES = env_int("WAITLIST_OFFER_HOLD_MINUTES", 120)  # never past the notice before it
WAITLIST_QUIET_HOURS = env_str("WAITLIST_QUIET_HOURS", "20:00-08:00")  # clinic time: no offers sent then
# Requests a minute one client address may make to patient-link pages (token guessing, D6).
TOKEN_LINK_RATE_PER_MINUTE = env_int("TOKEN_LINK_RATE_PER_MINUTE", 30)
# Bump when the privacy notice changes: each booking records the version the patient agreed to.
PRIVACY_NOTICE_VERSION = env_str("PRIVACY_NOTICE_VERSION", "2026-11")

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://localhost/")
# The embedded file broker's folders under var/, or Redis's timeouts (a lost ack redelivered after visibility_timeout).
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL, VAR_DIR / "broker")
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish that cannot reach the broker gives up fast: the outbox sweep sends it later.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# What a task prints (the console email backend, say) is information, not a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # The outbox sweep. Expiring after 50 s stops a backlog of sweeps piling up while workers are down.
    "dispatch-due-email": {
        "task": "clinic.mail.tasks.dispatch_due_email",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "purge-old-email": {"task": "clinic.mail.tasks.purge_old_email", "schedule": 24 * 60 * 60.0},
    "purge-expired-records": {"task": "clinic.staff.tasks.purge_expired_records", "schedule": 24 * 60 * 60.0},
    "realert-unhandled-concerns": {"task": "clinic.aftercare.tasks.realert_unhandled_concerns", "schedule": 300.0},
    # Mondays 07:00 UTC (minute, hour, day of week): the clinic managers' digest of content due for clinical review.
    "clinical-review-digest": {"task": "clinic.staff.tasks.send_review_digest", "schedule": crontab(0, 7, 1)},
    "waitlist": {"task": "clinic.waitlist.tasks.offer_free_times", "schedule": 300.0, "options": {"expires": 240}},
}
# --- Outbox (see the README, "Email: the outbox") ---
# A sender owns a claimed email this long; it must outlast CELERY_TASK_TIME_LIMIT, or a slow send is sent twice.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10)
OUTBOX_BACKOFF_BASE_SECONDS = env_int("OUTBOX_BACKOFF_BASE_SECONDS", 60)
OUTBOX_BACKOFF_CAP_SECONDS = env_int("OUTBOX_BACKOFF_CAP_SECONDS", 3600)
# False for sites that run `manage.py send_due_mail` from cron and no Celery worker.
OUTBOX_USE_CELERY = env_bool("OUTBOX_USE_CELERY", True)
OUTBOX_BATCH_SIZE = 500  # due emails one sweep claims
OUTBOX_WORKER_BATCH = env_int("OUTBOX_WORKER_BATCH", 50)  # ids per task the sweep publishes (one connection each)
# /healthz/ answers 503 when the oldest email due has waited longer than this (mail has stopped flowing).
HEALTH_MAIL_MAX_WAIT_SECONDS = env_int("HEALTH_MAIL_MAX_WAIT_SECONDS", 900)

# --- Logging ----------------------------------------------------------------
# "plain" for people, "json" for a log service: one object per line with request, user, task and email ids.
LOG_FORMAT = env_choice("LOG_FORMAT", "plain", ("plain", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "clinic.lib.log_context.ContextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "clinic.lib.log_context.JsonFormatter"},
    },
    "filters": {"redact_tokens": {"()": "clinic.lib.log_redaction.RedactTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact_tokens"]},
        "error_reports": {"class": "clinic.mail.error_reports.OutboxErrorReports", "level": "ERROR"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Django's own admin emails carry the request (cookies, headers, token paths) and skip the outbox:
        # errors go to the console like everything else, and to ADMINS through the outbox (error_reports).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "celery.app.trace": {"handlers": ["error_reports"], "level": "INFO"},
        # Axes announces itself at every start; its lockout warnings still show.
        "axes.apps": {"level": "WARNING"},
        # Paths of patient links carry tokens: redact them where Django logs request paths.
        "django.request": {"handlers": ["error_reports"], "filters": ["redact_tokens"]},
        "django.server": {"filters": ["redact_tokens"]},
        "django.security": {"filters": ["redact_tokens"]},
    },
}

# --- Error tracking (optional) ------------------------------------------------------
# Sentry or GlitchTip: errors of the web and the workers, scrubbed of personal data (clinic/lib/error_tracking.py).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from clinic.lib import error_tracking

    error_tracking.init(SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", "production"))
