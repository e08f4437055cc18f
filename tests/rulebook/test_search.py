"""The drafts of the community's rules are found by search once put to the residents (title, explanation and
text), never while the staff write them, and never by another community; an edit is found at once."""

from __future__ import annotations

from app.extensions import db
from app.rulebook import services
from app.rulebook.models import DraftState
from tests.rulebook import draft_in, logged_in, viewer
from tests.search import search, titles


def test_a_draft_is_found_once_put_to_the_residents(app, world):
    writing, _ = draft_in(world, DraftState.DRAFTING, name="起草中的规则")
    open_, _ = draft_in(world, DraftState.COMMENTING, name="征求意见的规则")
    resident = logged_in(app, world.users["resident"])
    assert titles(search(resident, world, "每次议事会前三天")) == ["征求意见的规则"]  # a line of the text
    assert titles(search(resident, world, "规则", kind="rule_draft")) == ["征求意见的规则"]
    other = logged_in(app, world.users["other_resident"])
    assert titles(search(other, world, "规则", community=world.other)) == []
    # an edit of the draft's rules is found at the commit
    rules = open_.rule_set
    services.update(
        viewer(world, "staff"),
        open_,
        {},
        name="修订后的规则",
        text=rules.text + "\n15. 电梯加装另行表决。",
        explanation="",
    )
    db.session.commit()
    assert titles(search(resident, world, "电梯加装")) == ["修订后的规则"]
    assert writing.rule_set.name == "起草中的规则"
