"""Django settings, read from the environment; with nothing set, an embedded SQLite database."""

import datetime as _dt
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TUMBUH_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file and uploads live here


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("TUMBUH_DEBUG", False)
# A demo instance (`make demo`): synthetic data, shared published passwords, a notice on the login
# page. Anything else is treated as production (docs/operations.md).
DEMO_MODE = env_bool("TUMBUH_DEMO", False)
# Without TUMBUH_SECRET_KEY the key below is public: fine for tests and `tumbuh migrate`, but
# `tumbuh serve` and `check --deploy` refuse it outside demo mode (tumbuh/accounts/checks.py).
INSECURE_DEFAULT_SECRET_KEY = "django-insecure-published-default-set-TUMBUH_SECRET_KEY-in-production"
SECRET_KEY = os.environ.get("TUMBUH_SECRET_KEY", "")
if not SECRET_KEY and DEMO_MODE:
    # A demo instance still gets its own key (sessions and CSRF tokens are not forgeable from
    # the published default), kept beside its database.
    _demo_key = VAR_DIR / "demo-secret-key"
    if not _demo_key.exists():
        import secrets

        _demo_key.write_text(secrets.token_urlsafe(50))
        _demo_key.chmod(0o600)
    SECRET_KEY = _demo_key.read_text().strip()
