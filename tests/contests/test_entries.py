"""Entering proposals (from scratch or from one's golden idea) and screening them."""

from __future__ import annotations

import uuid

import pytest

from app.contests import services
from app.contests.models import Entry, EntryStatus, Phase
from app.core.errors import DomainError, Forbidden
from app.extensions import db
from app.ideas.models import IdeaStatus
from app.notifications.models import Notification
from tests.contests import contest_in, count, logged_in, make_contest, make_entry, viewer
from tests.ideas import make_idea


def test_an_entry_is_idempotent_on_its_client_id(world):
    contest = make_contest(world)
    first = services.submit_entry(
        viewer(world.users["resident"], contest),
        contest,
        client_id="same",
        title="加装扶手",
        summary="楼道加装扶手，方便老人。",
        budget_fen=1,
    )
    again = services.submit_entry(
        viewer(world.users["resident"], contest),
        contest,
        client_id="same",
        title="别的",
        summary="完全不同的内容描述。",
        budget_fen=9,
    )
    assert again.id == first.id
    assert count(Entry, contest_id=contest.id) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " x "}, "title"),
        ({"summary": "太短"}, "summary"),
        ({"budget_fen": 0}, "budget"),
        ({"budget_fen": -100}, "budget"),
        ({"budget_fen": 2_000_000_001}, "budget"),
        ({"budget_fen": "100"}, "budget"),
        ({"client_id": "x" * 65}, "client_id"),
    ],
)
def test_bad_entries_store_nothing(world, changes, field):
    contest = make_contest(world)
    fields = {
        "client_id": uuid.uuid4().hex,
        "title": "加装扶手",
        "summary": "楼道加装扶手，方便老人。",
        "budget_fen": 100,
    }
    fields.update(changes)
    with pytest.raises(DomainError) as bad:
        services.submit_entry(viewer(world.users["resident"], contest), contest, **fields)
    assert bad.value.field == field
    assert count(Entry, contest_id=contest.id) == 0


@pytest.mark.parametrize("phase", [Phase.SCREENING, Phase.VOTING])
def test_entries_only_during_submission(world, phase):
    contest, _ = contest_in(world, phase, entries=1)
    with pytest.raises(DomainError) as late:
        make_entry(world, contest)
    assert late.value.code == "wrong_phase"
    assert count(Entry, contest_id=contest.id) == 1


def test_an_entry_from_a_golden_idea_links_to_it(app, world):
    idea = make_idea(world, "resident", title="小区东门加装雨棚")
    contest = make_contest(world)
    client = logged_in(app, world.users["resident"])
    form = client.get(f"/contests/{contest.id}/entries/new?idea={idea.id}").get_data(as_text=True)
    assert "小区东门加装雨棚" in form
    assert f'<option selected value="{idea.id}">' in form
    response = client.post(
        f"/contests/{contest.id}/entries/new",
        data={
            "client_id": "from-idea",
            "idea_id": str(idea.id),
            "title": "东门雨棚",
            "summary": "东门等候区加装雨棚，雨天方便居民。",
            "budget": "8,800",
        },
    )
    assert response.status_code == 302
    entry = db.session.scalars(db.select(Entry).filter_by(client_id="from-idea")).one()
    assert (entry.idea_id, entry.budget_fen) == (idea.id, 880_000)
    page = client.get(f"/contests/entries/{entry.id}").get_data(as_text=True)
    assert f'href="/ideas/{idea.id}"' in page
    # linked both ways: the idea's page names the entry
    idea_page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f'href="/contests/entries/{entry.id}"' in idea_page
    # the idea itself is left as it was
    db.session.expire_all()
    assert idea.status == IdeaStatus.SUBMITTED


def test_only_ones_own_open_idea(world):
    contest = make_contest(world)
    someone_elses = make_idea(world, "owner")
    declined = make_idea(world, "resident", status=IdeaStatus.DECLINED)
    for idea in (someone_elses, declined):
        with pytest.raises(DomainError) as bad:
            make_entry(world, contest, "resident", idea_id=idea.id)
        assert bad.value.field == "idea_id"
    assert count(Entry, contest_id=contest.id) == 0


def test_bad_budget_and_idea_in_the_form(app, world):
    contest = make_contest(world)
    client = logged_in(app, world.users["resident"])
    data = {"client_id": "c1", "title": "东门雨棚", "summary": "东门等候区加装雨棚，雨天方便居民。"}
    for budget, message in (
        ("-5", "An amount cannot be negative."),
        ("12.345", "at most two decimals"),
        ("abc", "e.g. 1234.50"),
    ):
        response = client.post(f"/contests/{contest.id}/entries/new", data={**data, "budget": budget, "idea_id": ""})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    response = client.post(f"/contests/{contest.id}/entries/new", data={**data, "budget": "0", "idea_id": ""})
    assert response.status_code == 400
    assert "Enter the budget, more than zero." in response.get_data(as_text=True)
    response = client.post(f"/contests/{contest.id}/entries/new", data={**data, "budget": "10", "idea_id": "x"})
    assert response.status_code == 400
    assert count(Entry, contest_id=contest.id) == 0


def test_screening_tells_the_author_why(world):
    _contest, entries = contest_in(world, Phase.SCREENING, entries=1)
    entry = entries[0]
    author = entry.author
    services.screen(viewer(world.users["expert"], entry), entry, eligible=False, reason="预算超出单项上限")
    assert entry.status == EntryStatus.INELIGIBLE
    (note,) = db.session.scalars(db.select(Notification).filter_by(user_id=author.id, kind="contest_entry_screened"))
    assert "预算超出单项上限" in note.text
    assert note.url.endswith(f"/contests/entries/{entry.id}")
    # screening can be revisited during screening, with a new reason
    services.screen(viewer(world.users["staff"], entry), entry, eligible=True, reason="复核后符合要求")
    assert entry.status == EntryStatus.ELIGIBLE


def test_screening_needs_a_reason_and_the_screening_phase(world):
    _contest, entries = contest_in(world, Phase.SCREENING, entries=1)
    with pytest.raises(DomainError) as bad:
        services.screen(viewer(world.users["expert"], entries[0]), entries[0], eligible=True, reason=" ")
    assert bad.value.field == "reason"
    with pytest.raises(DomainError):
        services.screen(viewer(world.users["expert"], entries[0]), entries[0], eligible="yes", reason="符合要求")
    with pytest.raises(Forbidden):
        services.screen(viewer(world.users["resident"], entries[0]), entries[0], eligible=True, reason="符合要求")
    assert entries[0].status == EntryStatus.SUBMITTED
    _early, early_entries = contest_in(world, Phase.SUBMISSION, entries=1)
    with pytest.raises(DomainError) as wrong:
        services.screen(
            viewer(world.users["expert"], early_entries[0]), early_entries[0], eligible=True, reason="符合要求"
        )
    assert wrong.value.code == "wrong_phase"
