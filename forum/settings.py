"""The one settings module. Everything that differs between machines comes from
the environment; the README lists every variable read here."""

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment "
            "(or set DEBUG=1 for local development only)."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "forum",
    "accounts",
    "dialogues",
    "search",
    # The admin site, with its login through allauth and staff MFA enforced.
    "accounts.apps.ForumAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # search: its tsvector field and lookups
    "django.contrib.humanize",  # allauth's session list uses it
    "django.contrib.sitemaps",  # the templates of forum/sitemaps.py
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before the session and the user are loaded: they are reads too.
    "forum.db_router.ReadReplicaMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "forum.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
]

# `manage.py benchmark` serves its gunicorn with "forum.benchmark_urls": the
# site plus a bare view returning stored bytes (the ceiling it compares the
# pages with). Nothing else sets it.
ROOT_URLCONF = os.environ.get("FORUM_URLCONF", "forum.urls")
WSGI_APPLICATION = "forum.wsgi.application"

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "forum.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Readers never wait for the writer, and the background task
        # threads write beside the requests.
        "init_command": "PRAGMA journal_mode=WAL",
        # Every transaction takes the write lock when it begins, not half
        # way through, where SQLite could only fail it ("database is
        # locked"); writers queue for up to `timeout` seconds instead.
        "transaction_mode": "IMMEDIATE",
        "timeout": 10,
    }
    # Tests run on a file too, not Django's shared in-memory database: in
    # that shared cache a writer that meets another thread's lock fails at
    # once ("database table is locked") instead of waiting `timeout`, so
    # the tests whose task threads or live server write beside a request
    # failed now and then where production never would.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
# Read replicas (forum/db_router.py): comma-separated URLs, one alias each
# (replica_0, replica_1, ...). Tests mirror them onto the primary.
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS")):
    _replica = dj_database_url.parse(
        _url, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0"))
    )
    _replica["TEST"] = {"MIRROR": "default"}
    if _replica["ENGINE"] == "django.db.backends.postgresql":
        # A replica that is down must be noticed in seconds, not minutes.
        _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASES[f"replica_{_number}"] = _replica
DATABASE_ROUTERS = ["forum.db_router.ReplicaRouter"]
# After a member submits a form, their reads stay on the primary this long.
FORUM_READ_YOUR_WRITES_SECONDS = int(os.environ.get("FORUM_READ_YOUR_WRITES_SECONDS", "10"))
# A replica further behind than this is skipped: reads go to the primary.
FORUM_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("FORUM_REPLICA_MAX_LAG_SECONDS", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Twelve characters at least: a short phrase is easy to remember and slow to guess.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

# ---------------------------------------------------------------------------
# Accounts, security and privacy (issue 3). allauth does the account work;
# these settings choose the strict options.
# ---------------------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# Nobody posts before proving they own their address; a short code, not a link,
# so the mail contains nothing clickable to phish with.
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = False
# Changing email, password or MFA asks for the password (or a second factor) again.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = int(os.environ.get("ACCOUNT_REAUTHENTICATION_TIMEOUT", "300"))
# Tell people by email when their password or addresses change.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_USER_DISPLAY = "accounts.models.user_display"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{os.environ.get('SITE_NAME', 'Dialogue Forum')}] "
# allauth's defaults, kept explicit so they are reviewed here; stored in the
# shared cache below, so every worker counts the same attempts.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/10s/key",
    "request_login_code": "20/m/ip,3/m/key",
}

# MFA: TOTP with recovery codes for everyone; WebAuthn security keys/passkeys
# (the only part of the site that needs JavaScript: the browser API requires it).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = os.environ.get("SITE_NAME", "Dialogue Forum")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_PASSKEY_LOGIN_ENABLED = False
# TOTP secrets and recovery-code seeds are encrypted in the database (Fernet,
# accounts/mfa_crypto.py), so a leaked backup gives away no second factor.
# Comma-separated keys: the first encrypts, all decrypt; after adding a new key
# first, `manage.py rotate_mfa_keys` re-encrypts and the old one can go.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
MFA_ADAPTER = "accounts.adapters.MFAAdapter"


