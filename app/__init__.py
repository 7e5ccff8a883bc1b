"""PARS: the Program and Activity Reporting System, on Flask-AppBuilder.

:func:`create_app` is the only way to build the application; nothing here creates tables
or writes to the database at start-up (``flask db upgrade`` and ``flask pars sync-roles``
do that as setup steps).
"""

from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path
from typing import Any

from flask import Flask, abort, flash, g, redirect, render_template, request, session, url_for
from flask_talisman import Talisman

from app.extensions import csrf, db, mail, migrate, new_appbuilder
from app.logs import configure_logging, redact_tokens_in_logs
from app.services.passwords import fab_validator

APP_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = APP_DIR / "migrations"
PAGING_ARG = re.compile(r"^(psize|page)_")
#: Ids are 32-bit integer columns on every database PARS runs on.
MAX_ID = 2**31

log = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """The configuration is not safe to run with."""


def check_production_config(app: Flask) -> None:
    """Refuse to start in production without a real SECRET_KEY."""
    from config import DEVELOPMENT_SECRET_KEY

    if app.config.get("PARS_ENV") != "production":
        return
    secret = app.config.get("SECRET_KEY") or ""
    if secret == DEVELOPMENT_SECRET_KEY or len(secret) < 32:
        raise ConfigurationError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production."
        )
    if not app.config.get("SERVER_NAME"):
        raise ConfigurationError(
            "SERVER_NAME must be set in production: links in emails are built from it."
        )
    if not app.config.get("MAIL_SERVER"):
        raise ConfigurationError(
            "MAIL_SERVER must be set in production: without it, password links would be "
            "written to the log instead of being emailed."
        )


