"""Winners become micro-projects with their budgets, from the contest's fund year, linked both ways."""

from __future__ import annotations

import pytest

from app.communities import access
from app.contests import services
from app.contests.models import Phase
from app.core.errors import DomainError, Forbidden
from app.extensions import db
from app.flows import contests as flows
from app.microprojects import ledger
from app.microprojects import services as microprojects
from app.microprojects.models import MicroProject, ProjectStatus
from tests.contests import contest_in, count, logged_in, viewer

VOTES = [("resident", [0, 1]), ("owner", [1]), ("leader_b", [1, 2]), ("resident_rep", [0])]


def fund(world, total_fen):
    from app.core.models import utcnow

    fund = microprojects.set_fund(access.viewer(world.users["staff"], world.community), utcnow().year, total_fen)
    db.session.commit()
    return fund


def test_winners_become_granted_projects(app, world):
    the_fund = fund(world, 1_000_000)
    contest, entries = contest_in(world, Phase.CLOSED, votes=VOTES, winners=2)
    client = logged_in(app, world.users["staff"])
    notice = client.get(f"/contests/{contest.id}/results").get_data(as_text=True)
    assert f'action="/contests/{contest.id}/grant"' in notice
    response = client.post(f"/contests/{contest.id}/grant", data={"confirm": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    winners = [entries[1], entries[0]]
    for entry in winners:
        project = db.session.get(MicroProject, entry.project_id)
        assert project.status == ProjectStatus.APPROVED
        assert (project.granted_fen, project.budget_fen) == (entry.budget_fen, entry.budget_fen)
        assert project.applicant_id == entry.author_id
        assert services.entry_of_project(project.id).id == entry.id
    assert entries[2].project_id is None
    assert ledger.balance(the_fund).allocated == entries[0].budget_fen + entries[1].budget_fen
    # a second press grants nothing more
    assert flows.grant_winners(viewer(world.users["staff"], contest), contest) == []
    assert count(MicroProject) == 2
    page = client.get(f"/contests/entries/{entries[1].id}").get_data(as_text=True)
    assert f'href="/projects/{entries[1].project_id}"' in page
    notice = client.get(f"/contests/{contest.id}/results").get_data(as_text=True)
    assert f'href="/projects/{entries[0].project_id}"' in notice
    assert f'action="/contests/{contest.id}/grant"' not in notice
    # and the project's page links back to the entry it was granted for
    project_page = client.get(f"/projects/{entries[1].project_id}").get_data(as_text=True)
    assert f'href="/contests/entries/{entries[1].id}"' in project_page


def test_granting_waits_for_the_end_of_announcement_and_for_staff(world):
    fund(world, 1_000_000)
    contest, _ = contest_in(world, Phase.ANNOUNCED, votes=VOTES)
    with pytest.raises(DomainError) as early:
        flows.grant_winners(viewer(world.users["staff"], contest), contest)
    assert early.value.code == "wrong_phase"
    services.sync(contest, now=contest.announced_ends)
    for key in ("expert", "resident"):
        with pytest.raises(Forbidden):
            flows.grant_winners(viewer(world.users[key], contest), contest)
    assert count(MicroProject) == 0


def test_a_fund_that_cannot_cover_a_winner(world):
    contest, entries = contest_in(world, Phase.CLOSED, votes=VOTES, winners=2)
    with pytest.raises(DomainError) as none:
        flows.grant_winners(viewer(world.users["staff"], contest), contest)
    assert none.value.code == "no_fund"
    fund(world, entries[1].budget_fen)  # enough for the first winner only
    with pytest.raises(DomainError) as short:
        flows.grant_winners(viewer(world.users["staff"], contest), contest)
    assert short.value.code == "over_fund"
    db.session.commit()  # as the grant's view does: the winners granted before the refusal stay granted
    db.session.expire_all()
    assert entries[1].project_id is not None and entries[0].project_id is None


def test_links_for_the_idea_and_project_pages(world):
    from tests.contests import make_contest, make_entry
    from tests.ideas import make_idea

    idea = make_idea(world, "resident")
    contest = make_contest(world)
    entry = make_entry(world, contest, "resident", idea_id=idea.id)
    make_entry(world, contest, "owner")
    assert [e.id for e in services.entries_from_idea(idea.id)] == [entry.id]
    assert services.entry_of_project(12345) is None
