"""Build a community from a list of units and count a decision there, through the feature's own path."""

from __future__ import annotations

import io
import itertools
from datetime import date

from PIL import Image

from app.communities.models import HouseholdOwner, Role
from app.core.uploads import Photo
from app.decisions import services
from app.extensions import db
from tests import factories
from tests.contests import viewer

_n = itertools.count(1)


def town(units):
    """A community whose register holds `units`: (area in 0.01 m², owner person or None for an unsold
    developer unit, co-owner person or None). A person is a label; the same label on several units is one
    owner (same name and phone). Returns (community, counter, scrutineer)."""
    community = factories.community()
    building = factories.building(community, "1栋")
    phones = {}
    for number, (area, person, co_owner) in enumerate(units, start=1):
        household = factories.household(building, "1", str(100 + number), area=area)
        if person is None:
            household.developer_unsold = True
            household.owners = [HouseholdOwner(name="开发商", is_representative=True)]
            continue
        for rep, who in ((True, person), (False, co_owner)):
            if who is None:
                continue
            phone = phones.setdefault(who, f"136{next(_n):08d}")
            household.owners.append(HouseholdOwner(name=f"业主{who}", phone=phone, is_representative=rep))
    counter = factories.user(name="计票人")
    factories.membership(counter, community, Role.OWNERS_COMMITTEE)
    scrutineer = factories.user(name="监票人")
    factories.membership(scrutineer, community, Role.COMMUNITY_STAFF)
    return community, counter, scrutineer


def decide(community, counter, scrutineer, matter, choices, *, close=True, by_proxy=()):
    """Open a decision, enter a paper ballot (twice, by the two counters) for each roll entry with a choice
    in `choices` (one per roll entry, in roll order; None: did not vote), close and return the outcome.
    The roll entries at the positions in `by_proxy` vote through a proxy recorded at the office instead."""
    decision = services.create(
        viewer(counter, community),
        client_id=f"t{next(_n)}",
        matter=matter,
        title="测试表决事项",
        body="测试用的表决内容，至少十个字。",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 1, 2),
        publicity_days=3,
    )
    services.open_voting(viewer(counter, decision), decision)
    for position, (entry, choice) in enumerate(zip(services.roll_of(decision), choices, strict=True)):
        if choice is None:
            continue
        if position in by_proxy:
            vote_by_proxy(community, scrutineer, decision, entry, choice)
            continue
        for n, who in enumerate((counter, scrutineer)):
            services.enter_paper(
                viewer(who, decision), decision, roll_entry_id=entry.id, choice=choice, client_id=f"p{entry.id}-{n}"
            )
    if close:
        services.close_voting(viewer(counter, decision), decision)
    return decision, services.outcome(decision)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(buffer, "JPEG")
    return buffer.getvalue()


class Store:
    """A PhotoStore stand-in that keeps the photo's row without writing files."""

    def __init__(self, community_id, owner_id):
        self.community_id, self.owner_id = community_id, owner_id

    def save(self, data, *, restricted=False):
        photo = Photo(
            community_id=self.community_id, owner_id=self.owner_id, content_type="image/jpeg", width=40, height=60,
            size_bytes=len(data), thumb_size_bytes=1, sha256="0" * 64, restricted=restricted,
        )  # fmt: skip
        db.session.add(photo)
        db.session.flush()
        return photo

    def discard(self, photo):
        pass


def vote_by_proxy(community, staff, decision, entry, choice):
    """A member (a new one each time: no proxy limit reached) is recorded at the office as the entry's proxy and
    votes `choice` in the owner's name."""
    proxy_user = factories.user(name=f"代理人{next(_n)}")
    factories.membership(proxy_user, community, Role.RESIDENT)
    services.record_office(
        viewer(staff, decision), decision, roll_entry_id=entry.id, phone=proxy_user.phone, photo=jpeg(),
        store=Store(community.id, staff.id),
    )  # fmt: skip
    return services.vote_as_proxy(viewer(proxy_user, decision), decision, entry.id, choice)
