"""Signing in and out, and recovering an account by email.

* ``/login/``: email (any case) and password; the page links to "Can't log in or forgot
  your password?". Every attempt is audited; repeated failures lock the address.
* ``/logout/``: a POST (a GET only asks to confirm), which ends the server-side session.
* ``/forgot-password``: the same answer, after the same work, whether or not the account
  exists: looking the address up, making the link and sending the email happen on a
  background thread once the request has answered.
* ``/reset-password/<token>``: the set-password page of a reset or access-granted link.
* ``/confirm-email/<token>``: confirms a new email address.

The token pages send ``Referrer-Policy: no-referrer`` so that the token never leaves in a
Referer header.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder import expose
from flask_appbuilder.baseviews import BaseView
from flask_appbuilder.security.views import AuthDBView
from flask_login import login_user, logout_user

from app.extensions import db
from app.security.ratelimit import allow
from app.security.urls import safe_next
from app.services import accounts, audit, signin, signin_sessions
from app.services.errors import InputError, PARSError
from app.services.policy import link_settings, lockout_policy
from app.views.auth_forms import ConfirmForm, ForgotPasswordForm, SetPasswordForm, SignInForm

#: The key of the server-side session in the browser's (signed) session cookie.
SESSION_KEY = "pars_sid"

#: The name of the threads that handle "forgot password" requests.
RESET_THREAD = "pars-forgot-password"

log = logging.getLogger(__name__)


def signed_in() -> bool:
    user = getattr(g, "user", None)
    return bool(user is not None and user.is_authenticated)


def start_session(user: Any) -> None:
    """A new session for ``user``: nothing from before sign-in is carried over."""
    session.clear()
    key = signin_sessions.start(db.session, user_id=user.id, ip=request.remote_addr)
    db.session.commit()
    session[SESSION_KEY] = key
    login_user(user, remember=False)


def request_reset_in_background(email: str) -> threading.Thread:
    """Handle a "forgot password" request after answering it, so that neither the answer
    nor its timing depends on whether an account uses ``email``. The audit row still
    names the request's IP address and id. Returns the thread."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = link_settings(app.config)
    origin = (request.remote_addr, g.get("request_id"))

    def work() -> None:
        with app.app_context(), audit.on_behalf_of(*origin):
            try:
                accounts.request_password_reset(db.session, email, settings)
            except Exception:
                db.session.rollback()
                log.exception("Password reset request %s failed", origin[1])

    thread = threading.Thread(target=work, name=RESET_THREAD, daemon=True)
    thread.start()
    return thread


def no_referrer(response: Any) -> Any:
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


class SignInView(AuthDBView):
    """Sign-in by email address, sign-out by POST."""

    login_template = "pars/auth/login.html"
    logout_template = "pars/auth/logout.html"

    def _next(self) -> str | None:
        return safe_next(request.args.get("next"), current_app.config["FAB_SAFE_REDIRECT_HOSTS"])

    @expose("/login/", methods=["GET", "POST"])
    def login(self) -> Any:
        target = self._next()
        if signed_in():
            return redirect(target or self.appbuilder.get_url_for_index)
        form = SignInForm()
        if form.validate_on_submit():
            result = signin.authenticate(
                db.session, form.email.data, form.password.data, lockout_policy(current_app.config)
            )
            if result.user is None:
                flash(result.message or signin.WRONG, "danger")
                return redirect(url_for(".login", next=target) if target else url_for(".login"))
            start_session(result.user)
            if result.user.must_set_password:
                return redirect(url_for("AccountView.first_password"))
            return redirect(target or self.appbuilder.get_url_for_index)
        return self.render_template(self.login_template, title="Sign in", form=form)

    @expose("/logout/", methods=["GET", "POST"])
    def logout(self) -> Any:
        if not signed_in():
            return redirect(self.appbuilder.get_url_for_login)
        form = ConfirmForm()
        if request.method == "GET" or not form.validate_on_submit():
            return self.render_template(self.logout_template, title="Sign out", form=form)
        user = g.user
        signin_sessions.end(db.session, session.get(SESSION_KEY))
        audit.record(db.session, audit.SIGN_OUT, actor=user)
        db.session.commit()
        logout_user()
        session.clear()
        flash("You have signed out.", "info")
        return redirect(self.appbuilder.get_url_for_login)


class PasswordRecoveryView(BaseView):
    """Pages reached from the sign-in page and from links in emails (no sign-in needed)."""

    route_base = ""
    default_view = "forgot"

    @expose("/forgot-password", methods=["GET", "POST"])
    def forgot(self) -> Any:
        form = ForgotPasswordForm()
        if form.validate_on_submit():
            if not allow(
                current_app.config["PARS_RESET_RATE_LIMIT"], "forgot-ip", request.remote_addr or "-"
            ):
                return self.render_template(
                    "pars/error.html",
                    code=429,
                    title="Too many requests",
                    message="Too many password requests from this address. Try again in an hour.",
                ), 429
            request_reset_in_background(form.email.data)
            return redirect(url_for(".sent"))
        return self.render_template(
            "pars/auth/forgot.html", title="Forgot your password?", form=form
        )

    @expose("/forgot-password/sent")
    def sent(self) -> Any:
        minutes = current_app.config["PARS_RESET_LINK_MINUTES"]
        return self.render_template(
            "pars/auth/sent.html", title="Check your email", minutes=minutes
        )

    @expose("/reset-password/<token>", methods=["GET", "POST"])
    def reset(self, token: str) -> Any:
        from app.services import password_links

        found = password_links.check(db.session, token, password_links.PASSWORD_PURPOSES)
        if found.link is None:
            return self._link_problem(found.problem)
        form = SetPasswordForm()
        if form.validate_on_submit():
            try:
                accounts.set_password_from_link(
                    db.session, token, form.password.data, form.confirm.data
                )
            except InputError as error:
                db.session.rollback()
                getattr(form, error.field).errors.append(error.message)
            except PARSError as error:
                db.session.rollback()
                return self._link_problem(error.message)
            else:
                if signed_in():
                    logout_user()
                session.clear()
                flash(
                    "Your password is set. Sign in with your email address and new password.",
                    "success",
                )
                return no_referrer(redirect(self.appbuilder.get_url_for_login))
        page = self.render_template(
            "pars/auth/set_password.html",
            title="Set your password",
            form=form,
            email=found.link.user.email,
        )
        return no_referrer(current_app.make_response(page))

    @expose("/confirm-email/<token>", methods=["GET", "POST"])
    def confirm_email(self, token: str) -> Any:
        from app.services import password_links

        found = password_links.check(db.session, token, (password_links.EMAIL,))
        if found.link is None:
            return self._link_problem(found.problem)
        form = ConfirmForm()
        if request.method == "POST" and form.validate_on_submit():
            try:
                user = accounts.confirm_email_change(db.session, token)
            except PARSError as error:
                db.session.rollback()
                return self._link_problem(error.message)
            flash(f"Your email address is now {user.email}. Use it to sign in.", "success")
            target = (
                url_for("AccountView.index") if signed_in() else self.appbuilder.get_url_for_login
            )
            return no_referrer(redirect(target))
        page = self.render_template(
            "pars/auth/confirm_email.html",
            title="Confirm your new email address",
            form=form,
            new_email=found.link.new_email,
        )
        return no_referrer(current_app.make_response(page))

    def _link_problem(self, message: str | None) -> Any:
        page = self.render_template(
            "pars/auth/link_problem.html", title="This link cannot be used", message=message
        )
        return no_referrer(current_app.make_response((page, 400)))
