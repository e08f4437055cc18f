"""The contest ballot: what is refused (and stores nothing), one ballot per resident or household,
the secret ballot, results hidden until the vote closes, and live turnout coalesced."""

from __future__ import annotations

import lxml.html
import pytest
from sqlalchemy import inspect, select

from app.contests import services
from app.contests.models import BallotUnit, Phase
from app.core.errors import DomainError
from app.extensions import db, socketio
from app.voting import services as voting
from app.voting.models import Ballot, CertifierRole, Participation
from tests.contests import contest_in, count, logged_in, make_contest, make_entry, second_staff, viewer
from tests.core.pages_first import a_page_in_flight_and_its_one_turn_taken


def stored(contest):
    db.session.expire_all()
    return (
        count(Ballot, poll_type="contest", poll_id=contest.id),
        count(Participation, poll_type="contest", poll_id=contest.id),
    )


def refused(world, contest, key, entry_ids, code):
    before = stored(contest)
    with pytest.raises(DomainError) as err:
        services.vote(viewer(world.users[key], contest), contest, entry_ids)
    assert err.value.code == code, err.value.code
    assert str(err.value.message)  # a message for the voter, translated
    assert stored(contest) == before
    return err.value


AFTER_VOTING = (Phase.COUNTING, Phase.ANNOUNCED, Phase.CLOSED)


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.SCREENING, Phase.COUNTING, Phase.ANNOUNCED, Phase.CLOSED])
def test_outside_the_voting_phase(world, phase):
    contest, entries = contest_in(world, phase, entries=2, votes=[("owner", [0])] if phase in AFTER_VOTING else ())
    refused(world, contest, "resident", [entries[0].id], "wrong_phase")


def test_bad_ballots(world):
    contest, entries = contest_in(world, Phase.VOTING, entries=4, ineligible=1, k=2)
    a, b, c, rejected = (e.id for e in entries)
    _other, other_entries = contest_in(world, Phase.VOTING, entries=1)
    assert refused(world, contest, "resident", [a, b, c], "too_many").field == "entry_ids"
    refused(world, contest, "resident", [], "no_choice")
    refused(world, contest, "resident", [rejected], "bad_entry")
    refused(world, contest, "resident", [a, other_entries[0].id], "bad_entry")
    refused(world, contest, "resident", [99999], "bad_entry")
    refused(world, contest, "resident", [a, a], "bad_request")
    for junk in ("1,2", [str(a)], [True], None, [1.5], {"a": 1}):
        refused(world, contest, "resident", junk, "bad_request")
    refused(world, contest, "unverified", [a], "not_verified")
    refused(world, contest, "expert", [a], "forbidden")
    refused(world, contest, "staff", [a], "forbidden")
    refused(world, contest, "other_resident", [a], "not_found")
    refused(world, contest, "outsider", [a], "not_found")
    # a good ballot, then a retry in another order: the same receipt; then a changed mind: refused
    first = services.vote(viewer(world.users["resident"], contest), contest, [b, a])
    assert first.choice == f"{min(a, b)},{max(a, b)}"
    assert services.vote(viewer(world.users["resident"], contest), contest, [a, b]).receipt == first.receipt
    refused(world, contest, "resident", [c], "already_voted")
    assert stored(contest) == (1, 1)
    assert services.my_receipt(viewer(world.users["resident"], contest), contest) == first.receipt
    assert services.my_receipt(viewer(world.users["owner"], contest), contest) is None


def test_http_ballot_errors_are_shown_and_store_nothing(app, world):
    contest, entries = contest_in(world, Phase.VOTING, entries=3, k=1)
    client = logged_in(app, world.users["resident"])
    too_many = client.post(f"/contests/{contest.id}/vote", data={"entry": [str(entries[0].id), str(entries[1].id)]})
    assert too_many.status_code == 400
    assert "Choose at most 1 entries." in too_many.get_data(as_text=True)
    junk = client.post(f"/contests/{contest.id}/vote", data={"entry": ["abc"]})
    assert junk.status_code == 400
    none = client.post(f"/contests/{contest.id}/vote", data={})
    assert none.status_code == 400
    assert "Choose at least one entry." in none.get_data(as_text=True)
    assert stored(contest) == (0, 0)
    ok = client.post(f"/contests/{contest.id}/vote", data={"entry": [str(entries[2].id)], "confirmed": "1"})
    assert ok.status_code == 200
    again = client.post(f"/contests/{contest.id}/vote", data={"entry": [str(entries[1].id)], "confirmed": "1"})
    assert again.status_code == 409
    assert "You have voted already" in again.get_data(as_text=True)
    assert stored(contest) == (1, 1)