def mfa_encryption_keys() -> list[str]:
    from cryptography.fernet import Fernet

    keys = env_list("MFA_ENCRYPTION_KEYS")
    if not keys:
        if not DEBUG:
            raise ImproperlyConfigured(
                "MFA_ENCRYPTION_KEYS is not set. Set it in the environment to a key made with\n"
                "  python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'\n"
                "(or set DEBUG=1 for local development only)."
            )
        # Development only: a key derived from SECRET_KEY, stable across restarts.
        digest = hashlib.sha256(f"forum.mfa-encryption:{SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"MFA_ENCRYPTION_KEYS: key {number} is not a Fernet key "
                "(32 bytes in URL-safe base64, as Fernet.generate_key() makes them)."
            ) from None
    return keys


MFA_ENCRYPTION_KEYS = mfa_encryption_keys()
# Staff (and moderators/facilitators) must have MFA before using the admin or
# moderation tools. On unless DEBUG, so the local demo accounts stay usable.
FORUM_STAFF_REQUIRE_MFA = env_bool("FORUM_STAFF_REQUIRE_MFA", not DEBUG)

# Session list with "sign out other sessions", showing browser and time only:
# accounts/models.py keeps the IP address out of it. Activity tracking is off:
# it would rewrite the row on every request.
USERSESSIONS_TRACK_ACTIVITY = False

# How long security records (expired sessions, session lists, login records)
# are kept before `manage.py purge_security_data` deletes them.
SECURITY_DATA_RETENTION_DAYS = int(os.environ.get("SECURITY_DATA_RETENTION_DAYS", "30"))
# "Download my data" reads everything a member wrote: a few times an hour.
FORUM_DATA_EXPORTS_PER_HOUR = int(os.environ.get("FORUM_DATA_EXPORTS_PER_HOUR", "5"))

# A cache shared by every worker, so rate limits hold across processes:
# Redis when REDIS_URL is set, else a database table that the accounts
# migrations create (never per-process memory). Keys are stored hashed: the
# rate limits' keys name IP addresses (accounts/cache.py).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "forum.redis_cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_FUNCTION": "accounts.cache.make_key",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "forum_cache",
            "KEY_FUNCTION": "accounts.cache.make_key",
        }
    }
# Per process, for what is cheap to recompute and exact by its key: the
# position of a page in its topic (forum/views.py, keyed on the topic's
# version), which otherwise reads the topic's whole path index.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "forum-local",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}
# ---------------------------------------------------------------------------

# Sessions are only written for people who log in: an anonymous reader never
# causes a database write (see tests/forum/test_queries.py).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("ar", _("Arabic")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Hashed, compressed file names need `collectstatic` first: on by default in
# production; development and tests serve the files straight from static/.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG

# Email: the console in development; SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "forum@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                # Seconds per network operation (Django's EMAIL_TIMEOUT, which
                # MAILERS replaces). Sends run in the background, so this
                # bounds a worker's wait, never a request's.
                "timeout": float(os.environ.get("EMAIL_TIMEOUT", "20")),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Background tasks (django.tasks): mail and other work on other servers
# never runs in a request. The default, "threads", runs tasks on a small pool
# of threads in the web process after the request's commit
# (forum/task_backends.py): nothing else to start. "database" queues them in
# the database for `manage.py db_worker` (django-tasks-db): production.
# "immediate" runs them in the request, after the commit: the tests.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "threads")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "threads":
    TASKS = {"default": {"BACKEND": "forum.task_backends.ThreadPoolBackend"}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'threads', 'database' or 'immediate'.")

# Production hardening; behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# `__Host-` cookies are refused by browsers unless Secure, for the whole site
# (Path=/) and without a Domain: no subdomain and no plain-http page can set
# or overwrite them. Plain http (`make run`) keeps the plain names.
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Load balancers ask each node over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy, the same in every mode so that what works locally
# works in production. Everything comes from this site. No inline script at
# all: ours has none, and the admin's and allauth's scripts are files (their
# inline <script type="application/json"> blocks are data, never run). The
# only inline code is the admin changelist's <style> (shown when a list has
# no actions), which carries the request's nonce ({% csp_nonce_attr %}); no
# style attributes anywhere. `data:` images: the TOTP setup page shows its
# QR code as a data: URI (allauth's `totp_svg_data_uri`); a data: image makes
# no request, so it cannot tell anyone who is reading.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# Browser features no page here uses are denied to every page (and to any
# frame); security keys (WebAuthn) need the two publickey-credentials ones,
# for this site only. Sent by forum.middleware.SecurityHeadersMiddleware.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": [],
    "gamepad": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "identity-credentials-get": [],
    "idle-detection": [],
    "local-fonts": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "otp-credentials": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
    "screen-wake-lock": [],
    "serial": [],
    "storage-access": [],
    "usb": [],
    "window-management": [],
    "xr-spatial-tracking": [],
}

