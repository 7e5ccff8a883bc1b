"""PARS settings: every value comes from the environment, with a safe default.

Our own keys start with ``PARS_``; the standard Flask, Flask-Mail and Flask-AppBuilder
keys keep their usual names. Each key is documented in README.md.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("PARS_INSTANCE_DIR", BASE_DIR / "instance"))

#: The value a developer's machine uses when SECRET_KEY is not set. Production refuses it.
DEVELOPMENT_SECRET_KEY = "pars-development-only-secret-key"  # noqa: S105 (refused in production)


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def database_url() -> str:
    """The database URL: ``DATABASE_URL`` or a SQLite file under ``instance/``.

    ``postgres://`` and ``postgresql://`` URLs are pointed at the psycopg 3 driver.
    """
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'pars.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Settings for running PARS; read once when the app is created."""

    APP_NAME = "PARS"
    PARS_ENV = os.environ.get("PARS_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    DEBUG = False
    SERVER_NAME = os.environ.get("SERVER_NAME") or None
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")

    # Flask-AppBuilder: tables and permissions come from migrations and
    # `flask pars sync-roles`, never from app start-up.
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = False
    FAB_ADD_SECURITY_API = False
    FAB_API_SWAGGER_UI = _bool("PARS_API_DOCS", False)
    FAB_API_MAX_PAGE_SIZE = 100
    FAB_SECURITY_MANAGER_CLASS = "app.security.manager.PARSSecurityManager"
    FAB_INDEX_VIEW = "app.views.home.PARSIndexView"
    FAB_SAFE_REDIRECT_HOSTS = [
        h.strip() for h in os.environ.get("PARS_SAFE_REDIRECT_HOSTS", "").split(",") if h.strip()
    ]
    AUTH_TYPE = 1  # database authentication
    #: Flask-AppBuilder's own password forms apply the PARS policy (app.services.passwords).
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    AUTH_USER_REGISTRATION = False
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = {"en": {"flag": "us", "name": "English"}}

    # CSRF on every state-changing request (Flask-WTF CSRFProtect).
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None

    # Sessions and cookies. Signed-in sessions are also kept on the server (ended on
    # logout, password reset, deactivation, idle timeout and absolute lifetime).
    SESSION_COOKIE_NAME = "pars_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("PARS_SECURE_COOKIES", False)
    REMEMBER_COOKIE_HTTPONLY = True
    PARS_SESSION_IDLE_MINUTES = _int("PARS_SESSION_IDLE_MINUTES", 30)
    PARS_SESSION_MAX_HOURS = _int("PARS_SESSION_MAX_HOURS", 12)

    # Sign-in and password links.
    PARS_RESET_LINK_MINUTES = _int("PARS_RESET_LINK_MINUTES", 60)
    PARS_WELCOME_LINK_HOURS = _int("PARS_WELCOME_LINK_HOURS", 72)
    PARS_LOCKOUT_FAILURES = _int("PARS_LOCKOUT_FAILURES", 5)
    PARS_LOCKOUT_MINUTES = _int("PARS_LOCKOUT_MINUTES", 15)
    PARS_RESET_RATE_LIMIT = os.environ.get("PARS_RESET_RATE_LIMIT", "5 per hour")
    #: Where links in emails point when SERVER_NAME is not set (a developer's machine).
    PARS_DEVELOPMENT_URL = "http://127.0.0.1:8080"
    #: How many reverse proxies in front of the app set X-Forwarded-For (0: none).
    PARS_PROXY_COUNT = _int("PARS_PROXY_COUNT", 0)
    #: Level of PARS's own log messages (DEBUG, INFO, WARNING...).
    PARS_LOG_LEVEL = os.environ.get("PARS_LOG_LEVEL", "INFO").upper()

    # Rate limiting (Flask-Limiter through Flask-AppBuilder).
    RATELIMIT_ENABLED = _bool("PARS_RATE_LIMIT", True)
    AUTH_RATE_LIMITED = RATELIMIT_ENABLED
    AUTH_RATE_LIMIT = os.environ.get("PARS_LOGIN_RATE_LIMIT", "10 per 20 second")
    #: Counters shared by every app server: the PARS database, or Redis (redis://...).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "pars-db://")
    RATELIMIT_HEADERS_ENABLED = False

    # Email (standard Flask-Mail keys).
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "pars-support@example.org")

    # PARS settings.
    PARS_PAGE_SIZE = _int("PARS_PAGE_SIZE", 25)
    PARS_MAX_PAGE_SIZE = _int("PARS_MAX_PAGE_SIZE", 100)
    PARS_EXPORT_BATCH_SIZE = _int("PARS_EXPORT_BATCH_SIZE", 2000)
    PARS_FORCE_HTTPS = _bool("PARS_FORCE_HTTPS", False)

    # Batch upload of activities. A request larger than MAX_CONTENT_LENGTH is refused
    # (413) before it is read.
    MAX_CONTENT_LENGTH = _int("PARS_UPLOAD_MAX_MB", 20) * 1024 * 1024
    PARS_UPLOAD_DIR = os.environ.get("PARS_UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    PARS_UPLOAD_MAX_ROWS = _int("PARS_UPLOAD_MAX_ROWS", 50_000)
    PARS_UPLOAD_MAX_XLSX_BYTES = _int("PARS_UPLOAD_MAX_XLSX_MB", 100) * 1024 * 1024
    PARS_UPLOAD_MAX_XLSX_ENTRIES = _int("PARS_UPLOAD_MAX_XLSX_ENTRIES", 1000)
    PARS_UPLOAD_MAX_PROBLEMS = _int("PARS_UPLOAD_MAX_PROBLEMS", 50_000)
    # Files attached to an accreditation review (self-study report, evidence...).
    PARS_MATERIAL_MAX_MB = _int("PARS_MATERIAL_MAX_MB", 20)


class ProductionConfig(Config):
    """Production: real secret required, secure cookies, HTTPS."""

    PARS_ENV = "production"
    SESSION_COOKIE_SECURE = True
    #: The __Host- prefix: the browser sends it only over HTTPS, to this exact host.
    SESSION_COOKIE_NAME = "__Host-pars_session"
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    PARS_FORCE_HTTPS = _bool("PARS_FORCE_HTTPS", True)


class TestConfig(Config):
    """Tests: an in-memory-free throwaway database chosen by the test fixtures."""

    TESTING = True
    PARS_ENV = "test"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_ENABLED = False
    AUTH_RATE_LIMITED = False
    SERVER_NAME = None
    MAIL_SERVER = None


def config_for_environment() -> str:
    """The dotted path of the Config class named by ``PARS_ENV``."""
    env = os.environ.get("PARS_ENV", "development")
    return "config.ProductionConfig" if env == "production" else "config.Config"
