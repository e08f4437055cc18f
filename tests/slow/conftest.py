"""A slow consultation (异步协商) in the world fixture's community, and helpers to act in it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.consultations.models import Motion
from app.core.clock import local_zone
from app.core.models import utcnow
from app.extensions import db
from app.slow import services
from tests.consultations.conftest import logged_in, make_consultation, rules_templates, viewer_of  # noqa: F401

# Who may see a consultation of 翠竹园 and who may not (a refusal to see is a 404)
SEE = ("resident", "owner", "leader_a", "leader_b", "group_leader", "resident_rep", "property_manager",
       "owners_committee", "staff", "social_org", "expert", "pending_a", "street_staff", "district_staff")  # fmt: skip
NOT_SEE = ("other_staff", "other_resident", "outsider")


def make_slow(world, templates, **kw):
    """An open slow consultation of 居委会 and 居民, chaired by 1栋's leader; `building`: for that building."""
    kw.setdefault("parties", ("residents_committee", "residents"))
    return make_consultation(world, templates, key="slow", **kw)


@pytest.fixture
def slow(world, rules_templates):  # noqa: F811
    """slow(**kw) -> a new slow consultation (make_consultation's arguments, on 线上协商规则)."""
    return lambda **kw: make_slow(world, rules_templates, **kw)


def put_proposal(world, consultation, *, by="resident", hours=48, text="在2栋旁建车棚") -> Motion:
    user = world.users[by]
    motion = services.put(
        viewer_of(user, consultation),
        consultation,
        client_id=f"p-{consultation.id}-{by}",
        text=text,
        closes_at=utcnow() + timedelta(hours=hours),
    )
    db.session.commit()
    return motion


def http(app, world, key):
    """An HTTP client logged in as the member (None: anonymous), in English."""
    return logged_in(app, world.users[key] if key else None)


def in_beijing(**delta) -> str:
    """A closing time as the form takes it: Beijing wall-clock time, `delta` from now."""
    return (utcnow() + timedelta(**delta)).astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")
