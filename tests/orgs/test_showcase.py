"""The organisation's showcase: its contest entries as each viewer may see them (access rule), results."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.contests import services
from app.contests.models import Phase
from app.extensions import db
from app.home import showcase
from app.voting.models import CertifierRole
from tests import factories
from tests.contests import contest_in, make_contest, second_staff, viewer
from tests.orgs import logged_in, registry


def _org_entry(world, reg, contest, title):
    contest.admits_organisations = True
    return services.submit_entry(
        viewer(reg.users["agent"], contest),
        contest,
        client_id=title,
        title=title,
        summary="社会组织提交的项目，服务社区老人。",
        budget_fen=50_000,
        organisation_id=reg.org.id,
    )


@pytest.fixture
def shown(world):
    """The organisation's entry in an open contest of world.community, and in a closed one whose result is
    published (it won: one vote)."""
    reg = registry(world)
    open_contest = make_contest(world)
    _org_entry(world, reg, open_contest, "进行中的助餐项目")
    closed, _made = contest_in(world, Phase.SUBMISSION, entries=0)
    entry = _org_entry(world, reg, closed, "已结束的助浴项目")
    staff = viewer(world.users["staff"], closed)
    services.advance(staff, closed, Phase.SCREENING)
    services.screen(viewer(world.users["expert"], entry), entry, eligible=True, reason="符合要求")
    services.advance(staff, closed, Phase.VOTING)
    services.vote(viewer(world.users["resident"], closed), closed, [entry.id])
    services.advance(staff, closed, Phase.COUNTING)
    services.certify(staff, closed, CertifierRole.COUNTER)
    services.certify(viewer(second_staff(world), closed), closed, CertifierRole.SCRUTINEER)
    services.sync(closed, now=closed.announced_ends + timedelta(seconds=1))
    assert closed.phase == Phase.CLOSED
    db.session.commit()
    return reg, entry


SEES_OPEN = {
    "agent": True,
    "resident": True,
    "staff": True,
    "street_staff": True,
    "district_staff": True,
    "far_street_staff": False,
    "other_agent": False,
    "other_resident": False,
    "outsider": False,
}


@pytest.mark.parametrize(("key", "sees_open"), sorted(SEES_OPEN.items()))
def test_the_showcase_shows_what_the_viewer_may_see(app, world, shown, key, sees_open):
    reg, closed_entry = shown
    page = logged_in(app, reg.users[key]).get(f"/orgs/{reg.org.id}/showcase")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "已结束的助浴项目" in text and "Rank 1, 1 votes" in text and "winner" in text
    assert ("进行中的助餐项目" in text) is sees_open
    # the closed entry's page is linked only for who may see its community
    assert (f'href="/contests/entries/{closed_entry.id}"' in text) is sees_open


def test_a_pending_organisations_showcase_is_not_found_for_others(app, world):
    reg = registry(world)
    assert logged_in(app, reg.users["resident"]).get(f"/orgs/{reg.pending.id}/showcase").status_code == 404
    assert logged_in(app, reg.users["pending_agent"]).get(f"/orgs/{reg.pending.id}/showcase").status_code == 200
    assert logged_in(app, reg.users["street_staff"]).get(f"/orgs/{reg.pending.id}/showcase").status_code == 200


def test_nothing_to_show_is_said(app, world):
    reg = registry(world)
    page = logged_in(app, reg.users["resident"]).get(f"/orgs/{reg.other.id}/showcase").get_data(as_text=True)
    assert "Nothing to show yet." in page


def test_sections_are_built_by_registered_functions(world):
    reg = registry(world)
    assert [builder.__name__ for _order, builder in showcase.SECTIONS][:1] == ["contest_entries"]
    assert showcase.sections(reg.other, world.users["resident"]) == []
    _org_entry(world, reg, make_contest(world), "推介项目")
    built = showcase.sections(reg.org, world.users["resident"])
    assert [s.key for s in built] == ["contests"] and len(built[0].items) == 1
    assert showcase.sections(reg.org, factories.user()) == []  # an open contest of a community they do not see
