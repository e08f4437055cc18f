"""A whole contest through the services: submission to closed, with the count and the notice."""

from __future__ import annotations

from sqlalchemy import select

from app.contests import services
from app.contests.models import Contest, EntryStatus, Phase
from app.extensions import db
from app.voting import services as voting
from tests.contests import contest_in


def test_a_contest_from_submission_to_closed(world, client, auth):
    contest, entries = contest_in(
        world,
        Phase.CLOSED,
        votes=[("resident", [0, 1]), ("owner", [1]), ("leader_b", [1, 2]), ("resident_rep", [0])],
    )
    res = services.result_of(contest)
    assert res.published
    assert [(s.entry.id, s.votes) for s in res.standings] == [
        (entries[1].id, 3),
        (entries[0].id, 2),
        (entries[2].id, 1),
    ]
    assert [e.id for e in res.winners] == [entries[1].id, entries[0].id]
    auth.login(world.users["resident"])
    page = client.get(f"/contests/{contest.id}/results")
    assert page.status_code == 200, page.text
    assert "<svg" in page.text


def test_the_demo_has_a_contest_open_for_voting(app, client):
    app.test_cli_runner().invoke(args=["yishi", "demo"])
    (contest,) = db.session.scalars(select(Contest))
    assert contest.phase == Phase.VOTING
    services.sync(contest)
    assert contest.phase == Phase.VOTING  # its dates agree with its phase
    statuses = [e.status for e in contest.entries]
    assert statuses.count(EntryStatus.ELIGIBLE) == 4 and statuses.count(EntryStatus.INELIGIBLE) == 1
    assert any(e.idea_id for e in contest.entries)
    # it admits organisations: one entry is 雨花睦邻社工服务中心's (app/demo/orgs.py)
    assert contest.admits_organisations
    assert [e.organisation.name for e in contest.entries if e.organisation_id] == ["雨花睦邻社工服务中心"]
    assert voting.verify(services.poll_of(contest)).ok
    assert services.turnout(contest)["voted"] == 2
    response = client.post("/account/login", data={"phone": "13800000001", "password": app.config["DEMO_PASSWORD"]})
    assert response.status_code == 302
    assert client.get(f"/contests/{contest.id}/vote").status_code == 200
