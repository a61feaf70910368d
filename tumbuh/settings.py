"""Django settings, read from the environment; with nothing set, an embedded SQLite database."""

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
SECRET_KEY = os.environ.get("TUMBUH_SECRET_KEY", "insecure-dev-key-set-TUMBUH_SECRET_KEY-in-production")
ALLOWED_HOSTS = os.environ.get("TUMBUH_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("TUMBUH_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "tumbuh.accounts",
    "tumbuh.audit",
    "tumbuh.regions",
    "tumbuh.registry",
    "tumbuh.measurements",
    "tumbuh.imports",
    "tumbuh.analytics",
    "tumbuh.coordination",
    "tumbuh.web",
    "tumbuh.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tumbuh.web.middleware.IndonesianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tumbuh.web.middleware.RegionTimezoneMiddleware",  # WIB/WITA/WIT of the user's region
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Deny by default: every view must be explicitly marked region-safe or public.
    "tumbuh.accounts.middleware.RegionAccessMiddleware",
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
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
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TUMBUH_LOG_LEVEL", "WARNING")},
}

# Largest file a web upload may be (imports, boundaries); bigger files go through the command line.
TUMBUH_MAX_UPLOAD_MB = int(os.environ.get("TUMBUH_MAX_UPLOAD_MB", "100"))
