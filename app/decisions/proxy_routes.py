"""Proxy voting (委托投票) views: the owner appoints a proxy online, staff record one signed at the office, either
revokes it, and the proxy votes for each owner they hold through the review step. Thin, as routes.py."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import recovery
from app.accounts import services as accounts
from app.communities import access
from app.core.errors import Forbidden
from app.core.masking import mask_phone
from app.core.uploads import PhotoStore
from app.core.web import form_view, perform
from app.decisions import bp, permissions, reports, services
from app.decisions.forms import ActionForm, OfficeProxyForm, ProxyForm, VoteForm
from app.decisions.labels import CHOICE_LABELS, PROXY_METHODS
from app.decisions.models import Decision
from app.decisions.routes import _show as show_decision  # the decision's page, shown again with a refusal


def _load(decision_id: int):
    return access.load(Decision, decision_id, current_user, can=permissions.can_view)


def _to_decision(decision, anchor: str):
    return redirect(url_for("decisions.show", decision_id=decision.id) + anchor)


def _page(template: str, decision, viewer, status: int = 200, **context):
    choice_labels = {c.value: str(label) for c, label in CHOICE_LABELS.items()}
    return (
        render_template(
            template, community=viewer.community, decision=decision, proxy_methods=PROXY_METHODS,
            choice_labels=choice_labels, **context,
        ),
        status,
    )  # fmt: skip


def _owner_entry(decision, viewer):
    """The roll entry of the owner appointing a proxy; 403 (saying who may) otherwise."""
    entry = services.voter_entry(viewer.user, decision) if viewer.is_verified else None
    if entry is None or not permissions.can_appoint_proxy(viewer, decision):
        raise Forbidden(_("Owners on this decision's roll appoint a proxy while voting is open."))
    return entry


@bp.route("/decisions/<int:decision_id>/proxy", methods=["GET", "POST"])
@login_required
def appoint_proxy(decision_id: int):
    """The owner appoints a member of the community to vote for them, confirming with their password."""
    decision, viewer = _load(decision_id)
    entry = _owner_entry(decision, viewer)
    form = ProxyForm()
    return form_view(
        form,
        lambda: services.appoint(
            viewer, decision, phone=form.phone.data, password=form.password.data, code=form.code.data
        ),
        render=lambda status: _page(
            "decisions/proxy.html", decision, viewer, status, form=form, entry=entry,
            current=services.active_proxy(entry), names=accounts.names_of([]),
        ),
        done=lambda _proxy: _to_decision(decision, "#my-vote"),
        message=_("Your proxy is appointed. They can now vote for you on this decision."),
    )  # fmt: skip


@bp.route("/decisions/<int:decision_id>/proxy/code", methods=["POST"])
@login_required
def proxy_code(decision_id: int):
    """Text the owner a code to confirm the appointment with, instead of their password."""
    decision, viewer = _load(decision_id)
    _owner_entry(decision, viewer)
    if not ActionForm().validate_on_submit():
        return show_decision(decision, viewer, status=400)
    user = current_user._get_current_object()
    if perform(lambda: recovery.send_proxy_code(user, ip=request.remote_addr)).ok:
        minutes = current_app.config["SMS_CODE_MINUTES"]
        flash(_("We sent a code to %(phone)s. It works for %(minutes)d minutes.", phone=mask_phone(user.phone),
                minutes=minutes), "success")  # fmt: skip
    return redirect(url_for("decisions.appoint_proxy", decision_id=decision.id), code=303)


def _office_page(decision, viewer, form, status: int = 200):
    form.roll_entry.choices = [(e.id, reports.entry_label(e)) for e in services.roll_of(decision)]
    proxies = services.proxies_of(decision)
    names = accounts.names_of([p.proxy_user_id for p in proxies])
    return _page("decisions/proxies.html", decision, viewer, status, form=form, proxies=proxies, names=names,
                 revoke_form=ActionForm(formdata=None), entry_label=reports.entry_label)  # fmt: skip


@bp.route("/decisions/<int:decision_id>/proxies", methods=["GET", "POST"])
@login_required
def proxies(decision_id: int):
    """Counters see every proxy in force and record an authorisation signed at the office, with its photo."""
    decision, viewer = _load(decision_id)
    if not permissions.can_record_proxy(viewer):
        raise Forbidden(_("Only the owners' committee and community staff run and count owners' decisions."))
    form = OfficeProxyForm() if request.method == "POST" else OfficeProxyForm(formdata=None)
    store = PhotoStore(current_app.config, community_id=viewer.community_id, owner_id=current_user.id)
    photo = form.photo.data if request.method == "POST" else None
    return form_view(
        form,
        lambda: services.record_office(
            viewer, decision, roll_entry_id=form.roll_entry.data, phone=form.phone.data,
            photo=photo.read() if photo and getattr(photo, "filename", "") else None, store=store,
        ),
        render=lambda status: _office_page(decision, viewer, form, status),
        done=lambda _proxy: redirect(url_for("decisions.proxies", decision_id=decision.id)),
        message=_("The proxy is recorded. They can now vote for this owner."),
    )  # fmt: skip


@bp.route("/decisions/<int:decision_id>/proxies/<int:proxy_id>/revoke", methods=["POST"])
@login_required
def revoke_proxy(decision_id: int, proxy_id: int):
    """The owner, or staff at the office, revoke a proxy before it has voted."""
    decision, viewer = _load(decision_id)
    if not ActionForm().validate_on_submit():
        return show_decision(decision, viewer, status=400)
    outcome = perform(lambda: services.revoke(viewer, decision, proxy_id))
    if not outcome.ok:
        return show_decision(decision, viewer, status=outcome.status)
    flash(_("The proxy is revoked."), "success")
    if permissions.can_record_proxy(viewer) and request.form.get("back") == "proxies":
        return redirect(url_for("decisions.proxies", decision_id=decision.id))
    return _to_decision(decision, "#my-vote")


@bp.route("/decisions/<int:decision_id>/proxy-vote/<int:roll_entry_id>", methods=["POST"])
@login_required
def proxy_vote(decision_id: int, roll_entry_id: int):
    """The proxy votes for one owner they hold, after the review step; both get the receipt."""
    decision, viewer = _load(decision_id)
    form = VoteForm(prefix="vote")
    if not form.validate_on_submit():
        return show_decision(decision, viewer, status=400)
    if not form.is_confirmed:
        outcome = perform(lambda: services.review_proxy_vote(viewer, decision, roll_entry_id, form.choice.data))
        if not outcome.ok:
            return show_decision(decision, viewer, status=outcome.status)
        proxy, choice = outcome.result
        action = url_for("decisions.proxy_vote", decision_id=decision.id, roll_entry_id=roll_entry_id)
        return _page("decisions/review.html", decision, viewer, form=form, choice=choice, action=action,
                     on_behalf=reports.entry_label(proxy.roll_entry))  # fmt: skip
    outcome = perform(lambda: services.vote_as_proxy(viewer, decision, roll_entry_id, form.choice.data))
    if not outcome.ok:
        return show_decision(decision, viewer, status=outcome.status)
    receipt = outcome.result.receipt
    flash(_("The vote was recorded in the owner's name. Receipt: %(receipt)s", receipt=receipt), "success")
    return _to_decision(decision, "#proxy-votes")
