"""Account views: register, log in, log out, settings, and the language and text-size switches.

The switches keep their site-wide URLs (/prefs/...): the blueprint has no URL prefix, so each account page
names its own /account/... path.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import bp, services
from app.accounts.forms import LoginForm, RegisterForm, SettingsForm
from app.core.i18n import select_locale
from app.core.web import form_view, perform, safe_next
from app.extensions import limiter


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _register_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


def _logged_in(user, next_url: str, *, remember: bool, welcome: bool = False):
    login_user(user, remember=remember)
    if welcome:
        flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
    return redirect(next_url)


@bp.route("/account/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    """Create an account with a mobile number, then go on to join a community."""
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = RegisterForm()
    next_url = safe_next(request.values.get("next"), url_for("communities.join"))
    return form_view(
        form,
        lambda: services.register(form.phone.data, form.name.data, form.password.data, select_locale()),
        render=lambda status: (render_template("accounts/register.html", form=form, next_url=next_url), status),
        done=lambda user: _logged_in(user, next_url, remember=True, welcome=True),
    )


@bp.route("/account/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log in with mobile number and password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    next_url = safe_next(request.values.get("next"), url_for("core.index"))
    return form_view(
        form,
        lambda: services.authenticate(form.phone.data, form.password.data),
        render=lambda status: (render_template("accounts/login.html", form=form, next_url=next_url), status),
        done=lambda user: _logged_in(user, next_url, remember=form.remember.data),
    )


@bp.route("/account/logout", methods=["POST"])
@login_required
def logout():
    """Log out here and close this user's live connections."""
    user = current_user._get_current_object()
    logout_user()
    services.end_live_sessions(user)
    flash(_("You have logged out."), "info")
    return redirect(url_for("core.index"))


@bp.route("/account/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Display name, language and large text."""
    form = SettingsForm(obj=current_user)
    return form_view(
        form,
        lambda: services.update_settings(
            current_user, name=form.name.data, locale=form.locale.data, large_text=form.large_text.data
        ),
        render=lambda status: (render_template("accounts/settings.html", form=form), status),
        done=lambda _user: redirect(url_for("accounts.settings")),
        message=_("Settings saved."),
    )


def _back():
    return redirect(safe_next(request.form.get("next") or request.referrer, url_for("core.index")))


@bp.route("/prefs/language", methods=["POST"])
def set_language():
    """Switch the interface language (saved on the account, or in the visitor's session)."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        if current_user.is_authenticated:
            perform(lambda: services.set_locale(current_user, locale))
        session["locale"] = locale
    return _back()


@bp.route("/prefs/large-text", methods=["POST"])
def toggle_large_text():
    """Switch large text (适老化) on or off."""
    if current_user.is_authenticated:
        perform(lambda: services.toggle_large_text(current_user))
    else:
        session["large_text"] = not session.get("large_text", False)
    return _back()
