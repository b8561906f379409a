"""Settings, read from the environment (and a `.env` file if present); see `.env.example`."""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG unset or false) needs a "
            "long random secret key; generate one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'. For local development set DJANGO_DEBUG=true."
        )
    SECRET_KEY = "insecure-development-key-used-only-with-debug-on"

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
# The public address: canonical links, og:url, feeds, the sitemap, robots.txt, Akismet's
# blog URL and moderators' emails. A wrong guess in production would go into all of them.
SITE_URL = env.str("SITE_URL", default="").strip().rstrip("/")
if not SITE_URL:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SITE_URL is not set. Production (DJANGO_DEBUG unset or false) needs the site's "
            "public address, without a trailing slash, e.g. SITE_URL=https://essays.example.org; "
            "it goes into canonical links, feeds, robots.txt and Akismet. For local development "
            "set DJANGO_DEBUG=true."
        )
    SITE_URL = "http://127.0.0.1:8000"
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"SITE_URL must start with http:// or https:// (got {SITE_URL!r}), "
        "e.g. SITE_URL=https://essays.example.org"
    )
SITE_NAME = env.str("SITE_NAME", default="Hard Subjects")
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="privacy@example.org")
# What the site calls the warnings before an essay (and on a comment), as a heading says it:
# "Content warning" or, say, "Trigger warning". The plural is the name with an "s" unless set.
# Cached pages carry the label: change RELEASE with it, as on a deploy.
WARNING_LABEL = env.str("WARNING_LABEL", default="Content warning")
WARNING_LABEL_PLURAL = env.str("WARNING_LABEL_PLURAL", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",  # search vectors; harmless on SQLite
    "blog",
    "comments",
    "moderation",
    "subscriptions",
    "wordpress",
    "demo",
    "django_tasks_db",
    "axes",
    "reversion",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "blog.caching.private_if_setting_cookies",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "wordpress.redirects.OldLinkRedirectMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "moderation.logins.AccountLockMiddleware",
    "blog.unavailable.DatabaseUnavailableMiddleware",
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
                "blog.context_processors.site",
            ],
        },
    },
    # The thread list (a thousand comments on a page cost Django templates four times as
    # much). A project's templates/jinja2/ comes before the apps' jinja2/ folders.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "config.jinja2.environment",
            "autoescape": True,
            "trim_blocks": True,
            "lstrip_blocks": True,
        },
    },
]

# An empty variable (as a copied .env.example may leave) means the default, not an error.
DATABASES = {
    "default": environ.Env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep connections open between requests (a new PostgreSQL connection costs milliseconds).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": environ.Env.cache_url_config(env.str("CACHE_URL", default="") or "locmemcache://")
}
# django-environ names django-redis' backend for redis:// when django-redis is installed
# (it is), Django's own otherwise; both become the wrapper below.
if CACHES["default"]["BACKEND"] in (
    "django.core.cache.backends.redis.RedisCache", "django_redis.cache.RedisCache",
):  # fmt: skip
    # django-redis keeps one client per server for the process (Django's own Redis backend
    # builds a new client object on every call, which costs more than the round trip).
    # Wrapped so that Redis failing (down, or hanging) reads as a miss and counters go on
    # counting per process: config/redis_fail_open.py, docs/SCALING.md.
    CACHES["default"]["BACKEND"] = "config.redis_fail_open.FailOpenRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update({
        "SOCKET_CONNECT_TIMEOUT": env.float("CACHE_SOCKET_TIMEOUT", default=0.25),
        "SOCKET_TIMEOUT": env.float("CACHE_SOCKET_TIMEOUT", default=0.25),
        "OUTAGE_RETRY_SECONDS": 2,
        "RETIRE_AFTER_OUTAGE": "versions:*",
    })  # fmt: skip
# Seconds a shared cache (the nginx micro-cache, a CDN) may keep an anonymous reader's page
# (`s-maxage`). The comment form's time-trap stamp is this coarse, so every reader in one
# window gets the same page; keep it well under MODERATION_MIN_SECONDS. docs/SCALING.md.
CACHE_SHARED_SECONDS = env.int("CACHE_SHARED_SECONDS", default=1)