def create_app(
    config_object: str | object = "config.Config", overrides: dict[str, Any] | None = None
) -> Flask:
    """Build a PARS application from a config class (or its dotted path) and overrides."""
    app = Flask(__name__, instance_path=str(APP_DIR.parent / "instance"))
    app.config.from_object(config_object)
    if overrides:
        app.config.update(overrides)
    check_production_config(app)
    app.config.setdefault("FAB_PASSWORD_COMPLEXITY_VALIDATOR", fab_validator)
    _trust_proxies(app)
    redact_tokens_in_logs()
    configure_logging(app.config.get("PARS_LOG_LEVEL", "INFO"))
    _ensure_sqlite_folder(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)  # before AppBuilder, or every API POST answers 400
    mail.init_app(app)
    _private_token_pages(app)  # before talisman, so that it runs after it
    _init_headers(app)
    with app.app_context():
        appbuilder = new_appbuilder()
        appbuilder.init_app(app, db.session)
        from app.views import register_views

        register_views(appbuilder)
    from app.views import switcher

    switcher.register(app)
    _register_request_hooks(app)
    _register_error_pages(app)
    from app.cli import pars

    app.cli.add_command(pars)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind ``PARS_PROXY_COUNT`` reverse proxies, take the client's address from
    X-Forwarded-For (rate limits and the audit trail use it). The Host header is never
    trusted for links: they are built from SERVER_NAME."""
    count = int(app.config.get("PARS_PROXY_COUNT") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def _ensure_sqlite_folder(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and uri != "sqlite://":
        Path(uri[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)


#: Pages whose address carries a token: the browser must not pass it on in a Referer.
TOKEN_ENDPOINTS = {"PasswordRecoveryView.reset", "PasswordRecoveryView.confirm_email"}


def _private_token_pages(app: Flask) -> None:
    """``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store`` on every answer of
    the token pages (errors too): the token stays out of Referer headers and caches.

    Talisman sets the site-wide policy on every response, over any a view set. After-request
    functions run in the reverse order of registration, so this one, registered before
    talisman, runs after it and has the last word.
    """

    @app.after_request
    def no_referrer(response: Any) -> Any:
        if request.endpoint in TOKEN_ENDPOINTS:
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["Cache-Control"] = "no-store"
        return response


def _init_headers(app: Flask) -> None:
    """Security headers on every response (flask-talisman).

    One Talisman per app: Talisman keeps its settings on itself, so a shared instance
    would give every app the settings of the last one created (a production app built
    in the same process would force HTTPS on the others).
    """
    talisman = Talisman()
    app.extensions["talisman"] = talisman
    talisman.init_app(
        app,
        force_https=app.config.get("PARS_FORCE_HTTPS", False),
        strict_transport_security=True,
        strict_transport_security_max_age=31536000,
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        content_security_policy={
            "default-src": "'self'",
            "img-src": "'self' data:",
            "style-src": "'self' 'unsafe-inline'",
            "script-src": "'self'",
            "font-src": "'self' data:",
            "frame-ancestors": "'none'",
            "form-action": "'self'",
            "base-uri": "'self'",
            "object-src": "'none'",
        },
        content_security_policy_nonce_in=["script-src"],
    )


CLOSED_ENDPOINTS = {
    "SecurityApi.login",
    "SecurityApi.refresh",
    "ResetMyPasswordView.this_form_get",
    "ResetMyPasswordView.this_form_post",
}
#: Endpoints a visitor may open without signing in.
PUBLIC_ENDPOINTS = {
    "static",
    "appbuilder.static",
    "PARSIndexView.index",
    "LocaleView.index",
    "UtilView.back",
}
#: Views whose every page is for visitors (signing in, recovering an account).
PUBLIC_VIEWS = {"SignInView", "PasswordRecoveryView"}
#: Pages a user who must choose a new password may still open.
FIRST_PASSWORD_ENDPOINTS = {
    "AccountView.first_password",
    "SignInView.logout",
    "static",
    "appbuilder.static",
}


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def name_the_request() -> None:
        """Every request gets an id, sent back in ``X-Request-ID`` and kept in the audit
        trail and in error reports."""
        g.request_id = uuid.uuid4().hex

    @app.before_request
    def first_sign_in_sets_a_password() -> Any:
        """An account brought over from a legacy system chooses a new password before
        anything else (resolving the user here also checks the server-side session
        before any view runs)."""
        user = getattr(g, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if getattr(user, "must_set_password", False) and (
            request.endpoint not in FIRST_PASSWORD_ENDPOINTS
        ):
            return redirect(url_for("AccountView.first_password"))
        return None

    @app.before_request
    def reject_bad_paging() -> None:
        """``psize_<View>`` and ``page_<View>`` must be whole numbers (else 400, not 500)."""
        for name, value in request.args.items():
            if PAGING_ARG.match(name) and not (value.isdigit() and len(value) <= 9):
                abort(400, description="Page numbers and page sizes must be whole numbers.")

    @app.before_request
    def reject_impossible_ids() -> None:
        """Record ids are whole numbers that fit the id columns; anything else is a page
        that does not exist (404), never a database error."""
        pk = (request.view_args or {}).get("pk")
        if pk is not None and not (str(pk).isdigit() and int(pk) < MAX_ID):
            abort(404)

    @app.before_request
    def no_file_downloads() -> None:
        """Flask-AppBuilder gives every model view a ``download/<filename>`` route that
        serves files by name whatever the row; PARS list views hold no files (uploads have
        their own scoped routes), so the route answers 404 everywhere."""
        if (request.endpoint or "").endswith(".download"):
            abort(404)

    @app.before_request
    def closed_endpoints() -> None:
        """Flask-AppBuilder routes PARS replaces answer 404: the JWT sign-in API (it would
        bypass lockout, rate limit and audit) and "reset my password" (it does not ask
        for the current password; "My account" does)."""
        if request.endpoint in CLOSED_ENDPOINTS:
            abort(404)

    @app.before_request
    def reject_unknown_actions() -> None:
        """An action name no view declares answers 404 (Flask-AppBuilder's own views
        would raise on it and answer 500)."""
        endpoint = request.endpoint or ""
        if not endpoint.endswith((".action", ".action_post")):
            return
        view = getattr(app.view_functions.get(endpoint), "__self__", None)
        name = (request.view_args or {}).get("name") or request.form.get("action")
        if view is None or name not in getattr(view, "actions", {}):
            abort(404)

    @app.before_request
    def visitors_sign_in_first() -> Any:
        """A visitor who opens a private page is sent to sign in, and back afterwards,
        with a plain "please sign in" (not Flask-AppBuilder's "Access is Denied"). The API
        keeps answering 401."""
        user = getattr(g, "user", None)
        endpoint = request.endpoint or ""
        if (user is not None and user.is_authenticated) or endpoint in PUBLIC_ENDPOINTS:
            return None
        if (
            request.path.startswith(("/api/", "/swagger/"))
            or endpoint.split(".")[0] in PUBLIC_VIEWS
        ):
            return None
        if not session.get("_flashes"):
            flash("Please sign in to continue.", "info")
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("SignInView.login", next=target))

    @app.after_request
    def no_store_for_signed_in(response: Any) -> Any:
        """Pages and exports for a signed-in user are never cached."""
        user = getattr(g, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            response.headers["Cache-Control"] = "no-store"
        if g.get("request_id"):
            response.headers["X-Request-ID"] = g.request_id
        return response


def _register_error_pages(app: Flask) -> None:
    def page(code: int, title: str, message: str, reference: str | None = None) -> Any:
        return render_template(
            "pars/error.html", code=code, title=title, message=message, reference=reference
        ), code

    @app.errorhandler(400)
    def bad_request(error: Any) -> Any:
        return page(
            400, "Bad request", getattr(error, "description", "") or "The request was not valid."
        )

    @app.errorhandler(404)
    def not_found(error: Any) -> Any:
        return page(404, "Not found", "There is no such page, or it is not available to you.")

    @app.errorhandler(413)
    def too_large(error: Any) -> Any:
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return page(
            413,
            "File too large",
            f"The file is larger than {limit} MB, the most PARS accepts in one upload. Split "
            "the activities into several files and upload each one.",
        )

    @app.errorhandler(429)
    def too_many_requests(error: Any) -> Any:
        return page(
            429,
            "Too many attempts",
            "Too many requests from your address in a short time. Wait a minute and try again.",
        )

    @app.errorhandler(500)
    def server_error(error: Any) -> Any:
        reference = g.get("request_id") or uuid.uuid4().hex
        log.error(
            "Unhandled error, reference %s",
            reference,
            exc_info=getattr(error, "original_exception", None),
        )
        return page(500, "Something went wrong", "The error has been logged.", reference)
