"""Display names of the communities' roles and household relations (lazy: translated when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.communities.models import Relation, Role

ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.OWNER: _l("Owner"),
    Role.BUILDING_LEADER: _l("Building leader"),
    Role.GROUP_LEADER: _l("Resident group leader"),
    Role.RESIDENT_REP: _l("Resident representative"),
    Role.PROPERTY_MANAGER: _l("Property manager"),
    Role.OWNERS_COMMITTEE: _l("Owners' committee"),
    Role.COMMUNITY_STAFF: _l("Community staff"),
    Role.SOCIAL_ORG: _l("Social organisation"),
    Role.RESIDENT_UNIT: _l("Resident unit"),
    Role.EXPERT: _l("Expert"),
}

RELATION_LABELS = {
    Relation.OWNER: _l("Owner"),
    Relation.FAMILY: _l("Family of the owner"),
    Relation.TENANT: _l("Tenant"),
}
