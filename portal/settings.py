"""Settings of the Operations Portal, read from the environment only.

With nothing configured the portal runs on the embedded default: SQLite in WAL mode, the
kombu filesystem broker and a local-memory cache, all state under `var/`. `DATABASE_URL`
switches to PostgreSQL (psycopg 3 with a pool), `REDIS_URL` to Redis for broker and cache.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from portal.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

PORTAL_ENV = env_str("PORTAL_ENV", "development")
if PORTAL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"PORTAL_ENV must be development or production, not {PORTAL_ENV!r}.")
PRODUCTION = PORTAL_ENV == "production"


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when PORTAL_ENV=production.")
    # Development: one random key per checkout, kept under var/ so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_prometheus",
    "django_celery_beat",
    "apps.core",
    "apps.health",
    "apps.api",
    "apps.monitoring",
    "apps.incidents",
    "apps.backups",
    "apps.jobs",
    "apps.audit",
    "apps.routines",
    "apps.dashboards",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # WAL lets readers and the one writer work side by side; the busy timeout makes a
        # writer wait for the lock instead of failing with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # django-prometheus' wrapper adds query counters and durations to /metrics.
    _db["ENGINE"] = "django_prometheus.db.backends.postgresql"
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"]["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
    _db["OPTIONS"]["application_name"] = env_str("DB_APPLICATION_NAME", "operations-portal")
    if env_bool("DB_POOL", True):
        # One pool per process: total connections = processes x DB_POOL_MAX_SIZE.
        _db["OPTIONS"]["pool"] = {
            "min_size": env_int("DB_POOL_MIN_SIZE", 1),
            "max_size": env_int("DB_POOL_MAX_SIZE", 4),
            "timeout": env_float("DB_POOL_TIMEOUT", 5.0),
        }
        # One empty round trip per checkout: after a PostgreSQL restart a stale pooled
        # connection is replaced instead of failing the request that drew it.
        _db["CONN_HEALTH_CHECKS"] = env_bool("DB_POOL_CHECK", True)
    else:
        _db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
else:
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:// or postgres:// URL.")
DATABASES = {"default": _db}
DATABASE_VENDOR = "postgresql" if "postgresql" in _db["ENGINE"] else "sqlite"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker --------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
else:
    # Must exceed the hard time limit, or Redis redelivers a running task to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 7200),
    }

PORTAL_QUEUES = ["probes", "backups", "maintenance", "exports", "notifications"]
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name, type="direct"), routing_key=name) for name in PORTAL_QUEUES
]
CELERY_TASK_DEFAULT_QUEUE = "maintenance"
CELERY_TASK_ROUTES = {
    "apps.monitoring.*": {"queue": "probes"},
    "apps.backups.*": {"queue": "backups"},
    "apps.jobs.tasks.export*": {"queue": "exports"},
    "apps.jobs.*": {"queue": "maintenance"},
    "apps.incidents.tasks.notify*": {"queue": "notifications"},
    "apps.incidents.*": {"queue": "notifications"},
    "apps.health.*": {"queue": "maintenance"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env_int("CELERY_PREFETCH_MULTIPLIER", 1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_SOFT_TIME_LIMIT", 3000)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TIME_LIMIT", 3300)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "apps.health.beat:HeartbeatScheduler"
CELERY_BEAT_SCHEDULE: dict = {
    # Proves beat -> broker -> worker -> database end to end (apps.health.tasks).
    "portal-pipeline-tick": {
        "task": "apps.health.tasks.pipeline_tick",
        "schedule": 30.0,
        "options": {"queue": "maintenance", "expires": 60},
    },
}
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_SOFT_TIME_LIMIT must be below CELERY_TIME_LIMIT.")

# --- Health and metrics ---------------------------------------------------------------------
HEALTH_CACHE_SECONDS = env_float("HEALTH_CACHE_SECONDS", 2.0)
HEALTH_WORKER_MAX_AGE = env_int("HEALTH_WORKER_MAX_AGE", 60)
HEALTH_BEAT_MAX_AGE = env_int("HEALTH_BEAT_MAX_AGE", 60)
HEALTH_DISK_MIN_FREE_PERCENT = env_float("HEALTH_DISK_MIN_FREE_PERCENT", 10.0)
HEARTBEAT_INTERVAL = env_int("HEARTBEAT_INTERVAL", 15)
# A beat that stops renewing its scheduler lease for this long is replaced by a standby beat.
BEAT_LEASE_SECONDS = env_int("BEAT_LEASE_SECONDS", 30)
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR")
PROMETHEUS_EXPORT_MIGRATIONS = False

# --- Auth, i18n, static ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Production posture ---------------------------------------------------------------------
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Health probes come from the orchestrator over plain HTTP inside the cluster.
    SECURE_REDIRECT_EXEMPT = [r"^health", r"^metrics$"]

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "portal.logging.RedactSecretsFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "celery": {"level": LOG_LEVEL},
    },
}

# --- First run ------------------------------------------------------------------------------
PORTAL_ADMIN_USERNAME = env_str("PORTAL_ADMIN_USERNAME", "admin")
PORTAL_ADMIN_PASSWORD = env_str("PORTAL_ADMIN_PASSWORD")

# --- Processes started by `make run` ----------------------------------------------------------
PORT = env_int("PORT", 8000)
BIND = env_str("BIND", "127.0.0.1")
PORTAL_URL = env_str(
    "PORTAL_URL",
    f"http://{'127.0.0.1' if BIND in ('0.0.0.0', '::') else BIND}:{PORT}/",  # noqa: S104
)
WORKER_CONCURRENCY = env_int("WORKER_CONCURRENCY", 2)

# --- Monitoring (apps.monitoring) -------------------------------------------------------------
# Probes may not reach these networks (link-local, cloud metadata) unless also allowed below.
MONITORING_DENIED_NETWORKS = env_list(
    "MONITORING_DENIED_NETWORKS",
    "169.254.0.0/16,fe80::/10,100.100.100.200/32,fd00:ec2::254/128,192.0.0.192/32",
)
MONITORING_ALLOWED_NETWORKS = env_list("MONITORING_ALLOWED_NETWORKS", "")
MONITORING_MAX_BODY_BYTES = env_int("MONITORING_MAX_BODY_BYTES", 65_536)
MONITORING_MAX_REDIRECTS = env_int("MONITORING_MAX_REDIRECTS", 5)
MONITORING_BATCH_SIZE = env_int("MONITORING_BATCH_SIZE", 500)
MONITORING_CONCURRENCY = env_int("MONITORING_CONCURRENCY", 200)
MONITORING_MAX_FANOUT = env_int("MONITORING_MAX_FANOUT", 20)
MONITORING_DISPATCH_SECONDS = env_int("MONITORING_DISPATCH_SECONDS", 5)
MONITORING_SELF_MONITOR = env_bool("MONITORING_SELF_MONITOR", True)

# --- Incidents and alerting (apps.incidents) --------------------------------------------------
INCIDENTS_MONITOR_SEVERITY = env_str("INCIDENTS_MONITOR_SEVERITY", "SEV2")
INCIDENTS_ESCALATION_MINUTES = env_int("INCIDENTS_ESCALATION_MINUTES", 30)
NOTIFICATION_MAX_RETRIES = env_int("NOTIFICATION_MAX_RETRIES", 5)
NOTIFICATION_RETRY_BACKOFF_SECONDS = env_float("NOTIFICATION_RETRY_BACKOFF_SECONDS", 30.0)
NOTIFICATION_TIMEOUT_SECONDS = env_float("NOTIFICATION_TIMEOUT_SECONDS", 10.0)
RESOURCE_CPU_SAMPLE_SECONDS = env_float("RESOURCE_CPU_SAMPLE_SECONDS", 1.0)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portal@localhost")

# --- Backups (apps.backups) -------------------------------------------------------------------
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups"))).resolve()
# Fernet keys (comma-separated, newest first) that encrypt stored database passwords.
BACKUP_ENCRYPTION_KEYS = env_list("BACKUP_ENCRYPTION_KEYS")
# A policy may only name environment variables with this prefix as its password source, so
# an admin cannot make the portal send e.g. SECRET_KEY to a database server of their choice.
BACKUP_PASSWORD_ENV_PREFIX = env_str("BACKUP_PASSWORD_ENV_PREFIX", "BACKUP_")
BACKUP_PG_BIN_DIR = env_str("BACKUP_PG_BIN_DIR")
BACKUP_STALE_SECONDS = env_int("BACKUP_STALE_SECONDS", 300)
# Optional S3-compatible store for policies whose storage is "s3" (django-storages + boto3).
# Empty keys use boto3's own credential chain (instance role, ~/.aws, AWS_* variables).
BACKUP_S3_BUCKET = env_str("BACKUP_S3_BUCKET")
BACKUP_S3_PREFIX = env_str("BACKUP_S3_PREFIX", "portal-backups").strip("/")
BACKUP_S3_ENDPOINT_URL = env_str("BACKUP_S3_ENDPOINT_URL")
BACKUP_S3_REGION = env_str("BACKUP_S3_REGION")
BACKUP_S3_ACCESS_KEY_ID = env_str("BACKUP_S3_ACCESS_KEY_ID")
BACKUP_S3_SECRET_ACCESS_KEY = env_str("BACKUP_S3_SECRET_ACCESS_KEY")
BACKUP_S3_ADDRESSING_STYLE = env_str("BACKUP_S3_ADDRESSING_STYLE", "path")
# Written with each object: server-side encryption ("AES256", "aws:kms") and storage class.
BACKUP_S3_SSE = env_str("BACKUP_S3_SSE")
BACKUP_S3_STORAGE_CLASS = env_str("BACKUP_S3_STORAGE_CLASS")
# Multipart part size; an object can have at most 10,000 parts (16 MiB -> 160 GiB).
BACKUP_S3_PART_MB = env_int("BACKUP_S3_PART_MB", 16)

# --- Jobs, retention, exports (apps.jobs) and audit log (apps.audit) --------------------------
JOBS_LOCK_LEASE_SECONDS = env_int("JOBS_LOCK_LEASE_SECONDS", 600)
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 5000)
EXPORT_DIR = Path(env_str("EXPORT_DIR", str(VAR_DIR / "exports")))
EXPORT_CHUNK_SIZE = env_int("EXPORT_CHUNK_SIZE", 5000)
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 0)
EXPORT_FILE_HOURS = env_int("EXPORT_FILE_HOURS", 72)
EXPORT_LINK_MAX_AGE = env_int("EXPORT_LINK_MAX_AGE", 3600)
UPLOADS_MAX_AGE_DAYS = env_int("UPLOADS_MAX_AGE_DAYS", 30)
# Records admin changes (before/after) with the acting user; after AuthenticationMiddleware.
MIDDLEWARE += ["apps.audit.middleware.AuditContextMiddleware"]

# --- Operator routines (apps.routines) -------------------------------------------------------
# A checklist item with the disk evidence is ticked while disk use stays below this percent.
ROUTINES_DISK_MAX_PERCENT = env_float("ROUTINES_DISK_MAX_PERCENT", 90.0)
ROUTINES_DISK_PATH = env_str("ROUTINES_DISK_PATH")  # empty: the disk holding PORTAL_VAR_DIR
# Deployments this long before an incident opened are written into its timeline.
ROUTINES_DEPLOY_LOOKBACK_MINUTES = env_int("ROUTINES_DEPLOY_LOOKBACK_MINUTES", 60)

# --- Dashboards and status page (apps.dashboards) ---------------------------------------------
# Who receives the monthly availability report (comma-separated email addresses).
REPORT_RECIPIENTS = env_list("REPORT_RECIPIENTS")
# Seconds the overview's table is shared between viewers before it is computed again (0: never).
DASHBOARDS_CACHE_SECONDS = env_int("DASHBOARDS_CACHE_SECONDS", 5)

# --- Security (roles, rate limits, CSP) -------------------------------------------------------
INSTALLED_APPS += ["axes"]
# Rate limits and lockouts run before sessions so refused requests cost no database work.
MIDDLEWARE.insert(1, "apps.core.ratelimit.RateLimitMiddleware")
MIDDLEWARE.insert(2, "apps.api.middleware.JsonApiErrorsMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_prometheus.middleware.PrometheusAfterMiddleware"),
    "axes.middleware.AxesMiddleware",
)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Proxies whose X-Forwarded-For is believed when finding the client address (rate limits,
# lockouts). Empty: REMOTE_ADDR is the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
RATELIMIT_PING = env_str("RATELIMIT_PING", "60/m")
RATELIMIT_API = env_str("RATELIMIT_API", "60/m")
# Lock out a username from one address after N failures; never the username everywhere, so
# nobody can lock an admin out from afar. The lock lifts by itself after the cool-off.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "apps.core.clientip.axes_client_ip"
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_VERBOSE = False
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # The admin's templates still carry a few style attributes.
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