def _mailer_from_url(url: str) -> dict:
    """Django 6.1's MAILERS entry from a django-environ style EMAIL_URL."""
    config = environ.Env.email_url_config(url)
    names = {
        "EMAIL_HOST": "host",
        "EMAIL_PORT": "port",
        "EMAIL_HOST_USER": "username",
        "EMAIL_HOST_PASSWORD": "password",
        "EMAIL_USE_TLS": "use_tls",
        "EMAIL_USE_SSL": "use_ssl",
        "EMAIL_FILE_PATH": "file_path",
    }
    options = {names[k]: v for k, v in config.items() if k in names and v not in (None, "")}
    if config["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        # A mail server that stops answering must not hold a worker (or, with the
        # ImmediateBackend, a reader's request) for ever: retried later instead.
        options.setdefault("timeout", env.float("EMAIL_TIMEOUT", default=10.0))
    return {"BACKEND": config["EMAIL_BACKEND"], "OPTIONS": options}


MAILERS = {"default": _mailer_from_url(env.str("EMAIL_URL", default="consolemail://"))}
# A provider's API instead of SMTP, through django-anymail (pip install
# "django-anymail[mailgun]"): EMAIL_BACKEND=anymail.backends.mailgun.EmailBackend and its
# settings as ANYMAIL_<NAME> variables (ANYMAIL_MAILGUN_API_KEY=...). Its tracking webhook
# (/anymail/<provider>/tracking/) then turns off addresses that bounce or complain.
if env.str("EMAIL_BACKEND", default=""):
    MAILERS = {"default": {"BACKEND": env.str("EMAIL_BACKEND"), "OPTIONS": {}}}
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_")
}
if MAILERS["default"]["BACKEND"].startswith("anymail."):
    INSTALLED_APPS.append("anymail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="webmaster@localhost")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
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

# Everything is served from this site: no CDNs, no inline scripts or style attributes.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
CSRF_FAILURE_VIEW = "blog.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Database sessions whose save, when the database is unreachable, is logged, not a 500.
SESSION_ENGINE = "config.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script here reads it: forms carry the token
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers check health over plain HTTP: a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, IPv4 or IPv6): the
# client address every per-address rule uses comes from blog.http.client_address(). Empty
# (the default) trusts nobody: REMOTE_ADDR is the client. docs/SCALING.md.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES holds {_proxy!r}, which is not an IP address or CIDR range "
            "written as gunicorn takes it (e.g. TRUSTED_PROXIES=127.0.0.1,10.0.0.0/8,::1)."
        ) from None

# The reader's cookies (gate choices and reading preferences) are signed and last a year.
READING_PREFS_COOKIE = "reading_prefs"
READING_PREFS_MAX_AGE = 365 * 24 * 60 * 60

