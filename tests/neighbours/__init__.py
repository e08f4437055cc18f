"""睦邻互助会: helpers shared by the neighbourhood-group tests."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from app.communities import access
from app.extensions import db
from app.neighbours import services
from app.neighbours.models import GroupBuilding, GroupMember, NeighbourGroup
from tests import factories


def viewer(world, key: str):
    return access.viewer(world.users[key], world.community)


def login(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = factories.login_token(user)
        session["_fresh"] = True


def make_group(world, building, name: str, *members: str) -> NeighbourGroup:
    group = NeighbourGroup(
        community_id=world.community.id,
        name=name,
        client_id=uuid.uuid4().hex,
        buildings=[GroupBuilding(building_id=building.id)],
    )
    db.session.add(group)
    db.session.flush()
    for key in members:
        db.session.add(GroupMember(group_id=group.id, user_id=world.users[key].id))
    db.session.commit()
    return group


def make_post(world, group, key="resident", *, kind="request", category="escort", title="周四陪我去医院复查", **kw):
    item = services.post(
        viewer(world, key),
        group,
        client_id=uuid.uuid4().hex,
        kind=kind,
        category=category,
        title=title,
        body=kw.pop("body", "腿脚不方便，想请邻居陪一趟。"),
    )
    db.session.commit()
    return item


def count(model, **filters) -> int:
    query = select(func.count()).select_from(model)
    for name, value in filters.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)