# Logs go to stdout (systemd's journal, a container's log); LOG_FORMAT=json
# writes one JSON object a line (forum/logging.py) for a log collector.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'text' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "forum.logging.JSONFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# /healthz fails when the oldest task waiting for a db_worker is older than this.
FORUM_HEALTHZ_MAX_TASK_AGE_SECONDS = int(
    os.environ.get("FORUM_HEALTHZ_MAX_TASK_AGE_SECONDS", "600")
)

# The forum's own settings.
SITE_NAME = os.environ.get("SITE_NAME", "Dialogue Forum")
# The public address (scheme, host and port), for every link in every email,
# allauth's included: no email builds a link from a request's host. `make run`
# sets it from the address it serves.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"SITE_URL must start with http:// or https:// (it is {SITE_URL!r})."
    )
FORUM_PAGE_SIZE = int(os.environ.get("FORUM_PAGE_SIZE", "50"))
# Anonymous readers' home, category and topic pages are kept whole in the
# shared cache for at most this many seconds (forum/page_cache.py); every
# change they show makes a new entry at once. 0 turns the cache off.
FORUM_PAGE_CACHE_SECONDS = int(os.environ.get("FORUM_PAGE_CACHE_SECONDS", "600"))
FORUM_MAX_SUBJECT_LENGTH = 200
# The longest post, in characters. It bounds what checking and rendering one
# post can cost: about 160 ms of CPU at 10,000 for the costliest input
# (`manage.py benchmark_markup`), roughly in proportion to the length.
FORUM_MAX_BODY_LENGTH = int(os.environ.get("FORUM_MAX_BODY_LENGTH", "10000"))
# How long authors may edit their own posts; unset means no limit. Facilitators
# and moderators may always edit.
FORUM_EDIT_WINDOW_MINUTES = (
    int(os.environ["FORUM_EDIT_WINDOW_MINUTES"])
    if os.environ.get("FORUM_EDIT_WINDOW_MINUTES")
    else None
)

# Limits per member (forum/limits.py), counted in the shared cache above.
# 0 turns a limit off. Accounts younger than a day have the stricter reply
# limits; moderators, and facilitators where they facilitate, have no reply
# or topic limits there (README, "Limits").
FORUM_REPLIES_PER_MINUTE = int(os.environ.get("FORUM_REPLIES_PER_MINUTE", "5"))
FORUM_REPLIES_PER_DAY = int(os.environ.get("FORUM_REPLIES_PER_DAY", "100"))
FORUM_NEW_MEMBER_REPLIES_PER_MINUTE = int(
    os.environ.get("FORUM_NEW_MEMBER_REPLIES_PER_MINUTE", "2")
)
FORUM_NEW_MEMBER_REPLIES_PER_DAY = int(os.environ.get("FORUM_NEW_MEMBER_REPLIES_PER_DAY", "20"))
FORUM_DUPLICATE_POST_MINUTES = int(os.environ.get("FORUM_DUPLICATE_POST_MINUTES", "10"))
FORUM_FLAGS_PER_DAY = int(os.environ.get("FORUM_FLAGS_PER_DAY", "20"))
FORUM_PREVIEWS_PER_MINUTE = int(os.environ.get("FORUM_PREVIEWS_PER_MINUTE", "10"))
FORUM_TOPICS_PER_DAY = int(os.environ.get("FORUM_TOPICS_PER_DAY", "10"))

# Search (the search app). On PostgreSQL a query is ranked among at most
# this many of its matches: a word found in half a million posts is then as
# fast to answer as a rare one (README, "Search").
FORUM_SEARCH_RANKED_MATCHES = int(os.environ.get("FORUM_SEARCH_RANKED_MATCHES", "1000"))
