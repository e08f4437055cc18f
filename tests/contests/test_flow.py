"""A whole contest through the services: submission to closed, with the count and the notice."""

from __future__ import annotations

from app.contests import live, services
from app.contests.models import Phase
from tests.contests import contest_in


def test_a_contest_from_submission_to_closed(world, client, auth):
    contest, entries = contest_in(
        world,
        Phase.CLOSED,
        votes=[("resident", [0, 1]), ("owner", [1]), ("leader_b", [1, 2]), ("resident_rep", [0])],
    )
    res = services._result(contest)
    assert res.published
    assert [(s.entry.id, s.votes) for s in res.standings] == [
        (entries[1].id, 3),
        (entries[0].id, 2),
        (entries[2].id, 1),
    ]
    assert [e.id for e in res.winners] == [entries[1].id, entries[0].id]
    live.flush()
    auth.login(world.users["resident"])
    page = client.get(f"/contests/{contest.id}/results")
    assert page.status_code == 200, page.text
    assert "<svg" in page.text
