"""Street-wide campaigns' pages: the street's campaigns, making one, and one campaign with its results per
community and together. The street's staff run them; the district's staff read them; anyone else gets a 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities.models import Street
from app.core.clock import local_today
from app.core.errors import Forbidden, NotFound
from app.core.forms import ButtonForm, int_or_none
from app.core.validation import MAX_ID
from app.core.web import form_view, perform
from app.extensions import db
from app.satisfaction import bp, permissions, street
from app.satisfaction.forms import StreetCampaignForm
from app.satisfaction.labels import STATE_LABELS
from app.satisfaction.models import StreetCampaign
from app.surveys import reports
from app.surveys.forms import end_of_day


def _street(street_id: int) -> Street:
    found = db.session.get(Street, street_id) if 0 < street_id <= MAX_ID else None
    if found is None or not permissions.can_view_street(current_user, found):
        raise NotFound()
    return found


def _campaign(campaign_id: int) -> StreetCampaign:
    found = db.session.get(StreetCampaign, campaign_id) if 0 < campaign_id <= MAX_ID else None
    if found is None or not permissions.can_view_street(current_user, found.street):
        raise NotFound()
    return found


@bp.route("/streets/<int:street_id>/satisfaction")
@login_required
def street_index(street_id: int):
    """The street's street-wide campaigns."""
    found = _street(street_id)
    return render_template(
        "satisfaction/street_index.html",
        street=found,
        campaigns=street.of_street(found),
        state_of=street.state_of,
        can_run=permissions.can_run_street(current_user, found),
        state_labels=STATE_LABELS,
    )


@bp.route("/streets/<int:street_id>/satisfaction/new", methods=["GET", "POST"])
@login_required
def street_new(street_id: int):
    """Make a street-wide campaign: the organisations judged in every community, the year, the closing day."""
    found = _street(street_id)
    if not permissions.can_run_street(current_user, found):
        raise Forbidden(_("The street's staff run street-wide campaigns."))
    form = StreetCampaignForm()
    form.organisations.choices = [SelectChoice(str(i), name) for i, name in street.organisation_choices(found)]
    if request.method == "GET":
        form.year.data = form.year.data or local_today().year
    return form_view(
        form,
        lambda: street.create(
            current_user, found, client_id=form.client_id.data, title=form.title.data, year=form.year.data,
            closes_at=end_of_day(form.closes_on.data), org_ids=[int_or_none(v) for v in form.organisations.data or []],
        ),
        render=lambda status: (render_template("satisfaction/street_new.html", street=found, form=form), status),
        done=lambda made: redirect(url_for("satisfaction.street_show", street_campaign_id=made.id)),
        message=_("The campaign is saved as a draft in every community of the street. Open it when it is ready."),
    )  # fmt: skip


def _show(campaign: StreetCampaign, status: int = 200):
    parts = campaign.campaigns
    page = render_template(
        "satisfaction/street_show.html",
        campaign=campaign,
        street=campaign.street,
        parts=parts,
        names={p.community_id: street.part_community(p).name for p in parts},
        rows=street.results(campaign),
        state=street.state_of(campaign),
        can_run=permissions.can_run_street(current_user, campaign.street),
        button_form=ButtonForm(),
        state_labels=STATE_LABELS,
        reports=reports,
    )
    return page, status


@bp.route("/satisfaction/street/<int:street_campaign_id>")
@login_required
def street_show(street_campaign_id: int):
    """A street-wide campaign: each community's part, and the results per community and together."""
    return _show(_campaign(street_campaign_id))


@bp.route("/satisfaction/street/<int:street_campaign_id>/<any(open, close):action>", methods=["POST"])
@login_required
def street_manage(street_campaign_id: int, action: str):
    """Open every community's part (residents are told) or close them (the results are read)."""
    campaign = _campaign(street_campaign_id)
    if not permissions.can_run_street(current_user, campaign.street):
        raise Forbidden(_("The street's staff run street-wide campaigns."))
    if not ButtonForm().validate_on_submit():
        abort(400)
    use_case = street.open_all if action == "open" else street.close_all
    outcome = perform(lambda: use_case(current_user, campaign))
    if not outcome.ok:
        return _show(campaign, status=outcome.status)
    done = _("The campaign is open; residents have been told.") if action == "open" else _("The campaign is closed.")
    flash(done, "success")
    return redirect(url_for("satisfaction.street_show", street_campaign_id=campaign.id))
