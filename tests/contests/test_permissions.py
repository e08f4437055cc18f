"""Every contest page, action and socket event, allowed and denied, for every member key of the world
and an anonymous visitor. A denied request changes nothing.

Members of another community and outsiders get 403 for the community's list and 404 for a contest
(its existence is not confirmed). Staff create, move phases, count and answer objections; experts and
staff screen; verified residents enter proposals and vote; verified members object during 公示.

The module runs on one world; each case makes its own contest.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from app.contests.models import Contest, Entry, EntryStatus, Phase
from app.core.models import AuditEntry
from app.extensions import db, socketio
from app.objections.models import Objection
from app.voting.models import Ballot, Certification, Participation
from tests import conftest as root
from tests.conftest import running_app
from tests.contests import contest_in, count, logged_in, viewer

ANONYMOUS = "anonymous"
RESIDENTS = {"resident", "owner", "leader_a", "leader_b", "group_leader", "resident_rep", "owners_committee"}
VERIFIED = RESIDENTS | {"property_manager", "staff", "social_org", "expert"}
PENDING = {"pending_a", "pending_b", "unverified"}
MEMBERS = VERIFIED | PENDING
OVERSEERS = {"street_staff", "district_staff"}
VISIBLE = MEMBERS | OVERSEERS
INVISIBLE = {"other_staff", "other_resident", "outsider"}
STAFF = {"staff"}
SCREENERS = {"staff", "expert"}
WORLD_KEYS = sorted(VISIBLE | INVISIBLE)
KEYS = [*WORLD_KEYS, ANONYMOUS]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("imports")) as application:
        yield application


@pytest.fixture(scope="module")
def world(app):
    return root.world.__wrapped__(app)


def expected(key: str, allowed: set[str], ok: int, *, invisible: int = 404) -> int:
    if key == ANONYMOUS:
        return 302
    if key in allowed:
        return ok
    return invisible if key in INVISIBLE else 403


def client_for(app, world, key: str):
    return logged_in(app, None if key == ANONYMOUS else world.users[key])


def snapshot(contest: Contest | None = None) -> tuple:
    """Everything a denied request must leave as it was."""
    db.session.expire_all()
    counts = tuple(count(m) for m in (Contest, Entry, Ballot, Participation, Certification, Objection, AuditEntry))
    if contest is None:
        return counts
    statuses = tuple((e.id, e.status, e.screening_reason) for e in contest.entries)
    answers = tuple(o.answer for o in db.session.scalars(db.select(Objection)))
    return (*counts, contest.phase, statuses, answers)


def check_anonymous(key, response):
    if key == ANONYMOUS:
        assert "/account/login" in response.headers["Location"]


def test_the_matrix_covers_every_member_of_the_world(world):
    assert set(WORLD_KEYS) == set(world.users)


@pytest.mark.parametrize("key", KEYS)
def test_index(app, world, key):
    contest, _ = contest_in(world, Phase.SUBMISSION, entries=0)
    response = client_for(app, world, key).get(f"/c/{world.community.slug}/contests")
    assert response.status_code == expected(key, VISIBLE, 200, invisible=403), key
    check_anonymous(key, response)
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        assert contest.title in html
        assert (f'href="/c/{world.community.slug}/contests/new"' in html) == (key in STAFF)


@pytest.mark.parametrize("key", KEYS)
def test_new_form(app, world, key):
    response = client_for(app, world, key).get(f"/c/{world.community.slug}/contests/new")
    assert response.status_code == expected(key, STAFF, 200, invisible=403), key
    check_anonymous(key, response)


@pytest.mark.parametrize("key", KEYS)
def test_create(app, world, key):
    before = snapshot()
    title = f"2027年幸福提案大赛 {uuid.uuid4().hex[:4]}"
    today = date.today()
    response = client_for(app, world, key).post(
        f"/c/{world.community.slug}/contests/new",
        data={
            "client_id": uuid.uuid4().hex,
            "title": title,
            "max_choices": "3",
            "winner_count": "2",
            "ballot_unit": "household",
            "secret": "y",
            "fund_year": str(today.year),
            "submission_ends": (today + timedelta(days=10)).isoformat(),
            "screening_ends": (today + timedelta(days=20)).isoformat(),
            "voting_ends": (today + timedelta(days=30)).isoformat(),
            "announced_ends": (today + timedelta(days=40)).isoformat(),
        },
    )
    assert response.status_code == expected(key, STAFF, 302, invisible=403), key
    check_anonymous(key, response)
    if key in STAFF:
        contest = db.session.scalars(db.select(Contest).filter_by(title=title)).one()
        assert (contest.max_choices, contest.winner_count, contest.ballot_unit.value, contest.secret) == (
            3,
            2,
            "household",
            True,
        )
        assert contest.phase == Phase.SUBMISSION
        assert response.headers["Location"].endswith(f"/contests/{contest.id}")
    else:
        assert snapshot() == before


@pytest.mark.parametrize("key", KEYS)
def test_show(app, world, key):
    contest, entries = contest_in(world, Phase.SUBMISSION, entries=1)
    response = client_for(app, world, key).get(f"/contests/{contest.id}")
    assert response.status_code == expected(key, VISIBLE, 200), key
    check_anonymous(key, response)
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        assert entries[0].title in html
        assert (f'href="/contests/{contest.id}/entries/new"' in html) == (key in RESIDENTS)
        assert (f'action="/contests/{contest.id}/advance"' in html) == (key in STAFF)


@pytest.mark.parametrize("key", KEYS)
def test_advance(app, world, key):
    contest, _ = contest_in(world, Phase.SUBMISSION, entries=1)
    before = snapshot(contest)
    response = client_for(app, world, key).post(f"/contests/{contest.id}/advance", data={"to": "screening"})
    assert response.status_code == expected(key, STAFF, 302), key
    check_anonymous(key, response)
    db.session.expire_all()
    if key in STAFF:
        assert contest.phase == Phase.SCREENING
    else:
        assert snapshot(contest) == before


@pytest.mark.parametrize("key", KEYS)
def test_vote_review_step(app, world, key):
    """The first press shows the chosen entries (residents only); nothing is cast until confirmed."""
    contest, entries = contest_in(world, Phase.VOTING, entries=2)
    before = snapshot(contest)
    response = client_for(app, world, key).post(f"/contests/{contest.id}/vote", data={"entry": [str(entries[0].id)]})
    assert response.status_code == expected(key, RESIDENTS, 200), key
    check_anonymous(key, response)
    assert snapshot(contest) == before
    if key in RESIDENTS:
        page = response.get_data(as_text=True)
        assert "Once sent, it cannot be changed." in page and entries[0].title in page


@pytest.mark.parametrize("key", KEYS)
def test_entry_form(app, world, key):
    contest, _ = contest_in(world, Phase.SUBMISSION, entries=0)
    response = client_for(app, world, key).get(f"/contests/{contest.id}/entries/new")
    assert response.status_code == expected(key, RESIDENTS, 200), key
    check_anonymous(key, response)


@pytest.mark.parametrize("key", KEYS)
def test_submit_entry(app, world, key):
    contest, _ = contest_in(world, Phase.SUBMISSION, entries=0)
    before = snapshot(contest)
    title = f"儿童游乐区改造 {uuid.uuid4().hex[:4]}"
    response = client_for(app, world, key).post(
        f"/contests/{contest.id}/entries/new",
        data={
            "client_id": uuid.uuid4().hex,
            "idea_id": "",
            "title": title,
            "summary": "更换老旧滑梯，地面铺设软垫，服务全小区儿童。",
            "budget": "12800.50",
        },
    )
    assert response.status_code == expected(key, RESIDENTS, 302), key
    check_anonymous(key, response)
    if key in RESIDENTS:
        entry = db.session.scalars(db.select(Entry).filter_by(title=title)).one()
        assert (entry.author_id, entry.budget_fen, entry.contest_id) == (world.users[key].id, 1_280_050, contest.id)
    else:
        assert snapshot(contest) == before


@pytest.mark.parametrize("key", KEYS)
def test_entry_page(app, world, key):
    _contest, entries = contest_in(world, Phase.VOTING, entries=2, ineligible=1)
    rejected = entries[1]
    response = client_for(app, world, key).get(f"/contests/entries/{rejected.id}")
    assert response.status_code == expected(key, VISIBLE, 200), key
    check_anonymous(key, response)
    if response.status_code == 200:
        # the reason is for its author, the experts and the staff
        shown = "超出社区范围" in response.get_data(as_text=True)
        author = next(k for k, u in world.users.items() if u.id == rejected.author_id)
        assert shown == (key in SCREENERS | {author}), key


@pytest.mark.parametrize("key", KEYS)
def test_screen(app, world, key):
    contest, entries = contest_in(world, Phase.SCREENING, entries=1)
    before = snapshot(contest)
    response = client_for(app, world, key).post(
        f"/contests/entries/{entries[0].id}/screen", data={"decision": "ineligible", "reason": "预算超出上限"}
    )
    assert response.status_code == expected(key, SCREENERS, 302), key
    check_anonymous(key, response)
    db.session.expire_all()
    if key in SCREENERS:
        assert entries[0].status == EntryStatus.INELIGIBLE
        assert entries[0].screening_reason == "预算超出上限"
    else:
        assert snapshot(contest) == before


@pytest.mark.parametrize("key", KEYS)
def test_ballot_page(app, world, key):
    contest, entries = contest_in(world, Phase.VOTING, entries=2)
    response = client_for(app, world, key).get(f"/contests/{contest.id}/vote")
    assert response.status_code == expected(key, RESIDENTS, 200), key
    check_anonymous(key, response)
    if response.status_code == 200:
        assert f'value="{entries[1].id}"' in response.get_data(as_text=True)


@pytest.mark.parametrize("key", KEYS)
def test_vote(app, world, key):
    contest, entries = contest_in(world, Phase.VOTING, entries=2)
    before = snapshot(contest)
    data = {"entry": [str(entries[0].id)], "confirmed": "1"}
    response = client_for(app, world, key).post(f"/contests/{contest.id}/vote", data=data)
    assert response.status_code == expected(key, RESIDENTS, 200), key
    check_anonymous(key, response)
    if key in RESIDENTS:
        (ballot,) = db.session.scalars(db.select(Ballot).filter_by(poll_type="contest", poll_id=contest.id))
        assert ballot.receipt in response.get_data(as_text=True)
        assert ballot.choice == str(entries[0].id)
    else:
        assert snapshot(contest) == before


@pytest.mark.parametrize("key", KEYS)
def test_turnout_json(app, world, key):
    contest, _ = contest_in(world, Phase.VOTING, entries=2, votes=[("resident", [0])])
    response = client_for(app, world, key).get(f"/contests/{contest.id}/turnout")
    assert response.status_code == expected(key, VISIBLE, 200), key
    check_anonymous(key, response)
    if response.status_code == 200:
        assert response.json["turnout"]["voted"] == 1


@pytest.mark.parametrize("key", KEYS)
def test_count_page(app, world, key):
    contest, _ = contest_in(world, Phase.COUNTING, entries=2, votes=[("resident", [0])])
    response = client_for(app, world, key).get(f"/contests/{contest.id}/count")
    assert response.status_code == expected(key, STAFF, 200), key
    check_anonymous(key, response)


@pytest.mark.parametrize("key", KEYS)
def test_certify(app, world, key):
    contest, _ = contest_in(world, Phase.COUNTING, entries=2, votes=[("resident", [0])])
    before = snapshot(contest)
    response = client_for(app, world, key).post(f"/contests/{contest.id}/certify", data={"role": "counter"})
    assert response.status_code == expected(key, STAFF, 302), key
    check_anonymous(key, response)
    if key in STAFF:
        assert count(Certification) == before[4] + 1
    else:
        assert snapshot(contest) == before


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("path", ["results", "results.csv", "results.xlsx"])
def test_results(app, world, key, path):
    contest, _ = contest_in(world, Phase.ANNOUNCED, entries=2, votes=[("resident", [0])])
    response = client_for(app, world, key).get(f"/contests/{contest.id}/{path}")
    assert response.status_code == expected(key, VISIBLE, 200), key
    check_anonymous(key, response)


@pytest.mark.parametrize("key", KEYS)
def test_object(app, world, key):
    contest, _ = contest_in(world, Phase.ANNOUNCED, entries=2, votes=[("resident", [0])])
    before = snapshot(contest)
    response = client_for(app, world, key).post(
        f"/contests/{contest.id}/objections",
        data={"client_id": uuid.uuid4().hex, "body": "2栋的票数似乎有误，请核查。"},
    )
    assert response.status_code == expected(key, VERIFIED, 302), key
    check_anonymous(key, response)
    if key in VERIFIED:
        assert count(Objection) == before[5] + 1
    else:
        assert snapshot(contest) == before


@pytest.mark.parametrize("key", KEYS)
def test_answer(app, world, key):
    from app.contests import services

    contest, _ = contest_in(world, Phase.ANNOUNCED, entries=2, votes=[("resident", [0])])
    objection = services.object_to(
        viewer(world.users["owner"], contest), contest, client_id="o1", body="2栋的票数似乎有误，请核查。"
    )
    before = snapshot(contest)
    response = client_for(app, world, key).post(
        f"/contests/{contest.id}/objections/{objection.id}/answer", data={"answer": "已核查，计票无误。"}
    )
    assert response.status_code == expected(key, STAFF, 302), key
    check_anonymous(key, response)
    db.session.expire_all()
    if key in STAFF:
        assert objection.answer == "已核查，计票无误。"
    else:
        assert snapshot(contest) == before


# -- the /contests socket ----------------------------------------------------------------------------


def socket_for(app, world, key):
    return socketio.test_client(app, namespace="/contests", flask_test_client=client_for(app, world, key))


def ack(sc, event, **data):
    return sc.emit(event, data, namespace="/contests", callback=True)


@pytest.mark.parametrize("key", KEYS)
def test_socket_join_and_leave(app, world, key):
    contest, _ = contest_in(world, Phase.VOTING, entries=2, votes=[("owner", [1])])
    sc = socket_for(app, world, key)
    try:
        if key == ANONYMOUS:
            assert not sc.is_connected("/contests")
            return
        joined = ack(sc, "join", contest_id=contest.id)
        left = ack(sc, "leave", contest_id=contest.id)
        if key in VISIBLE:
            assert joined["ok"], joined
            assert joined["contest"]["id"] == contest.id
            assert joined["turnout"]["voted"] == 1
            assert "results" not in joined
            assert left == {"ok": True}
        else:
            assert joined == {"ok": False, "error": {"code": "not_found", "message": joined["error"]["message"]}}
            assert left["error"]["code"] == "not_found"
    finally:
        if sc.is_connected("/contests"):
            sc.disconnect("/contests")


@pytest.mark.parametrize("key", KEYS)
def test_socket_vote(app, world, key):
    contest, entries = contest_in(world, Phase.VOTING, entries=2)
    before = snapshot(contest)
    sc = socket_for(app, world, key)
    try:
        if key == ANONYMOUS:
            assert not sc.is_connected("/contests")
            return
        answer = ack(sc, "vote", contest_id=contest.id, entry_ids=[entries[0].id, entries[1].id])
        if key in RESIDENTS:
            assert answer["ok"], answer
            (ballot,) = db.session.scalars(db.select(Ballot).filter_by(poll_type="contest", poll_id=contest.id))
            assert answer["receipt"] == ballot.receipt
        else:
            code = "not_found" if key in INVISIBLE else "not_verified" if key in PENDING else "forbidden"
            assert answer["error"]["code"] == code, key
            assert snapshot(contest) == before
    finally:
        if sc.is_connected("/contests"):
            sc.disconnect("/contests")


@pytest.mark.parametrize("key", KEYS)
def test_grant(app, world, key):
    from app.communities import access
    from app.core.models import utcnow
    from app.microprojects import services as microprojects
    from app.microprojects.models import MicroProject

    if microprojects.fund_for(world.community, utcnow().year) is None:
        microprojects.set_fund(access.viewer(world.users["staff"], world.community), utcnow().year, 1_900_000_000)
        db.session.commit()
    contest, entries = contest_in(world, Phase.CLOSED, entries=2, winners=1, votes=[("resident", [0])])
    before = (*snapshot(contest), count(MicroProject))
    response = client_for(app, world, key).post(f"/contests/{contest.id}/grant", data={"confirm": "1"})
    assert response.status_code == expected(key, STAFF, 302), key
    check_anonymous(key, response)
    db.session.expire_all()
    if key in STAFF:
        assert entries[0].project_id is not None and entries[1].project_id is None
    else:
        assert (*snapshot(contest), count(MicroProject)) == before
