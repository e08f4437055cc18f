"""Contests that admit social organisations' entries (项目推介会 / 创意赛), and contests whose entries answer a
published guidance item: per role, allowed and denied; labels everywhere entries show."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.contests import services
from app.contests.models import Contest, Entry, Phase
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.extensions import db
from app.needs.models import GuidanceItem, GuidanceStatus
from app.orgs.models import OrgAgent, OrgStatus
from app.voting.models import CertifierRole
from tests import factories
from tests.contests import count, logged_in, make_entry, second_staff, viewer
from tests.orgs import registry

DAY = timedelta(days=1)


def _contest(world, *, admits=True, requires_guidance=False):
    now = utcnow()
    contest = services.create(
        viewer(world.users["staff"], world.community),
        client_id=uuid.uuid4().hex,
        title=f"2027年公益创投项目推介会 {uuid.uuid4().hex[:4]}",
        description="社会组织与居民的项目同台展示。",
        max_choices=2,
        winner_count=1,
        ballot_unit="resident",
        secret=True,
        fund_year=now.year,
        submission_ends=now + 10 * DAY,
        screening_ends=now + 20 * DAY,
        voting_ends=now + 30 * DAY,
        announced_ends=now + 40 * DAY,
        admits_organisations=admits,
        requires_guidance=requires_guidance,
    )
    db.session.commit()
    return contest


def _post(world, **changes):
    data = {
        "client_id": uuid.uuid4().hex,
        "title": "长者助餐点",
        "summary": "在社区活动中心设立长者助餐点，每日午餐配送。",
        "budget": "12000",
    }
    data.update(changes)
    return data


def _item(world, *, community=True, status=GuidanceStatus.PUBLISHED, street=None, title="老年人助餐服务"):
    item = GuidanceItem(
        street_id=(street or world.community.street).id,
        community_id=world.community.id if community else None,
        year=2026,
        title=title,
        summary="翠竹园60岁以上老人约300人，午餐需求集中。",
        status=status,
    )
    db.session.add(item)
    db.session.commit()
    return item


def test_an_agent_enters_for_their_verified_organisation_and_it_is_labelled(app, world):
    reg = registry(world)
    contest = _contest(world)
    client = logged_in(app, reg.users["agent"])
    form = client.get(f"/contests/{contest.id}/entries/new").get_data(as_text=True)
    assert reg.org.name in form and reg.other.name not in form and reg.pending.name not in form
    response = client.post(f"/contests/{contest.id}/entries/new", data=_post(world, organisation_id=str(reg.org.id)))
    assert response.status_code == 302
    entry = db.session.scalar(select(Entry).where(Entry.contest_id == contest.id))
    assert entry.organisation_id == reg.org.id and entry.author_id == reg.users["agent"].id
    assert entry.building_id is None
    resident = logged_in(app, world.users["resident"])
    label = f"Entered by {reg.org.name}"
    show = resident.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert label in show and 'href="/orgs"' in show
    world.users["owner"].locale = "zh_CN"
    db.session.commit()
    in_chinese = logged_in(app, world.users["owner"], language="zh-CN").get(f"/contests/{contest.id}")
    assert f"由 {reg.org.name} 提交" in in_chinese.get_data(as_text=True)
    page = resident.get(f"/contests/entries/{entry.id}").get_data(as_text=True)
    assert label in page and f'href="/orgs/{reg.org.id}/showcase"' in page


def test_without_organisations_the_refusal_stays(app, world):
    reg = registry(world)
    contest = _contest(world, admits=False)
    client = logged_in(app, reg.users["agent"])
    response = client.get(f"/contests/{contest.id}/entries/new")
    assert response.status_code == 403
    assert "Only verified residents can enter a proposal." in response.get_data(as_text=True)
    response = client.post(f"/contests/{contest.id}/entries/new", data=_post(world, organisation_id=str(reg.org.id)))
    assert response.status_code == 403
    assert count(Entry, contest_id=contest.id) == 0


def test_the_refusal_reads_in_chinese(app, world):
    reg = registry(world)
    contest = _contest(world, admits=False)
    reg.users["agent"].locale = "zh_CN"
    db.session.commit()
    response = logged_in(app, reg.users["agent"], language="zh-CN").get(f"/contests/{contest.id}/entries/new")
    assert response.status_code == 403
    assert "只有已认证的居民可以提交提案" in response.get_data(as_text=True)


def test_a_suspended_organisations_agent_is_told_why(app, world):
    reg = registry(world)
    reg.org.status = OrgStatus.SUSPENDED
    reg.org.status_reason = "年检未通过"
    db.session.commit()
    contest = _contest(world)
    client = logged_in(app, reg.users["agent"])
    response = client.get(f"/contests/{contest.id}/entries/new")
    assert response.status_code == 403
    assert "is suspended and may not enter contests: 年检未通过" in response.get_data(as_text=True)
    response = client.post(f"/contests/{contest.id}/entries/new", data=_post(world, organisation_id=str(reg.org.id)))
    assert response.status_code == 403
    assert count(Entry, contest_id=contest.id) == 0


def test_a_pending_organisations_agent_is_told_to_wait(app, world):
    reg = registry(world)
    factories.membership(reg.users["pending_agent"], world.community, factories.Role.SOCIAL_ORG)
    db.session.commit()
    contest = _contest(world)
    response = logged_in(app, reg.users["pending_agent"]).get(f"/contests/{contest.id}/entries/new")
    assert response.status_code == 403
    assert "is not verified yet" in response.get_data(as_text=True)


def test_an_agent_of_one_organisation_may_not_enter_for_another(app, world):
    reg = registry(world)
    contest = _contest(world)
    client = logged_in(app, reg.users["agent"])
    for org_id in (str(reg.other.id), str(reg.pending.id), "", "abc", "99999999"):
        response = client.post(f"/contests/{contest.id}/entries/new", data=_post(world, organisation_id=org_id))
        assert response.status_code == 400, org_id
        assert "organisation" in response.get_data(as_text=True)
    with pytest.raises(DomainError) as bad:
        services.submit_entry(
            viewer(reg.users["agent"], contest),
            contest,
            client_id="x",
            title="长者助餐点",
            summary="在社区活动中心设立长者助餐点。",
            budget_fen=100,
            organisation_id=reg.other.id,
        )
    assert bad.value.field == "organisation_id"
    assert count(Entry, contest_id=contest.id) == 0


def test_an_agent_who_is_not_a_member_of_the_community_sees_nothing(app, world):
    reg = registry(world)
    contest = _contest(world)
    response = logged_in(app, reg.users["other_agent"]).get(f"/contests/{contest.id}/entries/new")
    assert response.status_code == 404


def test_a_resident_who_acts_for_an_organisation_enters_either_way(app, world):
    reg = registry(world)
    resident = world.users["resident"]
    db.session.add(OrgAgent(organisation_id=reg.org.id, user_id=resident.id))
    db.session.commit()
    contest = _contest(world)
    client = logged_in(app, resident)
    form = client.get(f"/contests/{contest.id}/entries/new").get_data(as_text=True)
    assert "Myself, as a resident" in form and reg.org.name in form
    assert client.post(f"/contests/{contest.id}/entries/new", data=_post(world, organisation_id="")).status_code == 302
    assert (
        client.post(
            f"/contests/{contest.id}/entries/new", data=_post(world, organisation_id=str(reg.org.id))
        ).status_code
        == 302
    )
    entries = list(db.session.scalars(select(Entry).where(Entry.contest_id == contest.id).order_by(Entry.id)))
    assert [e.organisation_id for e in entries] == [None, reg.org.id]
    assert entries[0].building_id == world.memberships["resident"].building_id
    show = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "Entered by a resident" in show and f"Entered by {reg.org.name}" in show


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("agent", 200),
        ("resident", 200),
        ("staff", 403),
        ("street_staff", 403),
        ("district_staff", 403),
        ("other_resident", 404),
        ("outsider", 404),
        ("unverified", 403),
    ],
)
def test_who_opens_the_entry_form_of_a_contest_admitting_organisations(app, world, key, status):
    reg = registry(world)
    contest = _contest(world)
    assert logged_in(app, reg.users[key]).get(f"/contests/{contest.id}/entries/new").status_code == status


def test_staff_create_a_contest_that_admits_organisations_and_requires_guidance(app, world):
    client = logged_in(app, world.users["staff"])
    today = utcnow().date()
    data = {
        "client_id": "c-orgs",
        "title": "2027年项目推介会",
        "max_choices": "2",
        "winner_count": "1",
        "ballot_unit": "resident",
        "fund_year": str(today.year),
        "submission_ends": (today + 10 * DAY).isoformat(),
        "screening_ends": (today + 20 * DAY).isoformat(),
        "voting_ends": (today + 30 * DAY).isoformat(),
        "announced_ends": (today + 40 * DAY).isoformat(),
        "admits_organisations": "y",
        "requires_guidance": "y",
    }
    assert client.post(f"/c/{world.community.slug}/contests/new", data=data).status_code == 302
    contest = db.session.scalar(select(Contest).where(Contest.client_id == "c-orgs"))
    assert contest.admits_organisations and contest.requires_guidance


def test_an_entry_must_answer_a_published_guidance_item_where_required(app, world):
    reg = registry(world)
    item = _item(world)
    street_wide = _item(world, community=False, title="街道助老服务")
    draft = _item(world, status=GuidanceStatus.DRAFT, title="草稿")
    far = _item(world, street=world.far.street, community=False, title="别的街道")
    contest = _contest(world, requires_guidance=True)
    client = logged_in(app, reg.users["agent"])
    form = client.get(f"/contests/{contest.id}/entries/new").get_data(as_text=True)
    assert item.title in form and street_wide.title in form
    assert draft.title not in form and far.title not in form
    org_id = str(reg.org.id)
    for bad in ("", str(draft.id), str(far.id), "abc"):
        response = client.post(
            f"/contests/{contest.id}/entries/new", data=_post(world, organisation_id=org_id, guidance_item_id=bad)
        )
        assert response.status_code == 400, bad
        assert "guidance item" in response.get_data(as_text=True)
    assert count(Entry, contest_id=contest.id) == 0
    response = client.post(
        f"/contests/{contest.id}/entries/new", data=_post(world, organisation_id=org_id, guidance_item_id=str(item.id))
    )
    assert response.status_code == 302
    entry = db.session.scalar(select(Entry).where(Entry.contest_id == contest.id))
    assert entry.guidance_item_id == item.id
    page = client.get(f"/contests/entries/{entry.id}").get_data(as_text=True)
    assert "Answers the guidance item" in page and "2026 · 老年人助餐服务" in page
    assert f'href="/c/{world.community.slug}/guidance/2026#guidance-{item.id}"' in page


def test_a_guidance_item_is_optional_where_not_required(world):
    item = _item(world)
    contest = _contest(world, admits=False)
    plain = make_entry(world, contest)
    assert plain.guidance_item_id is None
    linked = services.submit_entry(
        viewer(world.users["owner"], contest),
        contest,
        client_id="g",
        title="助餐",
        summary="为老人提供午餐配送服务。",
        budget_fen=100,
        guidance_item_id=item.id,
    )
    assert linked.guidance_item_id == item.id


def test_screening_voting_and_results_name_the_organisation(app, world):
    reg = registry(world)
    contest = _contest(world)
    org_entry = services.submit_entry(
        viewer(reg.users["agent"], contest),
        contest,
        client_id="o",
        title="长者助餐点",
        summary="在社区活动中心设立长者助餐点。",
        budget_fen=100_000,
        organisation_id=reg.org.id,
    )
    resident_entry = make_entry(world, contest, "owner")
    staff = viewer(world.users["staff"], contest)
    services.advance(staff, contest, Phase.SCREENING)
    for entry in (org_entry, resident_entry):
        services.screen(viewer(world.users["expert"], entry), entry, eligible=True, reason="符合要求")
    services.advance(staff, contest, Phase.VOTING)
    db.session.commit()
    ballot = logged_in(app, world.users["resident"]).get(f"/contests/{contest.id}/vote").get_data(as_text=True)
    assert f"Entered by {reg.org.name}" in ballot and "Entered by a resident" in ballot
    services.vote(viewer(world.users["resident"], contest), contest, [org_entry.id])
    services.advance(staff, contest, Phase.COUNTING)
    services.certify(staff, contest, CertifierRole.COUNTER)
    services.certify(viewer(second_staff(world), contest), contest, CertifierRole.SCRUTINEER)
    db.session.commit()
    client = logged_in(app, world.users["owner"])
    assert f"Entered by {reg.org.name}" in client.get(f"/contests/{contest.id}/results").get_data(as_text=True)
    rows = list(
        csv.reader(io.StringIO(client.get(f"/contests/{contest.id}/results.csv").get_data().decode("utf-8-sig")))
    )
    assert rows[1][2:4] == ["长者助餐点", f"Entered by {reg.org.name}"]
    assert rows[2][3] == "Entered by a resident"


def test_the_agent_is_refused_in_the_service_too(world):
    reg = registry(world)
    contest = _contest(world, admits=False)
    with pytest.raises(Forbidden):
        services.submit_entry(
            viewer(reg.users["agent"], contest),
            contest,
            client_id="x",
            title="长者助餐点",
            summary="在社区活动中心设立长者助餐点。",
            budget_fen=100,
            organisation_id=reg.org.id,
        )
    assert count(Entry, contest_id=contest.id) == 0


def test_the_agents_home_asks_them_to_enter_until_their_organisation_has(app, world):
    reg = registry(world)
    contest = _contest(world)
    _contest(world, admits=False)  # a contest for residents only asks nothing of the organisation
    home = f"/c/{world.community.slug}/"
    client = logged_in(app, reg.users["agent"])
    page = client.get(home).get_data(as_text=True)
    assert page.count(f"Enter a proposal for {reg.org.name}") == 1
    assert f'href="/contests/{contest.id}/entries/new"' in page
    for key in ("resident", "staff"):  # acting for no organisation
        assert "Enter a proposal for" not in logged_in(app, world.users[key]).get(home).get_data(as_text=True)
    response = client.post(f"/contests/{contest.id}/entries/new", data=_post(world, organisation_id=str(reg.org.id)))
    assert response.status_code == 302
    assert "Enter a proposal for" not in client.get(home).get_data(as_text=True)


def test_a_suspended_organisations_agent_is_not_asked(app, world):
    reg = registry(world)
    reg.org.status = OrgStatus.SUSPENDED
    db.session.commit()
    _contest(world)
    page = logged_in(app, reg.users["agent"]).get(f"/c/{world.community.slug}/").get_data(as_text=True)
    assert "Enter a proposal for" not in page
