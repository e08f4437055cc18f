"""A neighbourhood group's own consultations (睦邻互助会的协商): drafted through the consultations services for
one of the group's buildings and linked to the group. A flow, as it writes across two features: consultations
know no group, and the group reads its consultations through the link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.communities.access import Viewer
from app.consultations import services as consultations
from app.consultations.models import Party
from app.core import validation
from app.core.errors import DomainError, Forbidden
from app.extensions import db
from app.neighbours import permissions
from app.neighbours.models import GroupConsultation, NeighbourGroup
from app.procedure.models import RuleSet

DEFAULT_RULES = "simple"  # the group's consultations run on the simple rule set unless the convenor chooses


def rule_set_choices(viewer: Viewer) -> list[RuleSet]:
    """The rule sets a group consultation may run on: the simple one first."""
    choices = consultations.rule_set_choices(viewer.community)
    return sorted(choices, key=lambda r: r.key != DEFAULT_RULES)


def convene(viewer: Viewer, group: NeighbourGroup, *, title, background, building_id, rule_set_id=None):
    """A leader (or staff) drafts one of the group's consultations: for one of its buildings, residents as the
    party, the convenor in the chair, the simple rule set unless another is chosen. Made through the
    consultations services; linked to the group here."""
    if not permissions.can_convene(viewer, group):
        raise Forbidden(_l("The group's leaders and the community's staff start its consultations."))
    try:
        building_id = int(building_id)
    except (TypeError, ValueError):
        building_id = None
    if building_id not in group.building_ids:
        raise DomainError("bad_request", _l("Choose one of the group's buildings."), field="building_id")
    if rule_set_id in (None, "", 0):
        rule_set_id = rule_set_choices(viewer)[0].id
    consultation = consultations.create_draft(
        viewer,
        title=title,
        background=validation.text(
            background, field="background", low=0, high=5000, message=_l("At most 5000 characters.")
        ),
        building_id=building_id,
        parties=[Party.RESIDENTS.value],
        chair_id=viewer.user_id,
        rule_set_id=rule_set_id,
    )
    db.session.add(GroupConsultation(group_id=group.id, consultation_id=consultation.id))
    db.session.flush()
    return consultation
