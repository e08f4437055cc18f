"""The work items' signals turned into notifications: a department's officer hears the district's decision on
their request, the community's staff member the district's answer to their objection, and the district's staff
of an urgent request or a new objection. A flow, so the notifications kernel knows no work item."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.flows.notices import _path
from app.notifications import kinds
from app.notifications.kinds import Importance
from app.notifications.services import notify
from app.workitems import queries, signals
from app.workitems.models import RequestStatus

kinds.register("workitem_decided", Importance.ACTION, _l("The district decided your work-item request"))
kinds.register("workitem_urgent", Importance.ACTION, _l("An urgent work-item request awaits a decision (district)"))
kinds.register("workitem_objection", Importance.ACTION, _l("A community reported work placed outside the list"))
kinds.register("workitem_answered", Importance.INFO, _l("The district answered your report"))


@signals.request_submitted.connect
def _submitted(request, actor, **_):
    if not request.urgent:
        return  # decided with the others in the yearly round: the district's staff see them there
    for user in queries.district_staff(request.district_id):
        notify(
            user,
            "workitem_urgent",
            _l(
                "Urgent request from %(department)s: “%(title)s”.",
                department=request.department.name,
                title=request.title,
            ),
            url=_path("workitems.show_request", request_id=request.id),
        )


@signals.request_decided.connect
def _decided(request, actor, **_):
    if request.requested_by is None:
        return
    message = (
        _l("The district admitted “%(title)s”.", title=request.title)
        if request.status == RequestStatus.ADMITTED
        else _l("The district refused “%(title)s”: %(reason)s", title=request.title, reason=request.decision_reason)
    )
    notify(
        request.requested_by, "workitem_decided", message, url=_path("workitems.show_request", request_id=request.id)
    )


@signals.objection_filed.connect
def _filed(objection, actor, **_):
    for user in queries.district_staff(objection.department.district_id):
        notify(
            user,
            "workitem_objection",
            _l(
                "%(community)s reports work placed on it by %(department)s outside the list.",
                community=objection.community.name,
                department=objection.department.name,
            ),
            url=_path("workitems.show_objection", work_objection_id=objection.id),
        )


@signals.objection_answered.connect
def _answered(objection, actor, **_):
    if objection.reporter is None:
        return
    notify(
        objection.reporter,
        "workitem_answered",
        _l("The district answered your report on %(department)s.", department=objection.department.name),
        url=_path("workitems.show_objection", work_objection_id=objection.id),
        community_id=objection.community_id,
    )
