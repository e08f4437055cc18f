"""The project guidance list's pages (项目指引清单): a community's (its staff make and publish its items) and a
street's (its staff make and publish the street-wide items; the street's members, experts and overseers read
it), each year's published list at a stable URL, and its CSV and XLSX export."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.communities import access
from app.communities.models import Street
from app.core.errors import Forbidden, NotFound
from app.core.money import format_yuan
from app.core.web import download, form_view
from app.extensions import db
from app.needs import bp, permissions, services
from app.needs.forms import ItemForm, PublishForm
from app.needs.labels import AFFECTED_LABELS, GUIDANCE_LABELS
from app.needs.services import Scope
from app.voting.results import table_csv, table_xlsx


def _community(slug: str) -> tuple[Scope, bool, str]:
    """(scope, may make items, the list's name) for a community's pages; 404 unless they may see it."""
    viewer = access.community_viewer(slug, current_user)
    return Scope(viewer.community.street, viewer.community), permissions.can_review(viewer), viewer.community.name


def _street(street_id: int) -> tuple[Scope, bool, str]:
    street = db.session.get(Street, street_id)
    if street is None or not permissions.can_view_street_guidance(current_user, street):
        raise NotFound()
    return Scope(street, None), permissions.can_make_street_guidance(current_user, street), street.name


def _urls(scope: Scope) -> dict:
    if scope.community is not None:
        return {"slug": scope.community.slug}
    return {"street_id": scope.street.id}


def _prefix(scope: Scope) -> str:
    return "needs.community_" if scope.community is not None else "needs.street_"


def _index(scope: Scope, can_make: bool, name: str):
    return render_template(
        "needs/guidance_index.html",
        name=name,
        scope=scope,
        urls=_urls(scope),
        prefix=_prefix(scope),
        years=services.years(scope),
        drafts=services.drafts(scope) if can_make else [],
        can_make=can_make,
        screened=services.screened_needs(scope) if can_make else [],
        publish_form=PublishForm(),
        guidance_labels=GUIDANCE_LABELS,
    )


@bp.route("/c/<slug>/guidance")
@login_required
def community_guidance(slug: str):
    """The community's guidance lists by year; for staff, the drafts and the screened needs waiting."""
    return _index(*_community(slug))


@bp.route("/streets/<int:street_id>/guidance")
@login_required
def street_guidance(street_id: int):
    """The street's guidance lists by year; for its staff, the street-wide drafts."""
    return _index(*_street(street_id))


def _item_form(scope: Scope) -> ItemForm:
    form = ItemForm()
    needs = services.screened_needs(scope)
    form.need_ids.choices = [SelectChoice(n.id, f"#{n.id} {n.title}") for n in needs]
    return form


def _new(scope: Scope, can_make: bool, name: str):
    if not can_make:
        raise Forbidden()
    form = _item_form(scope)
    return form_view(
        form,
        lambda: services.make_item(
            current_user._get_current_object(),
            scope,
            need_ids=form.need_ids.data,
            title=form.title.data,
            summary=form.summary.data,
            affected=form.affected.data,
            cost_low_fen=form.cost_low.data,
            cost_high_fen=form.cost_high.data,
            year=form.year.data,
        ),
        render=lambda status: (
            render_template("needs/guidance_new.html", name=name, urls=_urls(scope), prefix=_prefix(scope), form=form),
            status,
        ),
        done=lambda _item: redirect(url_for(_prefix(scope) + "guidance", **_urls(scope))),
        message=_("The item is drafted; publish the year's list when it is complete."),
    )


@bp.route("/c/<slug>/guidance/new", methods=["GET", "POST"])
@login_required
def community_guidance_new(slug: str):
    """Staff make an item of the community's list from screened needs."""
    return _new(*_community(slug))


@bp.route("/streets/<int:street_id>/guidance/new", methods=["GET", "POST"])
@login_required
def street_guidance_new(street_id: int):
    """Street staff make a street-wide item from screened needs of the street's communities."""
    return _new(*_street(street_id))


def _publish(scope: Scope, can_make: bool, name: str):
    if not can_make:
        raise Forbidden()
    form = PublishForm()
    return form_view(
        form,
        lambda: services.publish(current_user._get_current_object(), scope, form.year.data),
        render=lambda status: (_index(scope, can_make, name), status),
        done=lambda drafts: redirect(url_for(_prefix(scope) + "guidance_year", year=drafts[0].year, **_urls(scope))),
        message=_("The list is published; the authors of its needs have been told."),
    )


@bp.route("/c/<slug>/guidance/publish", methods=["POST"])
@login_required
def community_guidance_publish(slug: str):
    """Staff publish the year's drafts of the community's list."""
    return _publish(*_community(slug))


@bp.route("/streets/<int:street_id>/guidance/publish", methods=["POST"])
@login_required
def street_guidance_publish(street_id: int):
    """Street staff publish the year's street-wide drafts."""
    return _publish(*_street(street_id))


def _year(scope: Scope, name: str, year: int):
    found = services.items(scope, year)
    return render_template(
        "needs/guidance_year.html",
        name=name,
        year=year,
        items=found,
        households=services.households_behind(found),
        urls=_urls(scope),
        prefix=_prefix(scope),
        affected_labels=AFFECTED_LABELS,
    )


@bp.route("/c/<slug>/guidance/<int:year>")
@login_required
def community_guidance_year(slug: str, year: int):
    """The community's published list of the year, with the households behind each item."""
    scope, _can, name = _community(slug)
    return _year(scope, name, year)


@bp.route("/streets/<int:street_id>/guidance/<int:year>")
@login_required
def street_guidance_year(street_id: int, year: int):
    """The street's published street-wide list of the year."""
    scope, _can, name = _street(street_id)
    return _year(scope, name, year)


HEADERS = (
    "No.",
    "Item",
    "Summary",
    "Who it serves",
    "Cost from (yuan)",
    "Cost to (yuan)",
    "Households behind",
    "Needs",
)


def export(scope: Scope, name: str, year: int, extension: str):
    found = services.items(scope, year)
    households = services.households_behind(found)
    headers = [_(h) for h in HEADERS]
    rows = [
        (
            i.id,
            i.title,
            i.summary,
            str(AFFECTED_LABELS[i.affected]),
            format_yuan(i.cost_low_fen),
            format_yuan(i.cost_high_fen),
            households[i.id],
            "; ".join(f"#{n.id} {n.title}" for n in i.needs),
        )
        for i in found
    ]
    title = _("%(name)s guidance list %(year)d", name=name, year=year)
    body = table_csv(headers, rows) if extension == "csv" else table_xlsx([(title, headers, rows)])
    return download(body, extension, ascii_name=f"guidance-{year}", name=title)


@bp.route("/c/<slug>/guidance/<int:year>.<any(csv, xlsx):extension>")
@login_required
def community_guidance_export(slug: str, year: int, extension: str):
    """The community's published list of the year as CSV or XLSX."""
    scope, _can, name = _community(slug)
    return export(scope, name, year, extension)


@bp.route("/streets/<int:street_id>/guidance/<int:year>.<any(csv, xlsx):extension>")
@login_required
def street_guidance_export(street_id: int, year: int, extension: str):
    """The street's published street-wide list of the year as CSV or XLSX."""
    scope, _can, name = _street(street_id)
    return export(scope, name, year, extension)
