"""Account views for getting back in: log in with an SMS code, forgotten password (an SMS code or a code from the
community office), and changing the password in settings.

Each SMS flow is two plain forms that work without JavaScript: the number (a code is texted), then the code. The
number typed on the first step is kept in the session for the second.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import bp, recovery
from app.accounts.forms import ChangePasswordForm, CodeLoginForm, RegisterForm, ResetPasswordForm, SendCodeForm
from app.accounts.routes import _log_in, _login_limit, _register_limit, landing, welcome
from app.core.i18n import select_locale
from app.core.masking import mask_phone
from app.core.web import form_view, perform
from app.extensions import limiter

CODE_PHONE = "code_phone"  # the session's number of the last code asked for, for step 2


def _to_step2(phone: str, step2: str):
    session[CODE_PHONE] = phone
    return redirect(step2, code=303)


def _send_step(form, send, template: str, enter: str, next_url: str | None = None):
    """Step 1: text a code, then go to step 2 (`enter`). The button "send a new code" on step 2 posts here too
    (resend=1): its refusal (wait 45 seconds) is shown back on step 2."""
    step2 = url_for(enter, next=next_url) if next_url else url_for(enter)

    def render(status):
        if form.resend.data and status != 200:
            for error in form.phone.errors:
                flash(error, "error")
            return redirect(step2, code=303)
        return render_template(template, form=form, next_url=next_url), status

    return form_view(
        form,
        lambda: send(form.phone.data, ip=request.remote_addr),
        render=render,
        done=lambda _none: _to_step2(form.phone.data, step2),
    )


def _enter_page(template: str, form, status: int, **context):
    """Step 2, with what was sent to which number and how long until a new code may be asked for."""
    phone = session.get(CODE_PHONE)
    wait = recovery.resend_wait(phone, request.remote_addr) if phone else 0
    page = render_template(
        template,
        form=form,
        sent_to=phone,
        wait_message=recovery.wait_message(wait) if wait else None,
        minutes=current_app.config["SMS_CODE_MINUTES"],
        **context,
    )
    return page, status


@bp.route("/account/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    """Create an account, step 1: the mobile number, to text a code to (proving it is the registrant's phone)."""
    if current_user.is_authenticated:
        return redirect(landing())
    next_url = landing(request.values.get("next"))
    return _send_step(
        SendCodeForm(), recovery.send_register_code, "accounts/register.html", "accounts.register_verify", next_url
    )


@bp.route("/account/register/verify", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register_verify():
    """Create an account, step 2: the code, the name neighbours know and a password; then join a community."""
    if current_user.is_authenticated:
        return redirect(landing())
    form = RegisterForm(phone=session.get(CODE_PHONE))
    next_url = landing(request.values.get("next"))
    return form_view(
        form,
        lambda: _log_in(
            recovery.register_with_code(
                form.phone.data, form.code.data, form.name.data, form.password.data, select_locale()
            ),
            remember=True,
        ),
        render=lambda status: _enter_page("accounts/register_verify.html", form, status, next_url=next_url),
        done=lambda user: _registered(user, next_url),
    )


def _registered(user, next_url: str):
    session.pop(CODE_PHONE, None)
    return welcome(user, next_url)


@bp.route("/account/login/code", methods=["GET", "POST"])
def login_code():
    """Log in with an SMS code, step 1: the mobile number."""
    if current_user.is_authenticated:
        return redirect(landing())
    next_url = landing(request.values.get("next"))
    return _send_step(
        SendCodeForm(), recovery.send_login_code, "accounts/login_code.html", "accounts.login_code_enter", next_url
    )


@bp.route("/account/login/code/enter", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login_code_enter():
    """Log in with an SMS code, step 2: the code."""
    if current_user.is_authenticated:
        return redirect(landing())
    form = CodeLoginForm(phone=session.get(CODE_PHONE))
    next_url = landing(request.values.get("next"))
    return form_view(
        form,
        lambda: _log_in(recovery.log_in_with_code(form.phone.data, form.code.data), remember=form.remember.data),
        render=lambda status: _enter_page("accounts/login_code_enter.html", form, status, next_url=next_url),
        done=lambda _user: _code_logged_in(next_url),
    )


def _code_logged_in(next_url: str):
    session.pop(CODE_PHONE, None)
    return redirect(next_url)


@bp.route("/account/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Forgotten password, step 1: the mobile number to text a reset code to."""
    return _send_step(
        SendCodeForm(), recovery.send_reset_code, "accounts/forgot_password.html", "accounts.reset_password"
    )


@bp.route("/account/password/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password():
    """Forgotten password, step 2: the SMS code or the code from the community office, and a new password."""
    form = ResetPasswordForm(phone=session.get(CODE_PHONE))
    return form_view(
        form,
        lambda: recovery.reset_password(form.phone.data, form.code.data, form.password.data),
        render=lambda status: _enter_page("accounts/reset_password.html", form, status),
        done=_password_was_reset,
    )


def _password_was_reset(_user):
    session.pop(CODE_PHONE, None)
    flash(
        _("Your password has been changed, and every phone logged in to your account has been logged out."), "success"
    )
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"])
def change_password():
    """Change the password: the current one or a code texted to the account's number, then the new one twice."""
    user = current_user._get_current_object()
    form = ChangePasswordForm(account_phone=user.phone)
    return form_view(
        form,
        lambda: recovery.change_password(
            user, form.password.data, current=form.current_password.data, code=form.code.data
        ),
        render=lambda status: (render_template("accounts/change_password.html", form=form), status),
        done=_password_was_changed,
    )


def _password_was_changed(_user):
    flash(
        _("Your password has been changed. Every other phone or computer logged in to your account is logged out."),
        "success",
    )
    return redirect(url_for("accounts.settings"), code=303)


@bp.route("/account/password/code", methods=["POST"])
@login_required
def send_change_code():
    """Text a code to the account's own number, for changing the password without the current one."""
    user = current_user._get_current_object()
    if perform(lambda: recovery.send_change_code(user, ip=request.remote_addr)).ok:
        flash(
            _(
                "We sent a code to %(phone)s. It works for %(minutes)d minutes.",
                phone=mask_phone(user.phone),
                minutes=current_app.config["SMS_CODE_MINUTES"],
            ),
            "success",
        )
    return redirect(url_for("accounts.change_password"), code=303)
