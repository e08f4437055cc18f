"""Satisfaction campaign pages: the community's campaigns, making one, a campaign (its subjects' surveys to
answer, and after the close the results each viewer may read, the note on what was done), and the district's
yearly assessment with its weights and formula."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import access
from app.communities.access import Viewer
from app.core.clock import local_today
from app.core.errors import Forbidden, NotFound
from app.core.forms import ButtonForm
from app.core.validation import MAX_ID
from app.core.web import form_view, perform
from app.extensions import db
from app.satisfaction import bp, permissions, queries, services, subjects
from app.satisfaction.forms import CampaignForm, NoteForm, WeightForm
from app.satisfaction.labels import STATE_LABELS
from app.satisfaction.models import Campaign
from app.surveys import queries as survey_queries
from app.surveys import reports
from app.surveys.forms import end_of_day


def load(campaign_id: int) -> tuple[Campaign, Viewer]:
    return access.load(Campaign, campaign_id, current_user, can=permissions.can_view)


@bp.route("/c/<slug>/satisfaction")
@login_required
def index(slug: str):
    """The community's satisfaction campaigns (测评)."""
    viewer = access.community_viewer(slug, current_user)
    return render_template(
        "satisfaction/index.html",
        community=viewer.community,
        campaigns=queries.listing(viewer),
        can_create=permissions.can_create(viewer),
        state_labels=STATE_LABELS,
    )


def campaign_form(viewer: Viewer) -> CampaignForm:
    form = CampaignForm()
    form.subjects.choices = [
        SelectChoice(f"{kind.name}:{subject_id}", f"{kind.label}: {label}")
        for kind in subjects.kinds()
        for subject_id, label in kind.choices(viewer.community)
    ]
    if request.method == "GET":
        form.year.data = form.year.data or local_today().year
    return form


@bp.route("/c/<slug>/satisfaction/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Make a campaign: its subjects, the year it counts for, its closing day."""
    viewer = access.community_viewer(slug, current_user)
    if not permissions.can_create(viewer):
        raise Forbidden(_("Community staff and the street and district staff make satisfaction campaigns."))
    form = campaign_form(viewer)
    return form_view(
        form,
        lambda: services.create(
            viewer,
            client_id=form.client_id.data,
            title=form.title.data,
            year=form.year.data,
            closes_at=end_of_day(form.closes_on.data),
            picks=form.subjects.data,
        ),
        render=lambda status: (render_template("satisfaction/new.html", community=viewer.community, form=form), status),
        done=lambda campaign: redirect(url_for("satisfaction.show", campaign_id=campaign.id)),
        message=_("The campaign is saved as a draft. Open it when it is ready: residents will be told."),
    )


def _show(campaign: Campaign, viewer: Viewer, *, note_form=None, status: int = 200):
    rows = queries.subject_rows(viewer, campaign)
    page = render_template(
        "satisfaction/show.html",
        community=viewer.community,
        campaign=campaign,
        rows=rows,
        answered={row.survey.id: survey_queries.answered(viewer, row.survey) for row in rows},
        can_manage=permissions.can_manage(viewer, campaign),
        note_form=note_form or NoteForm(note=campaign.response_note or None),
        button_form=ButtonForm(),
        state_labels=STATE_LABELS,
        reports=reports,
    )
    return page, status


@bp.route("/satisfaction/<int:campaign_id>")
@login_required
def show(campaign_id: int):
    """A campaign: each subject's survey, and its results once closed (to those allowed)."""
    return _show(*load(campaign_id))


@bp.route("/satisfaction/<int:campaign_id>/<any(open, close):action>", methods=["POST"])
@login_required
def manage(campaign_id: int, action: str):
    """Open the campaign (residents are told) or close it (the results can be read)."""
    campaign, viewer = load(campaign_id)
    if not permissions.can_manage(viewer, campaign):
        raise Forbidden()
    if not ButtonForm().validate_on_submit():
        abort(400)
    if action == "open":
        outcome = perform(lambda: services.open_campaign(viewer, campaign))
    else:
        outcome = perform(lambda: services.close(campaign, actor=viewer))
    if not outcome.ok:  # refused (already open, already closed): said at the top of the page
        return _show(campaign, viewer, status=outcome.status)
    opened = _("The campaign is open; residents have been told.")
    flash(opened if action == "open" else _("The campaign is closed."), "success")
    return redirect(url_for("satisfaction.show", campaign_id=campaign.id))


@bp.route("/satisfaction/<int:campaign_id>/note", methods=["POST"])
@login_required
def note(campaign_id: int):
    """Publish what was done with the answers."""
    campaign, viewer = load(campaign_id)
    if not permissions.can_manage(viewer, campaign):
        raise Forbidden()
    form = NoteForm()
    return form_view(
        form,
        lambda: services.publish_note(viewer, campaign, form.note.data),
        render=lambda status: _show(campaign, viewer, note_form=form, status=status),
        done=lambda _campaign: redirect(url_for("satisfaction.show", campaign_id=campaign.id)),
        message=_("Published: residents read it on the campaign's page."),
    )


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year is not None and 2000 <= year <= 2100 else local_today().year


def _assessment(year: int, *, weight_form=None, status: int = 200):
    rows, districts = queries.assessment(current_user, year)
    if not rows and not districts and not access.overseen_community_ids(current_user):
        raise NotFound()
    page = render_template(
        "satisfaction/assessment.html",
        year=year,
        rows=rows,
        can_weigh=bool(districts),
        weight_form=weight_form or WeightForm(),
        kind_labels={k.name: k.label for k in subjects.kinds()},
        communities=queries.community_names(c.community_id for r in rows for c, *_rest in r.scores),
        reports=reports,
    )
    return page, status


@bp.route("/satisfaction/assessment")
@login_required
def assessment():
    """The year's assessment: each campaign's score, the district's weights, the weighted result."""
    return _assessment(_year())


@bp.route("/satisfaction/<int:campaign_id>/weight", methods=["POST"])
@login_required
def weight(campaign_id: int):
    """District staff set a campaign's weight in its year's assessment."""
    campaign = _campaign_for_weight(campaign_id)
    form = WeightForm()
    if not form.validate_on_submit():
        return _assessment(campaign.year, weight_form=form, status=400)
    outcome = perform(lambda: services.set_weight(current_user, campaign, form.weight.data), form)
    if not outcome.ok:
        return _assessment(campaign.year, weight_form=form, status=outcome.status)
    flash(_("Weight saved."), "success")
    return redirect(url_for("satisfaction.assessment", year=campaign.year))


def _campaign_for_weight(campaign_id: int) -> Campaign:
    """The campaign, for the district staff who weigh it; 404 for anyone else."""
    campaign = db.session.get(Campaign, campaign_id) if 0 < campaign_id <= MAX_ID else None
    if campaign is None or not permissions.can_set_weight(current_user, campaign):
        raise NotFound()
    return campaign
