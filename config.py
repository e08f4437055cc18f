"""Configuration classes, read from the environment.

Every variable is listed in the README's configuration table.
"""

import contextlib
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


MIN_SECRET_KEY_BYTES = 32
SECRET_KEY_FILE = "secret_key"


def development_secret_key(directory: Path = INSTANCE_DIR) -> str:
    """The key development signs with: made at random on first use, then read from `directory/secret_key`.

    A published default key would let anyone forge a staff login on a development install (and compute
    tracking codes), so there is none. The file is written whole under another name, then linked into place:
    linking never replaces an existing file, so two processes starting together end up with the same key.
    It is readable by its owner only; instance/ is not committed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / SECRET_KEY_FILE
    if not path.exists():
        fd, temporary = tempfile.mkstemp(prefix=".secret_key.", dir=directory)  # mode 0600
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48) + "\n")
                file.flush()
                os.fsync(file.fileno())
            with contextlib.suppress(FileExistsError):  # another process was first: its key is the one
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    key = path.read_text().strip()
    if len(key.encode()) < MIN_SECRET_KEY_BYTES:
        raise RuntimeError(f"{path} holds a key shorter than {MIN_SECRET_KEY_BYTES} bytes: delete it to make a new one")
    return key


# The SMS templates the site sends (app/core/sms.py TEMPLATES): each is mapped to the provider's approved
# template id by SMS_TEMPLATE_<KEY> (SMS_TEMPLATE_LOGIN_CODE=1234567).
SMS_TEMPLATE_KEYS = (
    "login_code",
    "reset_code",
    "change_password_code",
    "register_code",
    "proxy_appoint_code",
    "notify_action",
    "notify_info",
    "notify_digest",
)
TENCENT_SMS_REQUIRED = (
    "TENCENT_SMS_SECRET_ID",
    "TENCENT_SMS_SECRET_KEY",
    "TENCENT_SMS_SDK_APP_ID",
    "TENCENT_SMS_SIGN_NAME",
)


class Config:
    """Settings shared by every environment."""

    # Unset outside production: development makes a random key once and keeps it in instance/secret_key
    # (development_secret_key); production refuses to start without one (ProductionConfig.check).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'yishi.sqlite3'}")
    # Per process: N processes × (pool size + overflow) must stay under PostgreSQL's max_connections.
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_pre_ping": True,
        "pool_size": int(os.environ.get("DATABASE_POOL_SIZE", 10)),
        "max_overflow": int(os.environ.get("DATABASE_MAX_OVERFLOW", 20)),
        "pool_timeout": int(os.environ.get("DATABASE_POOL_TIMEOUT", 10)),
    }
    # Socket events handled at once per process; the rest wait their turn in memory rather than for a
    # database connection (whose wait times out). Defaults to the pool's size: the overflow is left to the
    # pages, and a storm of joins does not open and close overflow connections for every event (issue 20).
    SOCKET_HANDLER_CONCURRENCY = int(
        os.environ.get("SOCKET_HANDLER_CONCURRENCY", int(os.environ.get("DATABASE_POOL_SIZE", 10)))
    )
    # A socket event waits at most this long for a slot; past it the process is saturated and answers "busy,
    # retry after SOCKET_RETRY_AFTER_SECONDS" (the web client waits that long, with jitter) instead of an
    # acknowledgement that times out (issue 20).
    SOCKET_SLOT_WAIT_SECONDS = float(os.environ.get("SOCKET_SLOT_WAIT_SECONDS", 5))
    SOCKET_RETRY_AFTER_SECONDS = int(os.environ.get("SOCKET_RETRY_AFTER_SECONDS", 2))
    # A join waits longer (its client waits 15 s, other events 10 s): a storm of joins is served in turn rather
    # than sent away and asked again (bench/NOTES.md, 2026-12-06).
    SOCKET_JOIN_SLOT_WAIT_SECONDS = float(os.environ.get("SOCKET_JOIN_SLOT_WAIT_SECONDS", 12))
    # Socket events that can wait (a join, whose client asks again when told to) run at most this many at once
    # per process, and at most SOCKET_DEFERRED_DURING_PAGES while the process serves an HTTP request, so that a
    # page is not queued behind a storm of them on the one core (core.priority, issue 20).
    SOCKET_DEFERRED_CONCURRENCY = int(os.environ.get("SOCKET_DEFERRED_CONCURRENCY", 64))
    SOCKET_DEFERRED_DURING_PAGES = int(os.environ.get("SOCKET_DEFERRED_DURING_PAGES", 2))
    # ... and for this long after the last request ended (the next page, or the page's files, comes soon after).
    # Off by default: with pages one after another it holds the joins to the narrow limit throughout (bench/NOTES.md)
    SOCKET_PAGES_GRACE_SECONDS = float(os.environ.get("SOCKET_PAGES_GRACE_SECONDS", 0))
    # Votes arriving together are written together (group commit), at most this many per transaction.
    VOTE_BATCH_MAX = int(os.environ.get("VOTE_BATCH_MAX", 500))
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # connections of each process's client for presence and generation counters (core.realtime.shared_redis)
    REDIS_POOL_SIZE = int(os.environ.get("REDIS_POOL_SIZE", 20))
    # Every key and channel this site writes to Redis starts with REDIS_PREFIX: the Socket.IO message queue
    # (<prefix>:socketio unless SOCKETIO_CHANNEL says otherwise), the control channel (<prefix>:control),
    # presence (<prefix>:presence:...) and every rate limit (<prefix>/..., unless RATELIMIT_KEY_PREFIX says
    # otherwise). Two sites on one Redis need two prefixes (pub/sub ignores the db number).
    REDIS_PREFIX = os.environ.get("REDIS_PREFIX", "yishi")
    # Presence: each process re-stamps its members every PRESENCE_HEARTBEAT_SECONDS; members not re-stamped
    # for PRESENCE_TTL_SECONDS (a process that crashed) are no longer counted.
    PRESENCE_HEARTBEAT_SECONDS = float(os.environ.get("PRESENCE_HEARTBEAT_SECONDS", 5))
    PRESENCE_TTL_SECONDS = float(os.environ.get("PRESENCE_TTL_SECONDS", 15))

    # Logs (app/core/logs.py): one line per record, with time, level, logger and the request id;
    # LOG_FORMAT "text" or "json" (one JSON object a line), LOG_LEVEL a logging level name.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # GET /metrics (Prometheus text format) answers only clients in METRICS_ALLOW (addresses or networks,
    # comma-separated) or bearing METRICS_TOKEN ("Authorization: Bearer <token>"); anyone else gets 404.
    # With PROMETHEUS_MULTIPROC_DIR set (a directory emptied before the processes start), the figures of
    # every process of the machine are added up; otherwise each process reports its own.
    METRICS_ALLOW = _env_list("METRICS_ALLOW", "127.0.0.1,::1")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
    # Strict-Transport-Security on every response (max-age in seconds; 0 sends none). Production: a year.
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 0))

    # Socket.IO: async mode is a setting; eventlet and gevent are imported only by wsgi.py.
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")
    SOCKETIO_ALLOWED_ORIGINS = _env_list("SOCKETIO_ALLOWED_ORIGINS", "http://127.0.0.1:5000,http://localhost:5000")
    # The Redis pub/sub channel the server processes of one site share; unset: "<REDIS_PREFIX>:socketio".
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL") or None
    # Room-wide updates that change with every member (presence, a vote's running count, a contest's
    # turnout) go out at most once per this many seconds per room, with the latest figure; 0 sends each.
    REALTIME_COALESCE_SECONDS = float(os.environ.get("REALTIME_COALESCE_SECONDS", 0.5))

    # The server process (wsgi.py): connections one process holds at once (eventlet's pool size,
    # gevent's pool), the listen backlog for a burst of connections, and the access log.
    SERVER_MAX_CONNECTIONS = int(os.environ.get("SERVER_MAX_CONNECTIONS", 10000))
    SERVER_BACKLOG = int(os.environ.get("SERVER_BACKLOG", 2048))
    SERVER_ACCESS_LOG = _env_bool("SERVER_ACCESS_LOG", True)
    # The collector's thresholds in a server process (gc.set_threshold). With the default 700 a busy room
    # with a thousand connections ran full collections of 100-180 ms every few seconds (bench/NOTES.md).
    SERVER_GC_THRESHOLD = tuple(int(n) for n in os.environ.get("SERVER_GC_THRESHOLD", "10000,10,10").split(","))
    # Proxies in front that set X-Forwarded-For/-Proto/-Host (nginx: 1). 0 trusts none: the client
    # address (rate limits key on it) is then the proxy's.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", 0))

    # Static files: fingerprinted URLs (url_for('static', ...)) are cached for a year;
    # plain ones for STATIC_MAX_AGE seconds.
    STATIC_MAX_AGE = int(os.environ.get("STATIC_MAX_AGE", 300))
    STATIC_IMMUTABLE_MAX_AGE = 365 * 24 * 60 * 60
    # Flask-Compress: brotli or gzip for text responses, static files included.
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
        "text/plain",
    ]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_LEVEL = 6
    COMPRESS_BR_LEVEL = 5
    COMPRESS_MIN_SIZE = 500
    COMPRESS_STREAMS = True

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 30
    # Logins (app/accounts/sessions.py): "stay logged in" lasts LOGIN_REMEMBER_DAYS, the cookie and the
    # login's record alike; a login not remembered also ends after LOGIN_IDLE_MINUTES unseen. A login is
    # marked seen at most every LOGIN_TOUCH_SECONDS; each server process checks its sockets' logins every
    # LOGIN_SWEEP_SECONDS (ended elsewhere while this process missed the word: disconnected then).
    REMEMBER_COOKIE_DURATION = timedelta(days=int(os.environ.get("LOGIN_REMEMBER_DAYS", 30)))
    LOGIN_IDLE_MINUTES = float(os.environ.get("LOGIN_IDLE_MINUTES", 120))
    LOGIN_TOUCH_SECONDS = float(os.environ.get("LOGIN_TOUCH_SECONDS", 300))
    LOGIN_SWEEP_SECONDS = float(os.environ.get("LOGIN_SWEEP_SECONDS", 60))
    # a socket keeps its login between events while its user's rights counter holds, this long at most
    LOGIN_RECHECK_SECONDS = float(os.environ.get("LOGIN_RECHECK_SECONDS", 60))
    # Without REDIS_URL the generation counters (app/core/generations.py) are this process's own: they may be
    # trusted only where this process is the server's only one (`make run`, the tests). Elsewhere a server
    # without Redis looks a socket's login and rights up again at every event.
    ONE_PROCESS = _env_bool("ONE_PROCESS", False)

    WTF_CSRF_TIME_LIMIT = None  # a form left open on a phone for hours still posts
    # a request may carry six photos of UPLOAD_MAX_BYTES each, and the form around them
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 50 * 1024 * 1024))
    ROSTER_MAX_ROWS = int(os.environ.get("ROSTER_MAX_ROWS", 5000))

    # Photos: stored re-encoded under UPLOAD_DIR/<community_id>/, never under static/.
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads")
    UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 8 * 1024 * 1024))
    UPLOAD_MAX_PIXELS = int(os.environ.get("UPLOAD_MAX_PIXELS", 40_000_000))
    # Documents attached to decisions, consultations, projects and entries: under UPLOAD_DIR/<community_id>/documents/
    ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
    ATTACHMENT_MAX_COUNT = int(os.environ.get("ATTACHMENT_MAX_COUNT", 20))  # per object, not counting removed ones

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("YISHI_TIMEZONE", "Asia/Shanghai")
    LANGUAGES = ["zh_CN", "en"]

    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down: count in this process's memory until it is back, rather than fail requests.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Unset: REDIS_PREFIX (see above).
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX") or None
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute;50 per hour")
    RATELIMIT_REGISTER = os.environ.get("RATELIMIT_REGISTER", "5 per minute;30 per hour")
    RATELIMIT_SPEAK = os.environ.get("RATELIMIT_SPEAK", "12 per minute;200 per hour")
    # New ideas, comments, contest entries and objections, together, per member (a retry is not a new post)
    RATELIMIT_POST = os.environ.get("RATELIMIT_POST", "10 per minute;100 per hour")

    # Notifications outside the app (app/notifications/delivery.py). "rq": a job per delivery on REDIS_URL,
    # run by `flask yishi worker`; "inline": sent in this process right after the commit (no Redis).
    DELIVERY_QUEUE = os.environ.get("DELIVERY_QUEUE") or ("rq" if REDIS_URL else "inline")
    DELIVERY_MAX_ATTEMPTS = int(os.environ.get("DELIVERY_MAX_ATTEMPTS", 4))
    DELIVERY_RETRY_SECONDS = _env_list("DELIVERY_RETRY_SECONDS", "30,120,600")
    # a delivery still "sending" this long after its claim was left by a stopped worker: settled (asked of the
    # SMS provider, sent again if it never went); longer than a send may take and a provider's report delay
    DELIVERY_LEASE_SECONDS = float(os.environ.get("DELIVERY_LEASE_SECONDS", 120))
    QUIET_HOURS = os.environ.get("QUIET_HOURS", "21-8")  # Beijing hours without text messages (urgent excepted)
    DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", 18))  # the daily digest goes out at this Beijing hour
    # Email over SMTP; without MAIL_SERVER an email is logged, not sent.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_FROM = os.environ.get("MAIL_FROM", "议事 <noreply@yishi.local>")
    MAIL_TIMEOUT_SECONDS = int(os.environ.get("MAIL_TIMEOUT_SECONDS", 10))
    SITE_URL = os.environ.get("SITE_URL", "")  # put before the links in emails

    # Text messages (app/core/sms.py): "development" logs them and lists them on /dev/sms (sends nothing);
    # "tencent" sends through Tencent Cloud SMS with the TENCENT_SMS_* settings and the template ids.
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "development")
    SMS_TEMPLATES = {key: os.environ.get(f"SMS_TEMPLATE_{key.upper()}", "") for key in SMS_TEMPLATE_KEYS}
    TENCENT_SMS_SECRET_ID = os.environ.get("TENCENT_SMS_SECRET_ID", "")
    TENCENT_SMS_SECRET_KEY = os.environ.get("TENCENT_SMS_SECRET_KEY", "")
    TENCENT_SMS_SDK_APP_ID = os.environ.get("TENCENT_SMS_SDK_APP_ID", "")
    TENCENT_SMS_SIGN_NAME = os.environ.get("TENCENT_SMS_SIGN_NAME", "")
    TENCENT_SMS_REGION = os.environ.get("TENCENT_SMS_REGION", "ap-guangzhou")
    # Unset: the provider's own (sms.tencentcloudapi.com over HTTPS); the tests point it at a stand-in.
    TENCENT_SMS_ENDPOINT = os.environ.get("TENCENT_SMS_ENDPOINT", "")
    SMS_TIMEOUT_SECONDS = int(os.environ.get("SMS_TIMEOUT_SECONDS", 10))
    # An unknown number's request waits about as long as a send takes (nothing tells it apart): this long
    # until the process has timed a real send.
    SMS_TYPICAL_SEND_SECONDS = float(os.environ.get("SMS_TYPICAL_SEND_SECONDS", 0.3))
    # One-time codes: SMS codes last SMS_CODE_MINUTES, a code printed at the community office DESK_CODE_HOURS;
    # a code is dead after CODE_MAX_ATTEMPTS tries.
    SMS_CODE_MINUTES = int(os.environ.get("SMS_CODE_MINUTES", 5))
    DESK_CODE_HOURS = int(os.environ.get("DESK_CODE_HOURS", 24))
    CODE_MAX_ATTEMPTS = int(os.environ.get("CODE_MAX_ATTEMPTS", 5))
    # Codes sent per mobile number (whoever asks) and per client address (whatever the numbers).
    RATELIMIT_SMS_NUMBER = os.environ.get("RATELIMIT_SMS_NUMBER", "1 per minute;5 per hour;10 per day")
    RATELIMIT_SMS_ADDRESS = os.environ.get("RATELIMIT_SMS_ADDRESS", "20 per hour")

    DEMO_PASSWORD = os.environ.get("YISHI_DEMO_PASSWORD", "yishi2026")
    SITE_NAME = "议事 Yishi"


def development_origins(host: str, port: str) -> list[str]:
    """The origins a browser shows for a development server on host:port (`PORT=5101 make run`).

    Listening on every interface (0.0.0.0 or ::), the page may be opened at any address of the
    machine (a phone on the same network): every origin is then allowed, in development only.
    """
    host = host.strip() or "127.0.0.1"
    if host in {"0.0.0.0", "::", "[::]"}:
        return ["*"]
    if host in {"127.0.0.1", "localhost"}:
        return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return [f"http://{host}:{port}"]


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, in-process Socket.IO."""

    DEBUG = False
    ONE_PROCESS = _env_bool("ONE_PROCESS", True)  # `make run`: one process
    # The browser's origin follows where `make run` listens (HOST, PORT) unless the origins are set.
    SOCKETIO_ALLOWED_ORIGINS = _env_list("SOCKETIO_ALLOWED_ORIGINS", "") or development_origins(
        os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "5000")
    )