def test_the_review_step_shows_the_choice_and_casts_only_when_confirmed(app, world):
    contest, entries = contest_in(world, Phase.VOTING, entries=3, k=2)
    client = logged_in(app, world.users["resident"])
    chosen = [str(entries[0].id), str(entries[2].id)]
    review = client.post(f"/contests/{contest.id}/vote", data={"entry": chosen})
    page = review.get_data(as_text=True)
    assert review.status_code == 200 and "You support 2 entries" in page
    assert entries[0].title in page and entries[2].title in page and entries[1].title not in page
    assert "Once sent, it cannot be changed." in page and stored(contest) == (0, 0)
    form = lxml.html.fromstring(page).xpath("//form[contains(@action, '/vote')]")[0]
    hidden = [(i.get("name"), i.get("value")) for i in form.xpath(".//input[@type='hidden']")]
    assert ("confirmed", "1") in hidden and sorted(v for n, v in hidden if n == "entry") == sorted(chosen)
    # "change my choice" goes back to the ballot with the same boxes checked
    back = form.xpath(".//a[contains(@class, 'btn')]")[0].get("href")
    ballot = lxml.html.fromstring(client.get(back).get_data(as_text=True))
    assert sorted(ballot.xpath("//input[@name='entry' and @checked]/@value")) == sorted(chosen)
    cast = client.post(form.get("action"), data={"csrf_token": "", "entry": chosen, "confirmed": "1"})
    assert cast.status_code == 200 and stored(contest) == (1, 1)


def test_one_ballot_per_household(world):
    contest, entries = contest_in(world, Phase.VOTING, entries=2, unit=BallotUnit.HOUSEHOLD)
    a, b = (e.id for e in entries)
    # resident, leader_a and group_leader share household a101
    first = services.vote(viewer(world.users["resident"], contest), contest, [a])
    assert services.vote(viewer(world.users["leader_a"], contest), contest, [a]).receipt == first.receipt
    assert services.my_receipt(viewer(world.users["group_leader"], contest), contest) == first.receipt
    refused(world, contest, "group_leader", [b], "already_voted")
    services.vote(viewer(world.users["owner"], contest), contest, [b])  # household a102
    assert stored(contest) == (2, 2)
    keys = set(db.session.scalars(select(Participation.voter_key).where(Participation.poll_id == contest.id)))
    assert keys == {
        voting.household_key(world.households["a101"].id),
        voting.household_key(world.households["a102"].id),
    }


def test_a_household_ballot_needs_a_household(world):
    from app.communities.models import Role
    from tests import factories

    lodger = factories.user(name="lodger")
    factories.membership(lodger, world.community, Role.RESIDENT)
    db.session.commit()
    contest, entries = contest_in(world, Phase.VOTING, entries=1, unit=BallotUnit.HOUSEHOLD)
    before = stored(contest)
    with pytest.raises(DomainError) as err:
        services.vote(viewer(lodger, contest), contest, [entries[0].id])
    assert err.value.code == "forbidden"
    assert stored(contest) == before


def test_nothing_stored_links_a_voter_to_their_choice(world):
    contest, _entries = contest_in(
        world, Phase.VOTING, entries=2, votes=[("resident", [0]), ("owner", [1]), ("leader_b", [0, 1])]
    )
    assert contest.secret
    ballots = list(
        db.session.scalars(select(Ballot).where(Ballot.poll_type == "contest", Ballot.poll_id == contest.id))
    )
    assert len(ballots) == 3
    for ballot in ballots:
        assert ballot.voter_id is None
        assert ballot.voter_key == ""
        assert ballot.created_at is None
        assert ballot.entered_by_id is None
    # who took part: no id, no time, nothing that orders them against the ballots
    columns = {c.key for c in inspect(Participation).columns}
    assert columns == {"poll_type", "poll_id", "voter_key", "voter_id", "building_id"}
    # and the receipt is not stored against the voter either: it is recomputed from a secret key
    participants = set(db.session.scalars(select(Participation.voter_id).where(Participation.poll_id == contest.id)))
    assert participants == {world.users[k].id for k in ("resident", "owner", "leader_b")}
    ballot_columns = {c.key for c in inspect(Ballot).columns}
    assert not {"user_id", "voted_at", "updated_at"} & ballot_columns


def test_an_open_ballot_keeps_the_voter_when_the_contest_says_so(world):
    contest, _ = contest_in(world, Phase.VOTING, entries=1, secret=False, votes=[("resident", [0])])
    (ballot,) = db.session.scalars(select(Ballot).where(Ballot.poll_type == "contest", Ballot.poll_id == contest.id))
    assert ballot.voter_id == world.users["resident"].id


