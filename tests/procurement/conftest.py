"""A procurement world on top of the shared `world`: two organisations with agents, a guidance item, a call
with a panel of two experts, an expert not on it, and street staff of another street."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from app.communities.models import OfficeRole, Role
from app.extensions import db
from tests import factories as f


@dataclass
class Procure:
    world: object
    call: object
    item: object
    org: object  # the first organisation (agent: world.users["social_org"], a member)
    org2: object  # the second (agent: "agent2", a member too)
    users: dict = field(default_factory=dict)


@pytest.fixture
def pw(world):
    community = world.community
    street = community.street
    users = dict(world.users)
    users["agent2"] = f.user(name="agent2")
    f.membership(users["agent2"], community, Role.SOCIAL_ORG)
    users["agent_far"] = f.user(name="agent_far")  # acts for an organisation of another district
    for key in ("expert_panel", "expert_conflicted", "expert_off"):
        users[key] = f.user(name=key)
        f.procure_expert(users[key], street)
    users["far_street_staff"] = f.user(name="far_street_staff")
    f.office(users["far_street_staff"], OfficeRole.STREET_STAFF, street_=world.far.street)
    org = f.procure_org(street.district, name="雨花睦邻社工服务中心", agents=[users["social_org"]])
    org2 = f.procure_org(street.district, name="绿邻环保公益协会", agents=[users["agent2"]])
    other_district = f.district("别的区")
    f.procure_org(other_district, name="外区机构", agents=[users["agent_far"]])
    item = f.procure_item(community)
    call = f.procure_call(community, item, users["staff"], panel=[users["expert_panel"], users["expert_conflicted"]])
    db.session.commit()
    return Procure(world=world, call=call, item=item, org=org, org2=org2, users=users)


@pytest.fixture
def as_(app, pw):
    """A test client logged in as pw.users[key] (None: anonymous), asking for English."""

    def make(key):
        http = app.test_client()
        http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        if key is not None:
            with http.session_transaction() as session:
                session["_user_id"] = f.login_token(pw.users[key])
                session["_fresh"] = True
        return http

    return make
