"""Refdesk settings: one file, read from the environment (see .env.example)."""

import os
import re
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("REFDESK_VAR_DIR", Path.cwd() / "var")).resolve()


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _local_secret_key() -> str:
    """A key generated once and kept in ./var/ so sessions survive restarts on a laptop."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# The production profile (REFDESK_PRODUCTION=true) turns on every HTTPS and cookie protection
# `manage.py check --deploy` asks for; each can still be overridden by its own variable.
PRODUCTION = env_bool("REFDESK_PRODUCTION", False)
DEBUG = env_bool("REFDESK_DEBUG", False)
# System check refdesk.E002 refuses the ./var/ fallback in the production profile.
SECRET_KEY_FROM_ENV = bool(env_str("SECRET_KEY"))
SECRET_KEY = env_str("SECRET_KEY") or _local_secret_key()
# Old keys during a rotation: sessions and signed links made with them stay valid until they expire.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # ninja's own templates and static files: /api/docs serves Swagger UI from here, not a CDN
    # (the Content-Security-Policy would block one, and nothing may download at run time).
    "ninja",
    "refdesk.core",
    "refdesk.people",
    "refdesk.pool",
    "refdesk.matching",
    "refdesk.activities",
    "refdesk.asks",
    "refdesk.notify",
    "refdesk.rewards",
    "refdesk.growth",
    "refdesk.referrals",
    "refdesk.insights",
    "refdesk.portal",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "refdesk.core.csp.ContentSecurityPolicyMiddleware",
    # A database outage answers 503 with a clear message (refdesk.core.middleware).
    "refdesk.core.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "refdesk.people.audit.AuditContextMiddleware",
    "refdesk.core.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "refdesk.urls"
WSGI_APPLICATION = "refdesk.wsgi.application"

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
            ],
        },
    },
]

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Answers every worker process of this server may reuse (rendered pool pages, list counts),
    # each stored with the change stamps it was computed at (refdesk.core.changes.remembered).
    "shared": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(env_str("REFDESK_SHARED_CACHE_DIR") or VAR_DIR / "cache"),
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 4},
    },
}

DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'refdesk.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the
        # busy timeout instead of failing with "database is locked" mid-transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Django's backend with a health check that asks the socket first (refdesk/core/postgresql).
    DATABASES["default"]["ENGINE"] = "refdesk.core.postgresql"
    # Per-connection settings for the insights queries: sorts and hash aggregates of a few hundred
    # thousand rows stay in memory, and no JIT compilation (it costs more than it saves on these).
    PG_WORK_MEM = env_str("REFDESK_PG_WORK_MEM") or "32MB"
    if not re.fullmatch(r"[1-9][0-9]*(kB|MB|GB)", PG_WORK_MEM):
        raise ImproperlyConfigured("REFDESK_PG_WORK_MEM must look like 32MB (a number and kB, MB or GB).")
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = f"-c work_mem={PG_WORK_MEM} -c jit=off"
    # Parameters sent apart from the SQL, so psycopg prepares a query a connection runs often and
    # PostgreSQL stops parsing and planning it again (refdesk/docs/decisions.md).
    if env_bool("REFDESK_PG_SERVER_SIDE_BINDING", True):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
# Without server-side binding, each PostgreSQL connection prepares the change-stamps query once by
# hand (refdesk.core.changes; with it psycopg prepares it); behind a pooler in transaction mode
# (pgbouncer pool_mode=transaction) set this to false.
REFDESK_PG_PREPARED_STAMPS = env_bool("REFDESK_PG_PREPARED_STAMPS", True)

# Figures of the insights dashboard computed at once, each on its own connection (1 = one by one).
REFDESK_INSIGHTS_THREADS = env_int("REFDESK_INSIGHTS_THREADS", 2)
# Seconds a computed dashboard is shown before it is computed again (0: every time).
REFDESK_INSIGHTS_MAX_AGE = env_int("REFDESK_INSIGHTS_MAX_AGE", 60)

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = ["refdesk.people.backends.RoleBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "pool:reference-list"
LOGOUT_REDIRECT_URL = "people:login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Web security -------------------------------------------------------------------------
SESSION_ENGINE = "refdesk.people.sessions"  # Django's database sessions, read faster
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION or (not DEBUG and SITE_URL.startswith("https")))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Pages hand htmx the token in `hx-headers`; no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# How many reverse proxies stand in front of the app (nginx: 1). Their X-Forwarded-For and
# X-Forwarded-Proto are believed; nobody else's are.
REFDESK_TRUSTED_PROXIES = env_int("REFDESK_TRUSTED_PROXIES", 1 if PRODUCTION else 0)
if REFDESK_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# Load balancers probe health over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
# Sent on every response by refdesk.core.csp. htmx is served from our static files; no page
# has inline script or on* handlers (tests/security checks). Inline style attributes remain
# in some templates, a much smaller risk, hence 'unsafe-inline' for styles only.
REFDESK_CSP = env_str(
    "REFDESK_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)
# Failed log-ins: per IP and email, and per IP over all emails (password spraying).
REFDESK_LOGIN_WINDOW_SECONDS = env_int("REFDESK_LOGIN_WINDOW_SECONDS", 600)
REFDESK_LOGIN_FAILURES_PER_EMAIL = env_int("REFDESK_LOGIN_FAILURES_PER_EMAIL", 10)
REFDESK_LOGIN_FAILURES_PER_IP = env_int("REFDESK_LOGIN_FAILURES_PER_IP", 50)
# Doors opened by a secret link (answer a request, confirm a profile, a shared page): links that
# do not work per IP, and POSTs per link, in one window (refdesk.core.ratelimit.link_limited).
REFDESK_LINK_WINDOW_SECONDS = env_int("REFDESK_LINK_WINDOW_SECONDS", 600)
REFDESK_LINK_FAILURES_PER_IP = env_int("REFDESK_LINK_FAILURES_PER_IP", 30)
REFDESK_LINK_POSTS_PER_LINK = env_int("REFDESK_LINK_POSTS_PER_LINK", 20)
# "Email me a link" on the reference portal: links sent per address and per IP in one window.
REFDESK_PORTAL_LINK_WINDOW = env_int("REFDESK_PORTAL_LINK_WINDOW", 3600)
REFDESK_PORTAL_LINKS_PER_EMAIL = env_int("REFDESK_PORTAL_LINKS_PER_EMAIL", 3)
REFDESK_PORTAL_LINKS_PER_IP = env_int("REFDESK_PORTAL_LINKS_PER_IP", 20)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A stuck SMTP server must not hold a worker: the task fails and is retried with backoff.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "refdesk@localhost")
# System check refdesk.E010: with DEBUG off, refuse a console/file email backend.
REFDESK_REQUIRE_SMTP = env_bool("REFDESK_REQUIRE_SMTP", False)

# Background work: the database queue (`refdesk worker` runs it); tests run tasks at once.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# `refdesk worker` runs the SLA sweep (reminders, escalations, expiries, retries) this often.
REFDESK_SWEEP_MINUTES = env_int("REFDESK_SWEEP_MINUTES", 5)
# A worker that claimed an email or webhook and has not finished it after this long is taken for
# dead (killed mid-send); the sweep hands the row to another worker. Keep it well above the
# longest send (EMAIL_TIMEOUT applies per SMTP step), or a slow send could be sent twice.
REFDESK_CLAIM_LEASE_SECONDS = env_int("REFDESK_CLAIM_LEASE_SECONDS", 300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