def _no_counts(text: str, entries) -> None:
    for entry in entries:
        assert f'data-entry="{entry.id}"' not in text
    assert "result-chart-svg" not in text


def test_results_stay_hidden_until_voting_closes(app, world):
    contest, entries = contest_in(world, Phase.VOTING, entries=2, votes=[("resident", [0]), ("owner", [0])])
    staff = logged_in(app, world.users["staff"])
    resident = logged_in(app, world.users["resident"])
    for client in (staff, resident):
        page = client.get(f"/contests/{contest.id}")
        assert page.status_code == 200
        _no_counts(page.get_data(as_text=True), entries)
        data = client.get(f"/contests/{contest.id}/turnout").json
        assert data["turnout"]["voted"] == 2
        assert "options" not in str(data) and "votes" not in str(data)
        assert client.get(f"/contests/{contest.id}/results").status_code == 404
        assert client.get(f"/contests/{contest.id}/results.csv").status_code == 404
        entry_page = client.get(f"/contests/entries/{entries[0].id}").get_data(as_text=True)
        assert "Votes" not in entry_page
    count_page = staff.get(f"/contests/{contest.id}/count").get_data(as_text=True)
    _no_counts(count_page, entries)
    assert services.result(viewer(world.users["staff"], contest), contest) is None
    sc = socketio.test_client(app, namespace="/contests", flask_test_client=resident)
    joined = sc.emit("join", {"contest_id": contest.id}, namespace="/contests", callback=True)
    assert joined["ok"] and "results" not in joined
    assert "votes" not in str(joined)
    sc.disconnect("/contests")
    # once voting has closed the staff see the count to certify it; residents wait for publication
    services.advance(viewer(world.users["staff"], contest), contest, "counting")
    assert f'data-entry="{entries[0].id}">2<' in staff.get(f"/contests/{contest.id}/count").get_data(as_text=True)
    assert services.result(viewer(world.users["resident"], contest), contest) is None
    assert resident.get(f"/contests/{contest.id}/results").status_code == 404


def test_turnout_is_live(app, world):
    contest, entries = contest_in(world, Phase.VOTING, entries=2)
    watcher = socketio.test_client(
        app, namespace="/contests", flask_test_client=logged_in(app, world.users["street_staff"])
    )
    assert watcher.emit("join", {"contest_id": contest.id}, namespace="/contests", callback=True)["ok"]
    watcher.get_received("/contests")
    for key in ("resident", "owner", "leader_a"):
        services.vote(viewer(world.users[key], contest), contest, [entries[0].id])
        db.session.commit()  # as the edge does: the turnout leaves after the commit
    # tests send every update at once (REALTIME_COALESCE_SECONDS = 0); the coalescing is tested below
    events = [e for e in watcher.get_received("/contests") if e["name"] == "turnout"]
    assert [e["args"][0]["voted"] for e in events] == [1, 2, 3]
    (payload,) = events[-1]["args"]
    assert payload["voted"] == 3
    assert payload["eligible"] == 7  # the world's verified residents
    by_building = {row["building_id"]: (row["voted"], row["eligible"]) for row in payload["by_building"]}
    assert by_building[world.building_a.id] == (3, 4)
    assert by_building[world.building_b.id] == (0, 3)
    assert set(payload) == {"contest_id", "voted", "eligible", "by_building"}
    # a ballot over the socket counts the same
    voter = socketio.test_client(app, namespace="/contests", flask_test_client=logged_in(app, world.users["leader_b"]))
    answer = voter.emit(
        "vote", {"contest_id": contest.id, "entry_ids": [entries[1].id]}, namespace="/contests", callback=True
    )
    assert answer["ok"] and len(answer["receipt"]) == 12
    (last,) = [e for e in watcher.get_received("/contests") if e["name"] == "turnout"]
    assert last["args"][0]["voted"] == 4
    # publication sends the results to the room
    services.advance(viewer(world.users["staff"], contest), contest, "counting")
    db.session.commit()
    watcher.get_received("/contests")
    services.certify(viewer(world.users["staff"], contest), contest, CertifierRole.COUNTER)
    services.certify(viewer(second_staff(world), contest), contest, CertifierRole.SCRUTINEER)
    db.session.commit()
    results = [e for e in watcher.get_received("/contests") if e["name"] == "results"]
    assert len(results) == 1
    votes = {e["id"]: e["votes"] for e in results[0]["args"][0]["entries"]}
    assert votes == {entries[0].id: 3, entries[1].id: 1}
    for sc in (watcher, voter):
        sc.disconnect("/contests")


