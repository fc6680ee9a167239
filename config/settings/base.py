"""Settings for every environment, read from environment variables (django-environ).

With nothing set, Olive Branch runs on an *embedded default* suited to a laptop: SQLite,
a Celery broker on kombu's filesystem transport and email written to files, all under
``var/``. Setting ``DATABASE_URL`` and ``CELERY_BROKER_URL`` moves it onto PostgreSQL and
Redis; ``DEBUG=false`` switches on the production hardening and makes ``SECRET_KEY`` and
``ALLOWED_HOSTS`` mandatory (no production secret has a default).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# Everything the embedded default writes lives here; it is disposable and never committed.
VAR_DIR = Path(env.str("OLIVE_BRANCH_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="olive-branch-insecure-development-key")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    try:
        SECRET_KEY = env.str("SECRET_KEY")
        ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            f"{exc}. With DEBUG=false, SECRET_KEY and ALLOWED_HOSTS must be set."
        ) from exc

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    # Django's admin on an OTPAdminSite: a verified second factor before any admin page.
    "core.admin_apps.OliveBranchAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_filters",
    # Hardening (issue 8): CSP headers, sign-in throttling, two-factor authentication.
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "participants",
    "dialogues",
    "workshops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SessionLifetimeMiddleware",
    "core.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- Data ------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'olive-branch.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Registry search: how alike a word must be to match ("Jeruslem" finds "Jerusalem").
    # No JIT: it compiles for hundreds of milliseconds to save microseconds on the short
    # queries a web request makes. Random reads cost what SSDs charge, not spinning disks:
    # with PostgreSQL's default (4) the registry search counts by scanning every row
    # instead of its trigram index (430 ms instead of 75 ms at 100,000 people).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options",
        "-c pg_trgm.word_similarity_threshold=0.5 -c jit=off -c random_page_cost=1.1",
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Web, worker and beat share the file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://olive-branch")}

# Sessions live in the database so any web process behind a balancer can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Uploaded and generated files go through the storage API: a local folder by default,
# S3-compatible object storage (django-storages) when a bucket is configured.
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG  # development serves straight from static/, no collectstatic
if DEBUG:
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)

# --- Users -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Twelve characters of one or two kinds ("aaaaaaaaaaaa", "abababababab") are not a
    # passphrase; and a bound on length keeps hashing a pasted novel out of a request.
    {"NAME": "core.passwords.VarietyValidator"},
    {"NAME": "core.passwords.MaximumLengthValidator"},
]
# Argon2id for every new or changed password; older PBKDF2 hashes are upgraded at sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# django-axes first: it refuses a locked-out sign-in before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Languages and time ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("fr", _("French")),
    ("he", _("Hebrew")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language switcher's choice (core.language) lasts a year, like a saved preference.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Email -----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Olive Branch <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    # kombu's filesystem transport: worker and beat run on a laptop without Redis.
    _queue_dir = VAR_DIR / "celery" / "queue"
    for _folder in (_queue_dir, VAR_DIR / "celery" / "processed"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Tests give each worker a queue of its own on a shared Redis.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "core.tasks.clear_expired_sessions",
        "schedule": 60 * 60,
    },
    "prune-search-words": {
        "task": "participants.tasks.prune_search_words",
        "schedule": 24 * 60 * 60,
    },
    "prune-participant-imports": {
        "task": "participants.tasks.prune_participant_imports",
        "schedule": crontab(hour=4, minute=0),
    },
    "scan-duplicates": {
        "task": "participants.tasks.scan_duplicates",
        "schedule": crontab(hour=3, minute=30),
    },
    "dispatch-due-messages": {
        "task": "workshops.tasks.dispatch_due_messages",
        "schedule": env.float("OUTBOX_DISPATCH_EVERY_SECONDS", default=60.0),
    },
    "sync-action-reminders": {
        "task": "workshops.tasks.sync_action_reminders",
        "schedule": crontab(minute=15),
    },
    "expire-exports": {
        "task": "participants.tasks.expire_exports",
        "schedule": crontab(minute=40),
    },
    "apply-retention": {
        "task": "core.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=45),
    },
}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis hands an unacknowledged task to another worker after this long; no task is ever
    # published with an ETA or countdown (retries wait in the database, not in Redis).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
        # Without this a publish on a dropped connection reconnects for ~6 s (kombu retries
        # for broker_connection_timeout, sleeping 2 s then 4 s) and a page waits that long.
        "max_retries": 0,
    }
# Publishing never waits on a broker that is down: the outbox keeps the work.
CELERY_TASK_PUBLISH_RETRY = False
# Celery's Django fixup closes the database connection around every task unless this is set;
# a worker keeps it as a web process does (CONN_MAX_AGE), checked before each task as a request
# checks it (config.celery), and recycled after this many tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=500)

# --- The outbox (workshops.outreach) ---------------------------------------------------------
OUTBOX_CLAIM_BATCH = env.int("OUTBOX_CLAIM_BATCH", default=200)
OUTBOX_CLAIM_ROUNDS = env.int("OUTBOX_CLAIM_ROUNDS", default=50)
# One send task per claim round: each task pays ~10 ms of its own (claiming its rows, loading
# them), which at 50 rows a task was a quarter of a worker's CPU per message (bench/dispatch.py:
# 0.62 ms a message against 0.76). A send of a few hundred still keeps both workers busy.
OUTBOX_SEND_BATCH = env.int("OUTBOX_SEND_BATCH", default=200)
# A row queued or sending longer than this is re-driven (its worker or task was lost). A
# batch renews its claim every quarter of it, so one SMTP exchange (EMAIL_TIMEOUT per step)
# must fit well inside three quarters.
OUTBOX_STUCK_AFTER_SECONDS = env.int("OUTBOX_STUCK_AFTER_SECONDS", default=600)
# Retries wait in the table (send_at), never in Redis; the cap stays under half the
# visibility timeout all the same, should anyone ever move the wait into the broker.
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_CAP_SECONDS = env.int("OUTBOX_RETRY_CAP_SECONDS", default=20 * 60)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTREACH_FOLLOW_UP_AFTER_HOURS = env.int("OUTREACH_FOLLOW_UP_AFTER_HOURS", default=24)
OUTREACH_ACTION_REMINDER_DAYS = env.int("OUTREACH_ACTION_REMINDER_DAYS", default=2)

# --- The registry ----------------------------------------------------------------------------
# Spreadsheet imports: bigger files are refused at upload with a message saying the limit.
PARTICIPANT_IMPORT_MAX_BYTES = env.int("PARTICIPANT_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
PARTICIPANT_IMPORT_MAX_ROWS = env.int("PARTICIPANT_IMPORT_MAX_ROWS", default=20_000)
# Exports (participants.exports): beyond these row counts an export is prepared by a Celery
# worker (progress bar, then a download link) instead of in the request. A CSV streams from
# COPY at a steady pace with flat memory, so only a very big one waits; an XLSX must be
# complete before its first byte can be sent. The file is kept EXPORT_KEEP_HOURS.
EXPORT_CSV_BACKGROUND_ROWS = env.int("EXPORT_CSV_BACKGROUND_ROWS", default=250_000)
EXPORT_XLSX_BACKGROUND_ROWS = env.int("EXPORT_XLSX_BACKGROUND_ROWS", default=5_000)
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)

# --- Data retention (core.retention) ----------------------------------------------------------
# Applied daily by Celery beat ("apply-retention") and by `manage.py apply_retention [--dry-run]`;
# admins see what the next run would do at /admin-tools/retention/. 0 turns a rule off.
# Participants with no activity (invitation, attendance, consent, action, edit) for this many
# years are erased: personal data replaced by a placeholder, the row and the counts kept.
RETENTION_PARTICIPANT_INACTIVE_YEARS = env.int("RETENTION_PARTICIPANT_INACTIVE_YEARS", default=5)
# Session notes (with revisions and drafts) of a concluded or archived program are deleted
# this many days after it concluded.
RETENTION_NOTES_AFTER_PROGRAM_DAYS = env.int("RETENTION_NOTES_AFTER_PROGRAM_DAYS", default=365)

# --- Forms and UI ----------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Security (hardening, issue 8) -----------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Same origin only: an RSVP link carries its token in the path, which must never reach a
# site the page links to.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Features no page uses, refused for the page and anything it could embed
# (core.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Content-Security-Policy (django-csp 4). No 'unsafe-inline' and no 'unsafe-eval' anywhere:
# every script is a static file, htmx runs with allowEval false (base.html), and no template
# writes a style="" attribute (widths are classes, colours SVG fills: core/templatetags/
# ob_csp.py). The one page with inline styles, the email preview, is served on its own URL
# with a policy of its own inside a sandboxed iframe (workshops.views.outreach).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Sessions: signed out after 30 minutes without a request and 12 hours after signing in,
# whatever happens in between (core.middleware.SessionLifetimeMiddleware). The cookie and the
# database row expire with the idle limit too; activity renews them at most once a minute.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_MAX_SECONDS = env.int("SESSION_MAX_SECONDS", default=12 * 60 * 60)
SESSION_ACTIVITY_WRITE_SECONDS = 60
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS + SESSION_ACTIVITY_WRITE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# htmx sends the token from the page (hx-headers in base.html), so no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "django.views.csrf.csrf_failure"

# Sign-in throttling (django-axes): the fifth wrong password for one username from one
# address locks that pair out for 15 minutes, with a page that says so (and until when).
# The lock counts per username *and* address, so nobody can lock a colleague out from
# elsewhere. Successful sign-ins are not logged; failures are kept only while they count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_VERBOSE = False
# Behind a TLS proxy (production), the client's address is the one the proxy adds last.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0) or None
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Two-factor authentication (django-otp): TOTP apps plus single-use backup codes. Required
# for admins, optional for everyone else (core.two_factor, core.middleware).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Olive Branch")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
TWO_FACTOR_BACKUP_CODES = 10
# Admins may delete someone's device (a lost phone) but never read its key in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Only a local stack without TLS (docker compose on a laptop) turns these off.
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    LANGUAGE_COOKIE_SECURE = CSRF_COOKIE_SECURE

# --- Logs and error emails (core.logging): never personal data -------------------------------
# Every handler scrubs emails, phone numbers, tokens and the request's values from what it
# writes; error reports hide form and query values, local variables and credentials.
# Errors are mailed to ADMINS (comma-separated addresses) when DEBUG is false.
ADMINS = [("Olive Branch admins", address) for address in env.list("ADMINS", default=[])]
DEFAULT_EXCEPTION_REPORTER = "core.logging.PrivateExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.logging.PrivateExceptionReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "personal_data": {"()": "core.logging.PersonalDataFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["personal_data"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Replaces Django's default handlers for "django" (whose mail_admins has no filter of
    # ours); its records reach the console through the root logger.
    "loggers": {"django": {"handlers": ["mail_admins"], "level": "INFO"}},
}

# --- Hardening (issue 8), continued ------------------------------------------------------------
# django-axes logs each sign-in's reset of failures at INFO; its warnings (lockouts) are enough.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
