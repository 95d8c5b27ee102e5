"""Settings for prereg, read from the environment.

Every value that differs between a laptop and production comes from an environment variable
(or a `.env` file beside manage.py); the defaults are the embedded set-up: SQLite under var/,
files on local disk, SMS to the outbox, tasks in the database, no Redis.
"""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Production sets SECRET_KEY; the embedded default makes a random one once and keeps it in var/.
VAR_DIR.mkdir(exist_ok=True)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    _key_file = VAR_DIR / "secret-key.txt"
    if not _key_file.exists():
        import secrets

        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()
TESTING = "PYTEST_VERSION" in os.environ or env.bool("TESTING", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "prereg.core.views.csrf_failure"

SITE_NAME = env("SITE_NAME", default="福建省卫生专业技术资格考试预报名系统")
# Demo mode shows the SMS outbox to the sysadmin and the demo accounts on the login page.
DEMO_MODE = env.bool("DEMO_MODE", default=False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "captcha",  # django-simple-captcha: 图形验证码 drawn on the server, no remote service
    "prereg.core",
    "prereg.audit",
    "prereg.orgs",
    "prereg.accounts",
    "prereg.notify",
    "prereg.catalog",
    "prereg.applications",
    "prereg.exports",
    "prereg.ocr",
    "prereg.reconcile",
    "prereg.candidate",
    "prereg.backoffice",
    "prereg.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "prereg.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "prereg.core.middleware.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "prereg.core.login_required.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "prereg.core.middleware.SecurityHeadersMiddleware",
    "prereg.core.middleware.MethodNotAllowedPageMiddleware",
    "prereg.core.login_required.LoginRequiredMiddleware",
    "prereg.accounts.middleware.FirstLoginMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "prereg" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prereg.core.context_processors.site",
                "prereg.backoffice.context_processors.nav",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'prereg.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on the busy timeout instead of failing with "database is locked" mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_SQLITE_NAME", default=None)}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A row lock held for long (a stuck session in psql, a runaway job) would hold every request
    # waiting for it until the server's timeout, tying up its threads (faults probe: 14 ticks hung
    # 50 s and the health check with them): a wait beyond this answers 503 系统繁忙 instead.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c lock_timeout={env.int('DB_LOCK_TIMEOUT_MS', default=20000)}")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, rate limits -----------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Kept in the database, read from Redis: a Redis restart (it keeps nothing on disk) or a stall
    # signed every user out with the cache alone (faults probe); Django reads the database then.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # The database cache is shared by every process on one machine, so rate limits and
    # lockout counters stay correct under several gunicorn workers.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "prereg_cache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Rendered page fragments ({% cache ... using="fragments" %}) stay in each process: what one
# holds is a minute old at most and needs no sharing, and reading it costs no round trip.
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"}

SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# Idle timeout: a request pushes the expiry forward, writing the session at most once a minute
# (prereg.core.middleware.SessionRefreshMiddleware) instead of on every page.
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
# Absolute end of a signed-in session however busy it is (prereg.core.login_required.SessionLifetimeMiddleware).
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "prereg.accounts.backends.IdentifierBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# The audiences' pages that the apps below them link to, named here so that no domain app names an
# audience (tests/test_architecture.py): where core:home sends a candidate and a staff member, and
# the back office's review screen, to which a notice about an application leads.
CANDIDATE_HOME_URL = "candidate:home"
STAFF_HOME_URL = "backoffice:dashboard"
REVIEW_URL = "backoffice:review"
# Argon2id at OWASP's parameters (prereg/accounts/hashers.py says why not PBKDF2); hashes made by
# the hashers after it still verify and are re-hashed with the first at their owner's next sign-in.
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "prereg.accounts.hashers.Argon2idPasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ],
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "prereg.accounts.passwords.SimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "name", "phone", "id_number")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "prereg.accounts.passwords.CharacterClassValidator"},
    {"NAME": "prereg.accounts.passwords.NotDerivedValidator"},
    {"NAME": "prereg.accounts.passwords.HistoryValidator", "OPTIONS": {"history": 5}},
]

# django-axes: 5 consecutive failures lock the *account* (a hospital shares one address).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_COOLOFF_HOURS", default=1.0)
# How long a one-time password (a reset, a new account) signs in before it must be reset again.
ONE_TIME_PASSWORD_TTL_HOURS = env.float("ONE_TIME_PASSWORD_TTL_HOURS", default=72.0)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "prereg.accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "prereg.accounts.views.locked_out"
# Reverse proxies in front of gunicorn (nginx: 1): how far from the right of X-Forwarded-For the client is.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "prereg.core.ratelimit.client_address"
AXES_VERBOSE = False

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# The project's own wording of a few of Django's messages; these come before every app's.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "prereg" / "static"]
# Media is private: never under STATIC_ROOT, never served by URL; images go through views
# that check the viewer's scope.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media-not-served/"
# Behind nginx with media on local disk: after the scope check and the audit entry the image views
# answer with X-Accel-Redirect to this internal location (deploy/nginx/prereg.conf) and nginx sends
# the file, instead of a gunicorn worker streaming it. Empty: the worker streams the file.
PRIVATE_MEDIA_ACCEL_PREFIX = env("PRIVATE_MEDIA_ACCEL_PREFIX", default="")
STORAGES = {
    # e.g. FILE_STORAGE=storages.backends.s3.S3Storage with FILE_STORAGE_OPTIONS='{"bucket_name": …}'
    "default": {
        "BACKEND": env("FILE_STORAGE", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("FILE_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if TESTING:
    WHITENOISE_AUTOREFRESH = True  # tests serve from the finders, without collectstatic
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
IMAGE_MAX_BYTES = 3 * 1024 * 1024
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
# Files decoded in full (PNG, BMP, progressive JPEG: 4 bytes a pixel) are held to fewer pixels so one
# upload stays under 150 MB of a worker (bench key upload_peak_mb); a one-pass JPEG is scaled while decoding.
IMAGE_MAX_PIXELS_FULL_DECODE = env.int("IMAGE_MAX_PIXELS_FULL_DECODE", default=10_000_000)
# A replaced or deleted image leaves storage only this long after (manage.py purge_deleted_images): longer
# than the backup interval, so a backup copying files while images change still finds every file its rows name.
DELETED_IMAGE_RETENTION_HOURS = env.int("DELETED_IMAGE_RETENTION_HOURS", default=48)

# --- Background tasks -----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "exports", "ocr"],
    }
}

# --- Machine reading of certificate photos (prereg.ocr) ----------------------------------------
# The engine (a class with `name` and `read(image_bytes)`); empty: no reading, every item 未能识别.
OCR_ENGINE = env("OCR_ENGINE", default="prereg.ocr.engine.RapidEngine")
OCR_THREADS = env.int("OCR_THREADS", default=1)  # ONNX Runtime threads of one worker (one core)
OCR_QUEUE = "ocr"  # its own task worker: `manage.py task_worker --queue-name ocr`

# --- SMS ------------------------------------------------------------------------------------
SMS_BACKEND = env("SMS_BACKEND", default="prereg.notify.sms.OutboxBackend")
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
SMS_CODE_TTL_SECONDS = 300
SMS_PER_MINUTE = env.int("SMS_PER_MINUTE", default=1)
SMS_PER_DAY = env.int("SMS_PER_DAY", default=10)
# 图形验证码 (django-simple-captcha): asked before every 找回密码 code and before a second sign-up code
# from one address within RATE_LIMITS["sms_without_captcha"]. Drawn here with the font the package
# ships; one answer per image, 5 minutes.
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 5
CAPTCHA_2X_IMAGE = False

# --- Audit ----------------------------------------------------------------------------------
AUDIT_HMAC_KEY = env("AUDIT_HMAC_KEY", default=SECRET_KEY)
# The keyed hash kept beside a masked ID number or phone in the audit details (audit/log.py).
AUDIT_PII_KEY = env("AUDIT_PII_KEY", default=AUDIT_HMAC_KEY)

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
HTTPS = env.bool("HTTPS", default=False)
if HTTPS:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Asking browsers' preload lists for the name is the operator's decision (an intranet name is never on
    # them, and leaving a list takes months): HSTS_PRELOAD=1 sends the flag; without it Django's deploy check
    # would warn of its absence.
    SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=False)
# Sliding-window limits {scope: (hits in any span of seconds)} counted in the shared cache (prereg/core/ratelimit.py);
# e.g. RATE_LIMIT_LOGIN=100/300 is 100 failed sign-ins per client address per 5 minutes.
RATE_LIMITS = {
    scope: tuple(int(n) for n in env(f"RATE_LIMIT_{scope.upper()}", default=default).split("/"))
    for scope, default in {"login": "100/300", "sms": "20/3600", "signup": "10/3600",
                           "signup_address": "1000/3600", "upload": "300/3600",
                           "sms_without_captcha": "1/3600"}.items()
}
# The login limit runs before the view (and before django-axes), after the security headers.
MIDDLEWARE.insert(MIDDLEWARE.index("prereg.core.login_required.LoginRequiredMiddleware"),
                  "prereg.core.middleware.LoginRateLimitMiddleware")
# axes.W006: lockout is per account on purpose (design section 7: a hospital shares one address).
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["axes.W006"])
if HTTPS and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")  # the preload flag is HSTS_PRELOAD's (above)

# Every view requires login unless decorated with @login_not_required (Django's
# LoginRequiredMiddleware); tests/core/test_public_urls.py walks the resolver to prove it.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "prereg.core.middleware.RequestIdFilter"},
                "refusal": {"()": "prereg.core.middleware.RefusalFilter"},
                # No full ID number or mobile in any log line (a path or a message may hold one).
                "personal_numbers": {"()": "prereg.core.logmask.PersonalNumberFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["request_id", "personal_numbers"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # The filters on django.request itself put the request id on the record of every 4xx/5xx
    # report and mask its numbers, whichever handler (a file, syslog, a test's caplog) receives it.
    "loggers": {"axes": {"level": "WARNING"}, "django.request": {"filters": ["request_id", "personal_numbers", "refusal"]}},
}