SECRET_KEY = SECRET_KEY or INSECURE_DEFAULT_SECRET_KEY
# Tests add `testserver` themselves (Django's test set-up does).
ALLOWED_HOSTS = os.environ.get("TUMBUH_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("TUMBUH_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "tumbuh.accounts",
    "tumbuh.audit",
    "tumbuh.regions",
    "tumbuh.registry",
    "tumbuh.measurements",
    "tumbuh.imports",
    "tumbuh.analytics",
    "tumbuh.targets",
    "tumbuh.coordination",
    "tumbuh.interventions",
    "tumbuh.indicators",
    "tumbuh.scale",
    "tumbuh.convergence",
    "tumbuh.reports",
    "tumbuh.web",
    "tumbuh.demo",
    "rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "tumbuh.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CSP, Permissions-Policy and Cache-Control: no-store on every page (not on static files).
    "csp.middleware.CSPMiddleware",
    "tumbuh.accounts.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tumbuh.accounts.security.IdleTimeoutMiddleware",  # the idle timeout, one save a minute at most
    "tumbuh.web.middleware.IndonesianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # NUL in a parameter: 400 (a 500 on PostgreSQL otherwise); other control characters stripped.
    "tumbuh.web.middleware.CleanRequestTextMiddleware",
    "tumbuh.web.middleware.RegionTimezoneMiddleware",  # WIB/WITA/WIT of the user's region
    "django_otp.middleware.OTPMiddleware",
    "tumbuh.accounts.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Deny by default: every view must be explicitly marked region-safe or public.
    "tumbuh.accounts.middleware.RegionAccessMiddleware",
    # Login throttling (see "Security" below); last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tumbuh.urls"
WSGI_APPLICATION = "tumbuh.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'tumbuh.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the dashboard read while a cadre's row is being written.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # Busy timeout: a write waits this long for another writer instead of failing with "database
    # is locked" (Python's default is 5 s; an import's chunk can hold the lock longer). Writers
    # take the lock at BEGIN (IMMEDIATE), so a waiting transaction never fails half-way; readers
    # are never blocked in WAL mode.
    DATABASES["default"]["OPTIONS"]["timeout"] = float(os.environ.get("TUMBUH_SQLITE_BUSY_TIMEOUT", "30"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    # Refuses the username (and names, e-mail) or anything close to it.
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Refuses all-digit passwords (a birth date, a phone number, a NIK).
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Indonesian first, English second.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tumbuh" / "locale"]
TIME_ZONE = "Asia/Jakarta"  # the default; each request uses its region's zone (tumbuh.web.timezones)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from finders, but expects the folder
# Front-end libraries come from npm at set-up, never from a CDN.
STATICFILES_DIRS = [("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist")]
# The offline posyandu session (docs/offline.md): Workbox's browser builds and idb.
STATICFILES_DIRS += [(f"vendor/{name}", BASE_DIR / "node_modules" / name / "build")
                     for name in ("workbox-core", "workbox-routing", "workbox-strategies", "workbox-precaching", "idb")]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True

# Where the Kemendagri code list (npm idn-area-data) is installed.
REGION_DATA_DIR = Path(
    os.environ.get("TUMBUH_REGION_DATA_DIR", BASE_DIR / "node_modules" / "idn-area-data" / "data")
)

# Uploaded evidence (coordination): local disk by default; S3-compatible storage by pointing
# STORAGES["default"] at a django-storages backend. Files are served only through scoped views.
MEDIA_ROOT = Path(os.environ.get("TUMBUH_MEDIA_ROOT", VAR_DIR / "media"))
EMAIL_BACKEND = os.environ.get("TUMBUH_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("TUMBUH_FROM_EMAIL", "tumbuh@localhost")
COORDINATION_MAX_UPLOAD_MB = int(os.environ.get("TUMBUH_MAX_UPLOAD_MB", "10"))

# --- Background tasks (django-tasks) -------------------------------------------------------------
# Report rendering (and any other background work) goes through django-tasks. Default: the
# database backend (django-tasks-db), jobs wait in the database until `tumbuh db_worker` runs them.
# TUMBUH_TASKS_BACKEND=immediate runs each task inside the request that queues it (tests, a
# single-process install without a worker).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if os.environ.get("TUMBUH_TASKS_BACKEND", "database") == "immediate"
        else "django_tasks_db.DatabaseBackend",
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TUMBUH_LOG_LEVEL", "WARNING")},
}

# Largest file a web upload may be (imports, boundaries); bigger files go through the command line.
TUMBUH_MAX_UPLOAD_MB = int(os.environ.get("TUMBUH_MAX_UPLOAD_MB", "100"))
# --- Security: login throttling, sessions (docs/operations.md) ------------------------------------
# django-axes counts failed logins per username and, separately, per client IP: after
# TUMBUH_LOGIN_FAILURE_LIMIT failures either is locked out for TUMBUH_LOGIN_LOCKOUT_MINUTES (or
# until an administrator unlocks it: the "Unlock" action on the users' admin page, or
# `tumbuh unlock USERNAME`). Lockouts and unlocks are audited.
AUTHENTICATION_BACKENDS = [
    "tumbuh.accounts.backends.ThrottledLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("TUMBUH_LOGIN_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = _dt.timedelta(minutes=int(os.environ.get("TUMBUH_LOGIN_LOCKOUT_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # logins are in Tumbuh's own audit log
AXES_ENABLE_ADMIN = False  # unlocking goes through the audited action on the users' page
AXES_LOCKOUT_CALLABLE = "tumbuh.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "tumbuh.audit.services.client_ip"
AXES_VERBOSE = False

# Idle timeout: the session ends after TUMBUH_SESSION_IDLE_MINUTES without a request (a request
# pushes the expiry forward, saved at most once a minute: accounts.security.IdleTimeoutMiddleware),
# and when the browser closes.
SESSION_COOKIE_AGE = 60 * int(os.environ.get("TUMBUH_SESSION_IDLE_MINUTES", "30"))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated), so
# the audit log and the login throttle see the client's address, not the proxy's.
TUMBUH_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TUMBUH_TRUSTED_PROXIES", "").split(",") if p.strip()]

# --- Security: HTTPS, proxies, headers (docs/operations.md "Production settings") ----------------
# TUMBUH_HTTPS=1 when users reach Tumbuh over https (directly or through a TLS-terminating proxy):
# secure cookies, redirect http to https, HSTS.
HTTPS = env_bool("TUMBUH_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("TUMBUH_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("TUMBUH_HSTS_SECONDS", 31536000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TUMBUH_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("TUMBUH_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else [
    # Preloading commits the whole domain to browsers' lists: the operator's decision, so it is
    # an opt-in (TUMBUH_HSTS_PRELOAD=1), not a warning.
    "security.W021",
]
if TUMBUH_TRUSTED_PROXIES:
    # The proxy terminates TLS and says so; it must set (not pass through) X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): everything from this server only, nothing framed, forms
# post only here. Scripts from this server only (no inline script or handler); inline styles stay
# allowed because htmx injects its indicator style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # No inline script anywhere (tumbuh/web/static/web/behaviours.js declares page behaviours
        # with data attributes; tests/web/test_no_inline_script.py keeps it so). Inline *styles*
        # remain allowed: htmx inserts its indicator style, and style attributes cannot run code.
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()"
)

# Audit log retention, applied by `tumbuh prune_audit` (run from cron); 0 keeps everything.
AUDIT_RETENTION_DAYS = int(os.environ.get("TUMBUH_AUDIT_RETENTION_DAYS", "1825"))
# After this many refusals of a NIK/KK already registered in an hour, a user's NIK/KK entries are
# all refused alike (registry.services.identity_conflict).
TUMBUH_NIK_CONFLICT_LIMIT = int(os.environ.get("TUMBUH_NIK_CONFLICT_LIMIT", "20"))

# Two-factor login (TOTP, django-otp): optional for everyone, required for these roles when
# TUMBUH_REQUIRE_2FA=1 (tumbuh/accounts/twofactor.py).
TUMBUH_REQUIRE_2FA = env_bool("TUMBUH_REQUIRE_2FA", False)
TUMBUH_2FA_ROLES = [r.strip() for r in os.environ.get("TUMBUH_2FA_ROLES", "admin,provinsi,kabupaten").split(",") if r.strip()]
OTP_TOTP_ISSUER = "Tumbuh"
from tumbuh.api.conf import REST_FRAMEWORK, SPECTACULAR_SETTINGS, TUMBUH_API_RATES  # noqa: E402, F401  (docs/api.md)
