"""Proxy voting (委托投票) through the use cases: appointing online (the owner's password) and at the office (a
photo of the signed paper), every refusal writing nothing, revoking, the proxy's vote in the owner's name marked
in the chain, both told with the receipt, and the count saying how many votes came by proxy."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, update

from app.core.errors import DomainError
from app.core.models import AuditEntry
from app.core.uploads import Photo
from app.decisions import services
from app.decisions.models import Proxy, ProxyMethod
from app.extensions import db
from app.notifications.models import Notification
from app.voting import services as voting
from app.voting import tally
from app.voting.models import Ballot
from tests import factories
from tests.contests import viewer
from tests.decisions.conftest import opened, paper
from tests.decisions.helpers import Store, jpeg


def entry_of(decision, name):
    return next(e for e in services.roll_of(decision) if e.name == name)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def appoint(world, decision, phone="resident", password=factories.PASSWORD):
    proxy = services.appoint(
        viewer(world.users["owner"], decision),
        decision,
        phone=world.users["resident"].phone if phone == "resident" else phone,
        password=password,
    )
    db.session.commit()
    return proxy


def office(world, decision, name="张建国", *, who="staff", proxy_key="resident"):
    store = Store(decision.community_id, world.users[who].id)
    proxy = services.record_office(
        viewer(world.users[who], decision),
        decision,
        roll_entry_id=entry_of(decision, name).id,
        phone=world.users[proxy_key].phone,
        photo=jpeg(),
        store=store,
    )
    db.session.commit()
    return proxy


def refused(code, action):
    with pytest.raises(DomainError) as caught:
        action()
    db.session.rollback()
    assert caught.value.code == code, caught.value.code
    return caught.value


def test_online_appointment_then_the_proxy_votes_in_the_owners_name(owners):
    decision = opened(owners)
    proxy = appoint(owners, decision)
    owner, resident = owners.users["owner"], owners.users["resident"]
    assert (proxy.method, proxy.proxy_user_id, proxy.recorded_by_id) == (ProxyMethod.ONLINE, resident.id, owner.id)
    assert (
        services.appoint(  # a retry: the same appointment
            viewer(owner, decision), decision, phone=resident.phone, password=factories.PASSWORD
        ).id
        == proxy.id
    )
    assert count(Proxy) == 1
    told = db.session.scalars(select(Notification).where(Notification.user_id == resident.id)).all()
    assert [n.kind for n in told] == ["decision_proxy"] and "李秀英" in told[0].text

    ballot = services.vote_as_proxy(viewer(resident, decision), decision, proxy.roll_entry_id, "agree")
    db.session.commit()
    entry = entry_of(decision, "李秀英")
    assert (ballot.voter_key, ballot.voter_id, ballot.by_proxy) == (entry.voter_key, owner.id, True)
    again = services.vote_as_proxy(viewer(resident, decision), decision, proxy.roll_entry_id, "agree")
    db.session.commit()
    assert again.id == ballot.id and count(Ballot) == 1
    # both get the receipt, once; the owner's receipts page lists the ballot as theirs
    for user in (owner, resident):
        kinds = db.session.scalars(
            select(Notification.text).where(Notification.user_id == user.id, Notification.kind == "decision_proxy_vote")
        ).all()
        assert len(kinds) == 1 and ballot.receipt in kinds[0], user.name
    assert [r.receipt for r in voting.receipts_of(owner.id)] == [ballot.receipt]
    # one vote per unit: the owner cannot vote as well, and the proxy cannot change it
    refused("already_voted", lambda: services.vote(viewer(owner, decision), decision, "oppose"))
    refused(
        "already_voted",
        lambda: services.vote_as_proxy(viewer(resident, decision), decision, proxy.roll_entry_id, "oppose"),
    )
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("decision.proxy%")))
        == 2
    )


def test_a_wrong_password_or_a_stranger_as_proxy_stores_nothing(owners):
    decision = opened(owners)
    notified = count(Notification)  # the owners heard that voting opened
    refused("wrong_password", lambda: appoint(owners, decision, password="not-my-password"))
    refused("proof_needed", lambda: appoint(owners, decision, password=""))
    error = refused("proxy_not_member", lambda: appoint(owners, decision, phone=owners.users["outsider"].phone))
    assert "需要先在议事平台注册并加入本社区" in str(error.message)  # the Chinese page says: register first
    refused("proxy_not_member", lambda: appoint(owners, decision, phone=owners.users["other_resident"].phone))
    refused("bad_phone", lambda: appoint(owners, decision, phone="12345"))
    refused("bad_phone", lambda: appoint(owners, decision, phone=None))
    refused("proxy_is_owner", lambda: appoint(owners, decision, phone=owners.users["owner"].phone))
    assert count(Proxy) == 0 and count(Notification) == notified


def test_no_proxy_after_the_owner_voted_or_after_voting_closed(owners):
    decision = opened(owners)
    services.vote(viewer(owners.users["owner"], decision), decision, "agree")
    db.session.commit()
    refused("already_voted", lambda: appoint(owners, decision))
    paper(owners, decision, entry_of(decision, "张建国"), "oppose", "owners_committee", "staff")
    refused("already_voted", lambda: office(owners, decision))
    services.close_voting(viewer(owners.users["staff"], decision), decision)
    db.session.commit()
    refused("wrong_phase", lambda: office(owners, decision, "王志强"))
    assert count(Proxy) == 0


def test_one_proxy_per_unit_and_the_limit_per_proxy(owners):
    decision = opened(owners)
    decision.proxy_limit = 1
    db.session.commit()
    office(owners, decision, "张建国", proxy_key="resident")
    # the limit: the resident already holds one owner
    error = refused("proxy_limit", lambda: appoint(owners, decision))
    assert "此人已受托代1位业主投票" in str(error.message)
    # a second proxy in force for the same unit is refused; the same proxy again is a retry
    refused("proxy_exists", lambda: office(owners, decision, "张建国", proxy_key="leader_a"))
    assert office(owners, decision, "张建国", proxy_key="resident").proxy_user_id == owners.users["resident"].id
    assert count(Proxy) == 1 and count(Photo) == 1


def test_office_record_needs_a_counter_and_a_photo(owners):
    decision = opened(owners)
    for key in ("owner", "resident", "property_manager", "unverified"):
        refused("forbidden", lambda key=key: office(owners, decision, who=key))
    store = Store(decision.community_id, owners.users["staff"].id)
    refused(
        "photo_needed",
        lambda: services.record_office(
            viewer(owners.users["staff"], decision), decision, roll_entry_id=entry_of(decision, "张建国").id,
            phone=owners.users["resident"].phone, photo=None, store=store,
        ),
    )  # fmt: skip
    refused(
        "bad_roll_entry",
        lambda: services.record_office(
            viewer(owners.users["staff"], decision), decision, roll_entry_id=10**9,
            phone=owners.users["resident"].phone, photo=jpeg(), store=store,
        ),
    )  # fmt: skip
    assert count(Proxy) == 0
    proxy = office(owners, decision)
    assert proxy.method == ProxyMethod.OFFICE and proxy.photo_id is not None
    assert proxy.recorded_by_id == owners.users["staff"].id


def test_revoke_before_the_proxy_votes_then_the_owner_votes(owners):
    decision = opened(owners)
    proxy = appoint(owners, decision)
    owner = owners.users["owner"]
    refused("proxy_appointed", lambda: services.vote(viewer(owner, decision), decision, "agree"))
    refused("proxy_appointed", lambda: services.review_vote(viewer(owner, decision), decision, "agree"))
    for key in ("resident", "leader_a", "property_manager"):
        refused("forbidden", lambda key=key: services.revoke(viewer(owners.users[key], decision), decision, proxy.id))
    refused("not_found", lambda: services.revoke(viewer(owners.users["other_staff"], decision), decision, proxy.id))
    services.revoke(viewer(owner, decision), decision, proxy.id)
    db.session.commit()
    assert proxy.revoked_at is not None and proxy.revoked_by_id == owner.id
    refused(
        "not_found",
        lambda: services.vote_as_proxy(
            viewer(owners.users["resident"], decision), decision, proxy.roll_entry_id, "agree"
        ),
    )
    assert services.vote(viewer(owner, decision), decision, "oppose").by_proxy is False


def test_no_revoking_once_the_proxy_has_voted(owners):
    decision = opened(owners)
    proxy = office(owners, decision)
    services.vote_as_proxy(viewer(owners.users["resident"], decision), decision, proxy.roll_entry_id, "abstain")
    db.session.commit()
    refused("proxy_voted", lambda: services.revoke(viewer(owners.users["staff"], decision), decision, proxy.id))
    assert db.session.get(Proxy, proxy.id).revoked_at is None


def test_only_the_holder_votes_as_proxy(owners):
    decision = opened(owners)
    proxy = office(owners, decision)
    for key in ("owner", "leader_a", "staff", "other_resident", "street_staff"):
        refused(
            "not_found",
            lambda key=key: services.vote_as_proxy(
                viewer(owners.users[key], decision), decision, proxy.roll_entry_id, "agree"
            ),
        )
    refused(
        "bad_choice",
        lambda: services.vote_as_proxy(viewer(owners.users["resident"], decision), decision, proxy.roll_entry_id, "x"),
    )
    refused(
        "not_found",
        lambda: services.vote_as_proxy(viewer(owners.users["resident"], decision), decision, 10**9, "agree"),
    )
    assert count(Ballot) == 0


def test_the_proxy_mark_is_in_the_chain_and_the_count(owners):
    decision = opened(owners)
    proxy = office(owners, decision)
    services.vote(viewer(owners.users["owner"], decision), decision, "agree")
    services.vote_as_proxy(viewer(owners.users["resident"], decision), decision, proxy.roll_entry_id, "agree")
    db.session.commit()
    services.close_voting(viewer(owners.users["staff"], decision), decision)
    db.session.commit()
    poll = services.poll_of(decision)
    assert voting.verify(poll).ok
    assert services.outcome(decision).proxy == 1
    # removing the mark (or adding one) breaks the ballot's hash
    db.session.execute(update(Ballot).where(Ballot.by_proxy.is_(True)).values(by_proxy=False))
    db.session.commit()
    check = voting.verify(poll)
    assert not check.ok and any("hash does not match" in p for p in check.problems)
    db.session.execute(update(Ballot).values(by_proxy=True))
    db.session.commit()
    assert not voting.verify(poll).ok
    db.session.execute(update(Ballot).values(by_proxy=Ballot.voter_id.is_(None)))
    db.session.commit()
    assert voting.verify(poll).ok


def test_a_ballot_cast_in_person_keeps_the_hash_it_always_had():
    """Ballots sealed before proxies existed verify as before: the mark adds to the hash only when set."""
    import hashlib

    record = tally.BallotRecord(seq=3, receipt="ABC", choice="agree", voter_key="roll:7", building_id=2,
                                weight_area=8950, weight_heads=1)  # fmt: skip
    old = hashlib.sha256("|".join(["prev", "decision", "5", "3", "ABC", "agree", "roll:7", "2", "8950", "1"]).encode())
    assert tally.link("prev", "decision", 5, record) == old.hexdigest()
    marked = tally.BallotRecord(**{**record.__dict__, "proxy": True})
    assert tally.link("prev", "decision", 5, marked) != old.hexdigest()
    assert "proxy" not in tally.count([record]).as_dict()
    assert tally.count([record, marked]).as_dict()["proxy"] == 1


def test_the_published_result_keeps_the_proxy_count(owners):
    decision = opened(owners)
    proxy = office(owners, decision)
    services.vote_as_proxy(viewer(owners.users["resident"], decision), decision, proxy.roll_entry_id, "agree")
    db.session.commit()
    services.close_voting(viewer(owners.users["staff"], decision), decision)
    services.certify(viewer(owners.users["staff"], decision), decision, "counter")
    services.certify(viewer(owners.users["owners_committee"], decision), decision, "scrutineer")
    db.session.commit()
    poll = services.poll_of(decision)
    assert json.loads(poll.result)["proxy"] == 1 and voting.verify(poll).ok
    assert services.outcome(decision).proxy == 1