def test_turnout_counts_households_in_a_household_contest(world):
    contest = make_contest(world, unit=BallotUnit.HOUSEHOLD)
    make_entry(world, contest)
    data = services.turnout(contest)
    assert data["voted"] == 0
    assert data["eligible"] == 3  # a101, a102, b101


def test_socket_vote_bad_payloads(app, world):
    contest, entries = contest_in(world, Phase.VOTING, entries=2, k=1)
    sc = socketio.test_client(app, namespace="/contests", flask_test_client=logged_in(app, world.users["resident"]))
    for payload in (
        {"contest_id": contest.id},
        {"contest_id": contest.id, "entry_ids": "1"},
        {"contest_id": str(contest.id), "entry_ids": [entries[0].id]},
        {"entry_ids": [entries[0].id]},
        {"contest_id": contest.id, "entry_ids": [entries[0].id, entries[1].id]},
    ):
        answer = sc.emit("vote", payload, namespace="/contests", callback=True)
        assert not answer["ok"] and answer["error"]["code"] in ("bad_request", "too_many"), payload
    assert sc.emit("vote", ["x"], namespace="/contests", callback=True)["error"]["code"] == "bad_request"
    assert stored(contest) == (0, 0)
    sc.disconnect("/contests")


def test_errors_are_translated(app, world):
    contest, entries = contest_in(world, Phase.VOTING, entries=3, k=1)
    world.users["owner"].locale = "zh_CN"
    db.session.commit()
    try:
        client = logged_in(app, world.users["owner"], "zh-CN")
        none = client.post(f"/contests/{contest.id}/vote", data={})
        assert "请至少选择一项提案。" in none.get_data(as_text=True)
        too_many = client.post(f"/contests/{contest.id}/vote", data={"entry": [str(entries[0].id), str(entries[1].id)]})
        assert "最多只能选择 1 项提案。" in too_many.get_data(as_text=True)
        sc = socketio.test_client(app, namespace="/contests", flask_test_client=client)
        answer = sc.emit("vote", {"contest_id": contest.id, "entry_ids": []}, namespace="/contests", callback=True)
        assert answer["error"] == {"code": "no_choice", "message": "请至少选择一项提案。"}
        sc.disconnect("/contests")
        assert stored(contest) == (0, 0)
    finally:
        world.users["owner"].locale = "en"
        db.session.commit()


def test_turnout_is_coalesced_to_a_few_updates_a_second(tmp_path):
    """In a server process, ballots arriving together make one turnout update with the latest figures."""
    import time

    from tests import conftest as root
    from tests.conftest import running_app

    with running_app(tmp_path, REALTIME_COALESCE_SECONDS=0.3) as application:
        world = root.world.__wrapped__(application)
        contest, entries = contest_in(world, Phase.VOTING, entries=1)
        watcher = socketio.test_client(
            application, namespace="/contests", flask_test_client=logged_in(application, world.users["staff"])
        )
        watcher.emit("join", {"contest_id": contest.id}, namespace="/contests", callback=True)
        watcher.get_received("/contests")
        try:
            for key in ("resident", "owner", "leader_b"):
                services.vote(viewer(world.users[key], contest), contest, [entries[0].id])
                db.session.commit()  # as the edge does
            assert [e for e in watcher.get_received("/contests") if e["name"] == "turnout"] == []  # none per ballot
            deadline = time.monotonic() + 5
            events = []
            while time.monotonic() < deadline and not any(e["args"][0]["voted"] == 3 for e in events):
                time.sleep(0.1)
                events += [e for e in watcher.get_received("/contests") if e["name"] == "turnout"]
            assert [e["args"][0]["voted"] for e in events] == [3]  # three ballots, one update
        finally:
            watcher.disconnect("/contests")


def test_a_join_waits_its_turn_behind_a_page_and_says_busy_past_its_wait(app, world):
    """The pages go first (core.priority): a contest's join waits behind a page in flight and, past its wait, is
    answered busy (its client asks again after the wait it says); the retry goes through."""
    contest, _entries = contest_in(world, Phase.VOTING, entries=1)
    client = socketio.test_client(app, namespace="/contests", flask_test_client=logged_in(app, world.users["resident"]))
    with a_page_in_flight_and_its_one_turn_taken(app, "SOCKET_SLOT_WAIT_SECONDS"):
        answer = client.emit("join", {"contest_id": contest.id}, namespace="/contests", callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "busy" and answer["error"]["retry_after"] >= 1
    again = client.emit("join", {"contest_id": contest.id}, namespace="/contests", callback=True)
    assert again["ok"] and again["turnout"]["voted"] == 0
    client.disconnect("/contests")
