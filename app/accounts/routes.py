"""Account views: register, log in, log out, settings and the logins listed there, and the language and
text-size switches.

The switches keep their site-wide URLs (/prefs/...): the blueprint has no URL prefix, so each account page
names its own /account/... path.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import bp, services, sessions
from app.accounts.forms import LoginForm, SettingsForm
from app.accounts.labels import device_name
from app.core.web import form_view, perform, safe_next
from app.extensions import limiter


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _register_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


def _log_in(user, *, remember: bool):
    """Part of the use case, so the edge commits the login record with it."""
    sessions.log_in(user, remember=remember)
    return user


def landing(next_value: str | None = None) -> str:
    """Where a login (by password, SMS code or registration) lands: a safe `next` when there is one, else the
    person's own start (home.landing: their community, or the chooser when they have several). The one place
    that decides it."""
    return safe_next(next_value, url_for("home.landing"))


def welcome(user, next_url: str):
    flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
    return redirect(next_url)


@bp.route("/account/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log in with mobile number and password."""
    if current_user.is_authenticated:
        return redirect(landing())
    form = LoginForm()
    next_url = landing(request.values.get("next"))
    return form_view(
        form,
        lambda: _log_in(services.authenticate(form.phone.data, form.password.data), remember=form.remember.data),
        render=lambda status: (render_template("accounts/login.html", form=form, next_url=next_url), status),
        done=lambda _user: redirect(next_url),
    )


@bp.route("/account/logout", methods=["POST"])
@login_required
def logout():
    """Log out here: this login ends (its cookies are worthless from now on) and its live sockets close."""
    perform(lambda: sessions.end_current(sessions.EndReason.LOGOUT))
    flash(_("You have logged out."), "info")
    return redirect(url_for("core.index"))


@bp.route("/account/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Display name, language and large text; where this account is logged in."""
    form = SettingsForm(obj=current_user)
    return form_view(
        form,
        lambda: services.update_settings(
            current_user, name=form.name.data, locale=form.locale.data, large_text=form.large_text.data
        ),
        render=lambda status: (_settings_page(form), status),
        done=lambda _user: redirect(url_for("accounts.settings")),
        message=_("Settings saved."),
    )


def _settings_page(form):
    this = sessions.current()
    return render_template(
        "accounts/settings.html",
        form=form,
        logins=sessions.active(current_user),
        this_login_id=this.id if this is not None else None,
        device_name=device_name,
    )


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    """End one login of this account (a lost phone, a borrowed computer); this one logs out."""
    this = sessions.current()
    perform(lambda: sessions.end(current_user, session_id, sessions.EndReason.ENDED))  # another's: 404
    if this is not None and this.id == session_id:
        flash(_("You have logged out."), "info")
        return redirect(url_for("accounts.login"))
    flash(_("That login has ended: whoever used it must log in again."), "success")
    return redirect(url_for("accounts.settings"))


@bp.route("/account/sessions/end-all", methods=["POST"])
@login_required
def end_all_sessions():
    """Sign out everywhere: every login of this account ends, this one too."""
    user = current_user._get_current_object()
    perform(lambda: sessions.end_all(user, reason=sessions.EndReason.EVERYWHERE))
    flash(_("You have logged out on every phone and computer. Log in again to continue."), "success")
    return redirect(url_for("accounts.login"))


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