class TestingConfig(Config):
    """The test suite: in-memory SQLite unless TEST_DATABASE_URL is set."""

    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    REDIS_URL = None
    ONE_PROCESS = True
    SOCKETIO_ASYNC_MODE = "threading"
    SOCKETIO_ALLOWED_ORIGINS = ["http://localhost"]
    REALTIME_COALESCE_SECONDS = 0.0  # every update at once: tests read them synchronously
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    SERVER_NAME = "localhost"
    SMS_BACKEND = "development"  # whatever the environment says: tests send no text message
    DELIVERY_QUEUE = "inline"
    MAIL_SERVER = ""
    RATELIMIT_SMS_NUMBER = "1 per minute;5 per hour;10 per day"
    RATELIMIT_SMS_ADDRESS = "20 per hour"


class ProductionConfig(Config):
    """Production: PostgreSQL, Redis, gevent (gunicorn); refuses to start half-configured."""

    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "gevent")
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "tencent")
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 365 * 24 * 60 * 60))
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    @classmethod
    def check(cls) -> None:
        """Refuse to run without the settings production cannot guess."""
        missing = [
            name for name in ("SECRET_KEY", "DATABASE_URL", "SOCKETIO_ALLOWED_ORIGINS") if not os.environ.get(name)
        ]
        if missing:
            raise RuntimeError("Production configuration needs these environment variables: " + ", ".join(missing))
        if len(os.environ["SECRET_KEY"].encode()) < MIN_SECRET_KEY_BYTES:
            raise RuntimeError(
                f"SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes long in production "
                '(e.g. python -c "import secrets; print(secrets.token_hex(32))")'
            )
        cls._check_sms()

    @staticmethod
    def _check_sms() -> None:
        """A real SMS provider, fully configured; the development backend only when explicitly allowed."""
        backend = os.environ.get("SMS_BACKEND", "tencent")
        if backend == "development":
            if not _env_bool("SMS_ALLOW_DEVELOPMENT_BACKEND", False):
                raise RuntimeError(
                    "SMS_BACKEND=development sends no text messages: nobody could log in with a code or reset a "
                    "password. Set SMS_BACKEND=tencent with its TENCENT_SMS_* settings, or "
                    "SMS_ALLOW_DEVELOPMENT_BACKEND=1 on a trial site"
                )
            return
        if backend != "tencent":
            raise RuntimeError(f"SMS_BACKEND must be tencent or development, not {backend!r}")
        names = [*TENCENT_SMS_REQUIRED, *(f"SMS_TEMPLATE_{key.upper()}" for key in SMS_TEMPLATE_KEYS)]
        missing = [name for name in names if not os.environ.get(name)]
        if missing:
            raise RuntimeError("SMS_BACKEND=tencent needs these environment variables: " + ", ".join(missing))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The config class named by YISHI_CONFIG (default: development)."""
    name = os.environ.get("YISHI_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"YISHI_CONFIG must be one of {sorted(CONFIGS)}, not {name!r}") from None
