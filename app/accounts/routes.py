"""Account views: register, log in, log out, settings."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import bp, services
from app.accounts.forms import LoginForm, RegisterForm, SettingsForm
from app.core.errors import DomainError
from app.core.i18n import select_locale
from app.core.web import handle_refusal, safe_next
from app.extensions import limiter


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _register_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    """Create an account with a mobile number, then go on to join a community."""
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = RegisterForm()
    next_url = safe_next(request.values.get("next"), url_for("communities.join"))
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            user = services.register(form.phone.data, form.name.data, form.password.data, select_locale())
        except DomainError as err:
            status = handle_refusal(err, form)
        else:
            login_user(user, remember=True)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
            return redirect(next_url)
    return render_template("accounts/register.html", form=form, next_url=next_url), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log in with mobile number and password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    next_url = safe_next(request.values.get("next"), url_for("core.index"))
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.phone.data, form.password.data)
        except DomainError as err:
            status = handle_refusal(err)
        else:
            login_user(user, remember=form.remember.data)
            return redirect(next_url)
    return render_template("accounts/login.html", form=form, next_url=next_url), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out here and close this user's live connections."""
    user = current_user._get_current_object()
    logout_user()
    services.end_live_sessions(user)
    flash(_("You have logged out."), "info")
    return redirect(url_for("core.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Display name, language and large text."""
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        services.update_settings(
            current_user, name=form.name.data, locale=form.locale.data, large_text=form.large_text.data
        )
        flash(_("Settings saved."), "success")
        return redirect(url_for("accounts.settings"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/settings.html", form=form), status