ESSAYS_PER_PAGE = env.int("ESSAYS_PER_PAGE", default=10)
FEED_ITEMS = env.int("FEED_ITEMS", default=20)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    # Refused requests (403, a bad Host header, CSRF) as one line each; 5xx keep tracebacks.
    "filters": {"one_line_client_errors": {"()": "config.log.OneLineClientErrors"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_client_errors"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # httpx logs every request at INFO; Akismet calls are logged by moderation instead.
    "loggers": {"httpx": {"level": "WARNING"}},
}

# Serve uploads from Django itself (fine for one machine; use object storage beyond that).
SERVE_MEDIA = env.bool("DJANGO_SERVE_MEDIA", default=DEBUG)

# Comments
COMMENTS_MAX_DEPTH = env.int("COMMENTS_MAX_DEPTH", default=5)
COMMENTS_THREADS_PER_PAGE = env.int("COMMENTS_THREADS_PER_PAGE", default=50)
COMMENTS_NEWEST_FIRST = env.bool("COMMENTS_NEWEST_FIRST", default=False)
COMMENTS_CLOSE_AFTER_DAYS = env.int("COMMENTS_CLOSE_AFTER_DAYS", default=0)
COMMENTS_MAX_LENGTH = env.int("COMMENTS_MAX_LENGTH", default=5000)
COMMENTS_AUTHOR_COOKIE = "comment_author"

# Background tasks (django.tasks). The default runs tasks in the request, so `make run`
# needs no worker. At scale: TASKS_BACKEND=django_tasks_db.DatabaseBackend and run
# `python manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Moderation
MODERATION_MIN_SECONDS = env.float("MODERATION_MIN_SECONDS", default=3.0)
# At most this many comments from one IP address per window (seconds); more get HTTP 429.
MODERATION_RATE = env.int("MODERATION_RATE", default=5)
MODERATION_RATE_WINDOW = env.int("MODERATION_RATE_WINDOW", default=600)
MODERATION_MAX_LINKS = env.int("MODERATION_MAX_LINKS", default=2)
MODERATION_TRUST_RETURNING = env.bool("MODERATION_TRUST_RETURNING", default=True)
MODERATION_ALWAYS_HOLD = env.bool("MODERATION_ALWAYS_HOLD", default=False)
MODERATION_NOTIFY_HELD = env.bool("MODERATION_NOTIFY_HELD", default=False)
MODERATION_SPAM_RETENTION_DAYS = env.int("MODERATION_SPAM_RETENTION_DAYS", default=15)
MODERATION_DISCARD_RETENTION_DAYS = env.int("MODERATION_DISCARD_RETENTION_DAYS", default=1)
# Seconds before retrying a spam check that failed, doubled each time, at most 6 tries.
MODERATION_RETRY_BASE_SECONDS = env.int("MODERATION_RETRY_BASE_SECONDS", default=60)
MODERATION_QUEUE_PAGE_SIZE = env.int("MODERATION_QUEUE_PAGE_SIZE", default=25)
# Reader reports: at this many reports from different browsers a published comment is
# hidden until a moderator looks (0: never hidden by reports alone).
MODERATION_REPORT_HIDE_THRESHOLD = env.int("MODERATION_REPORT_HIDE_THRESHOLD", default=3)
# One report of a comment per IP address within this many hours (and one per browser, ever).
MODERATION_REPORT_IP_WINDOW_HOURS = env.int("MODERATION_REPORT_IP_WINDOW_HOURS", default=24)
MODERATION_REPORT_COOKIE = "comment_reports"

# Email subscriptions (subscriptions/): reply notifications and new essays, double opt-in.
# At most one email of new comments per address per this many minutes (a digest).
NOTIFY_DIGEST_MINUTES = env.int("NOTIFY_DIGEST_MINUTES", default=15)
# Confirmation links work this many days; requests never confirmed are forgotten then.
SUBSCRIPTIONS_CONFIRM_DAYS = env.int("SUBSCRIPTIONS_CONFIRM_DAYS", default=7)
# Confirmation emails to one address: at most this many a day, this many minutes apart.
SUBSCRIPTIONS_CONFIRMATIONS_PER_DAY = env.int("SUBSCRIPTIONS_CONFIRMATIONS_PER_DAY", default=3)
SUBSCRIPTIONS_CONFIRMATION_GAP_MINUTES = env.int(
    "SUBSCRIPTIONS_CONFIRMATION_GAP_MINUTES", default=10
)
# Requests for email from one IP address per hour; more are refused (429).
SUBSCRIPTIONS_REQUESTS_PER_IP_HOUR = env.int("SUBSCRIPTIONS_REQUESTS_PER_IP_HOUR", default=20)
# A new essay is mailed only if it went public within this many days (not an old essay
# corrected, nor an imported archive).
SUBSCRIPTIONS_ANNOUNCE_WITHIN_DAYS = env.int("SUBSCRIPTIONS_ANNOUNCE_WITHIN_DAYS", default=2)
SUBSCRIPTIONS_BATCH_SIZE = env.int("SUBSCRIPTIONS_BATCH_SIZE", default=500)
SUBSCRIPTIONS_TASK_SECONDS = env.int("SUBSCRIPTIONS_TASK_SECONDS", default=60)
# A failed send is tried again after this many seconds, doubled each time, this many tries.
SUBSCRIPTIONS_RETRY_BASE_SECONDS = env.int("SUBSCRIPTIONS_RETRY_BASE_SECONDS", default=60)
SUBSCRIPTIONS_MAX_ATTEMPTS = env.int("SUBSCRIPTIONS_MAX_ATTEMPTS", default=8)

# Akismet: no key means the check is skipped (recorded) and every comment waits for a person.
PYTHON_AKISMET_API_KEY = env.str("PYTHON_AKISMET_API_KEY", default="")
AKISMET_TIMEOUT = env.float("AKISMET_TIMEOUT", default=2.0)
# Send Akismet requests to another base URL (a proxy; tests use a fake server on 127.0.0.1).
AKISMET_API_BASE = env.str("AKISMET_API_BASE", default="")
# The client class, so tests can use the library's TestSyncClient subclasses.
AKISMET_CLIENT_CLASS = env.str("AKISMET_CLIENT_CLASS", default="akismet.SyncClient")

LOGIN_URL = "admin:login"

# Caching and conditional GET. RELEASE should change on every deploy (e.g. the git commit),
# so cached fragments and ETags made by the previous code are not reused.
RELEASE = env.str("RELEASE", default="dev")


# Where the Django admin lives (a less guessable path keeps bots off the login form).
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/").strip("/") + "/"

# WordPress import from the admin: the largest WXR file an editor may upload, and the
# folder uploads wait in between the dry run and the import (deleted after the import or
# after a day). Empty means a folder "wordpress-uploads" beside MEDIA_ROOT; never one that
# is served, since an export holds commenters' emails and addresses. With several web
# machines it must be a folder they share.
WORDPRESS_UPLOAD_MAX_BYTES = env.int("WORDPRESS_UPLOAD_MAX_BYTES", default=256 * 1024 * 1024)
WORDPRESS_UPLOAD_DIR = env.str("WORDPRESS_UPLOAD_DIR", default="")

# Privacy: days before a comment's IP address, user agent and referrer are cleared
# (`manage.py purge_personal_data`, daily). The privacy page states this figure.
PRIVACY_RETENTION_DAYS = env.int("PRIVACY_RETENTION_DAYS", default=30)

# Login protection for the admin and the moderation queue (django-axes): after
# AXES_FAILURE_LIMIT failed logins for one username from one address, that pair is locked
# out for AXES_COOLOFF_MINUTES. With a shared cache (Redis) attempts are counted there, and
# no IP address is written to the database or the log; with a per-process cache (`make run`)
# they go to the database instead, since a per-process count would not be one count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "moderation.logins.AccountLockBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = (
    "axes.handlers.database.AxesDatabaseHandler"
    if CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache", "FileBasedCache"))
    else "axes.handlers.cache.AxesCacheHandler"
)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True
# The same client address as every other per-address rule (TRUSTED_PROXIES).
AXES_CLIENT_IP_CALLABLE = "blog.http.client_address"
AXES_LOCKOUT_TEMPLATE = "403_locked.html"
# Per account, across every address (moderation/logins.py): LOGIN_ACCOUNT_FAILURE_LIMIT
# wrong passwords for one username within AXES_COOLOFF_TIME lock it for
# LOGIN_ACCOUNT_LOCK_MINUTES, except in browsers that have signed in to it before.
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=20)
LOGIN_ACCOUNT_LOCK_MINUTES = env.int("LOGIN_ACCOUNT_LOCK_MINUTES", default=5)

# Minutes during which a commenter may edit or delete their own comment from the same
# browser session (an edit is screened again).
COMMENTS_EDIT_WINDOW_MINUTES = env.int("COMMENTS_EDIT_WINDOW_MINUTES", default=15)
COMMENTS_EDIT_COOKIE = "comment_edits"
# Comments a reader hid for themselves ("Hide this comment"), remembered in their browser.
COMMENTS_HIDDEN_COOKIE = "comments_hidden"
# A random token, signed, set when a reader posts a comment: screening trusts a returning
# writer only from the browser that wrote their approved comment. It changes nothing on a
# page, so it is not one of the PERSONAL_COOKIES and pages stay shared.
COMMENTS_WRITER_COOKIE = "comment_writer"
# The view a comment's "Report" link leads to (moderation provides it); "" for no link.
COMMENTS_REPORT_VIEW = "reports:report"

# Cookies that make a reader's page their own (saved commenter details, comments they may
# still edit): such readers get pages built for them rather than a shared cached copy.
PERSONAL_COOKIES = [COMMENTS_AUTHOR_COOKIE, COMMENTS_EDIT_COOKIE, COMMENTS_HIDDEN_COOKIE]
