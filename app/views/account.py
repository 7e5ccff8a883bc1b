"""One's own account ("My account"), the first-sign-in password step, "My providers" and
the provider switcher. Every signed-in user may use these pages for themselves only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder import expose
from flask_appbuilder.baseviews import BaseView
from flask_appbuilder.security.decorators import has_access

from app.extensions import db
from app.queries.my_providers import my_providers
from app.security.urls import safe_next
from app.services import accounts, deadlines
from app.services.errors import InputError
from app.services.policy import link_settings
from app.views import switcher
from app.views.auth import SESSION_KEY
from app.views.auth_forms import (
    ChangePasswordForm,
    EmailChangeForm,
    ProfileForm,
    SetPasswordForm,
    SwitchProviderForm,
)


def _apply(form: Any, action: Any) -> bool:
    """Run ``action``; a rule it breaks is shown on the form's field. True on success."""
    try:
        action()
    except InputError as error:
        db.session.rollback()
        field = getattr(form, error.field, None)
        if field is None:
            flash(error.message, "danger")
        else:
            field.errors = [*field.errors, error.message]
        return False
    return True


class AccountView(BaseView):
    """My account: name, telephone, email address and password."""

    route_base = "/account"
    default_view = "index"
    class_permission_name = "Account"
    method_permission_name = {
        name: "use"
        for name in (
            "index",
            "profile",
            "password",
            "email",
            "first_password",
            "providers",
            "switch",
            "my_provider",
        )
    }

    def _page(self, **forms: Any) -> Any:
        user = g.user
        forms.setdefault(
            "profile_form",
            ProfileForm(
                formdata=None,
                first_name=user.first_name,
                last_name=user.last_name,
                phone=user.phone,
            ),
        )
        forms.setdefault("password_form", ChangePasswordForm(formdata=None))
        forms.setdefault("email_form", EmailChangeForm(formdata=None))
        return self.render_template("pars/account/index.html", title="My account", **forms)

    @expose("/")
    @has_access
    def index(self) -> Any:
        return self._page()

    @expose("/profile", methods=["POST"])
    @has_access
    def profile(self) -> Any:
        form = ProfileForm()
        if form.validate_on_submit() and _apply(
            form,
            lambda: accounts.update_profile(
                db.session,
                user=g.user,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                phone=form.phone.data or "",
            ),
        ):
            flash("Your name and telephone number are saved.", "success")
            return redirect(url_for(".index"))
        return self._page(profile_form=form)

    @expose("/password", methods=["POST"])
    @has_access
    def password(self) -> Any:
        form = ChangePasswordForm()
        if form.validate_on_submit() and _apply(
            form,
            lambda: accounts.change_password(
                db.session,
                user=g.user,
                current=form.current.data,
                password=form.password.data,
                confirm=form.confirm.data,
                session_key=session.get(SESSION_KEY),
            ),
        ):
            flash("Your password is changed. Your other sessions have been signed out.", "success")
            return redirect(url_for(".index"))
        return self._page(password_form=form)

    @expose("/email", methods=["POST"])
    @has_access
    def email(self) -> Any:
        form = EmailChangeForm()
        if form.validate_on_submit() and _apply(
            form,
            lambda: accounts.request_email_change(
                db.session,
                user=g.user,
                new_email=form.email.data,
                settings=link_settings(current_app.config),
            ),
        ):
            flash(
                f"We sent a confirmation link to {form.email.data.strip()}. Your email address "
                "changes when you open it.",
                "info",
            )
            return redirect(url_for(".index"))
        return self._page(email_form=form)

    @expose("/first-password", methods=["GET", "POST"])
    @has_access
    def first_password(self) -> Any:
        if not g.user.must_set_password:
            return redirect(self.appbuilder.get_url_for_index)
        form = SetPasswordForm()
        if form.validate_on_submit() and _apply(
            form,
            lambda: accounts.set_first_password(
                db.session,
                user=g.user,
                password=form.password.data,
                confirm=form.confirm.data,
                session_key=session.get(SESSION_KEY),
            ),
        ):
            flash("Your new password is set. Welcome to PARS.", "success")
            return redirect(self.appbuilder.get_url_for_index)
        return self.render_template(
            "pars/account/first_password.html", title="Choose a new password", form=form
        )

    @expose("/providers")
    @has_access
    def providers(self) -> Any:
        today = dt.date.today()
        rows = [
            (mine, deadlines.next_deadline(today, mine.provider.term_end))
            for mine in my_providers(db.session, g.user)
        ]
        return self.render_template(
            "pars/account/providers.html",
            title="My providers",
            rows=rows,
            today=today,
            current_id=switcher.current_provider_id(),
            form=SwitchProviderForm(formdata=None),
        )

    @expose("/switch", methods=["POST"])
    @has_access
    def switch(self) -> Any:
        form = SwitchProviderForm()
        form.provider.choices = switcher.switcher().choices
        if form.validate_on_submit() and switcher.choose(form.provider.data):
            flash(f"You are now working on {switcher.switcher().current_label}.", "success")
        else:
            flash("Choose one of your providers.", "danger")
        back = safe_next(request.form.get("next"))
        return redirect(back or url_for(".providers"))

    @expose("/provider")
    @has_access
    def my_provider(self) -> Any:
        current = switcher.current_provider_id()
        if current is None:
            flash("You are not a contact for any provider yet.", "info")
            return redirect(url_for(".providers"))
        return redirect(url_for("ProviderModelView.show", pk=current))
