""" "需要您处理" on the community's home, role by role on the demo community: each item computed by its
feature, nothing the viewer may not see, each one tap from the page to act on."""

from __future__ import annotations

import uuid

from sqlalchemy import event, select

from app.communities import access
from app.communities.models import Community, MembershipStatus, Role
from app.consultations import services as consultations
from app.consultations.models import Consultation, Phase, Speech
from app.contests.models import Contest
from app.contests.models import Phase as ContestPhase
from app.decisions import services as decisions
from app.decisions.models import Decision, DecisionState
from app.extensions import db
from app.home import needs as registry
from app.ideas import services as ideas
from app.microprojects import services as project_services
from app.microprojects.models import ProjectStatus
from app.moderation.models import Report
from app.notifications.models import Notification
from app.notifications.services import notify
from tests import factories
from tests.home import client_of, demo, demo_user, needs
from tests.microprojects import acting, edge

RESIDENT, OWNER, LEADER, COMMITTEE, STAFF = "13800000001", "13800000002", "13800000003", "13800000007", "13800000008"
STREET, DISTRICT, UNVERIFIED = "13800000011", "13800000012", "13800000013"
HOME = "/c/cuizhuyuan/"


def links(app, phone, path=HOME) -> list[str]:
    response = client_of(app, demo_user(phone)).get(path)
    assert response.status_code == 200
    return [link for _text, _detail, link in needs(response)]


def cuizhuyuan() -> Community:
    return db.session.scalar(select(Community).where(Community.slug == "cuizhuyuan"))


def _demo_objects():
    decision = db.session.scalar(select(Decision).where(Decision.state == DecisionState.VOTING))
    contest = db.session.scalar(select(Contest).where(Contest.phase == ContestPhase.VOTING))
    room = db.session.scalar(select(Consultation).where(Consultation.phase == Phase.OPEN))
    return decision, contest, room


def test_needs_role_by_role(app):
    demo(app)
    decision, contest, room = _demo_objects()
    vote, ballot = f"/decisions/{decision.id}", f"/contests/{contest.id}/vote"
    queue, paper, live = "/c/cuizhuyuan/verifications", f"/decisions/{decision.id}/paper", f"/consultations/{room.id}"

    owner = links(app, OWNER)
    assert vote in owner and live in owner
    assert not {queue, paper} & set(owner)  # no staff items for an owner

    resident = links(app, RESIDENT)
    assert ballot in resident and live in resident
    assert not {vote, queue, paper} & set(resident)  # a tenant is not on the roll; no staff items

    leader = links(app, LEADER)
    assert queue in leader and paper not in leader  # 林玉兰 waits in 1栋's queue; a leader does not count

    staff = links(app, STAFF)
    assert queue in staff and paper in staff  # the demo's paper ballot waits for its second entry

    # the demo's slow consultation (异步协商) is under way too
    slow_id = db.session.scalar(select(Consultation.id).where(Consultation.title == "新建非机动车棚的位置"))
    slow = f"/consultations/{slow_id}"
    unverified = links(app, UNVERIFIED)
    assert unverified == [live, slow]  # reads the consultations under way; votes and queues are not theirs

    for overseer in (STREET, DISTRICT):
        assert links(app, overseer) == [live, slow]


def test_the_closing_day_is_said_in_plain_words(app):
    demo(app)
    decision, _contest, _room = _demo_objects()
    items = needs(client_of(app, demo_user(OWNER)).get(HOME))
    text, detail, _link = next(item for item in items if item[2] == f"/decisions/{decision.id}")
    assert decision.title in text
    assert detail.endswith("截止") and f"{decision.voting_ends_on.month}月{decision.voting_ends_on.day}日" in detail
    assert detail.startswith("周")


def test_an_owner_off_the_roll_is_not_asked_to_vote(app):
    demo(app)
    decision, _contest, _room = _demo_objects()
    community = cuizhuyuan()
    newcomer = factories.user(name="新业主", locale="zh_CN")
    factories.membership(newcomer, community, Role.RESIDENT, Role.OWNER)  # verified after the roll froze
    db.session.commit()
    response = client_of(app, newcomer).get(HOME)
    assert f"/decisions/{decision.id}" not in [link for *_, link in needs(response)]
    assert f"/decisions/{decision.id}" in links(app, OWNER)


def test_the_vote_item_goes_once_the_owner_has_voted(app):
    demo(app)
    decision, _contest, _room = _demo_objects()
    assert f"/decisions/{decision.id}" in links(app, OWNER)
    owner = demo_user(OWNER)
    decisions.vote(access.viewer(owner, cuizhuyuan()), decision, "agree")
    db.session.commit()
    assert f"/decisions/{decision.id}" not in links(app, OWNER)


def test_a_member_of_another_community_sees_nothing_of_this_one(app):
    demo(app)
    decision, contest, room = _demo_objects()
    nantang = db.session.scalar(select(Community).where(Community.slug == "nantang"))
    neighbour = factories.user(name="南塘居民", locale="zh_CN")
    factories.membership(neighbour, nantang, Role.RESIDENT)
    db.session.commit()
    http = client_of(app, neighbour)
    page = http.get(HOME)  # the public facts a visitor may read
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and needs(page) == []
    for title in (decision.title, contest.title, room.title):
        assert title not in body
    assert http.get("/c/cuizhuyuan/activity").status_code == 404
    own = http.get("/c/nantang/").get_data(as_text=True)
    for title in (decision.title, contest.title, room.title):
        assert title not in own


def test_a_motion_waiting_for_a_second_is_shown_to_those_who_may_second_it(app):
    demo(app)
    _decision, _contest, room = _demo_objects()
    mover = demo_user(RESIDENT)
    consultations.move(access.viewer(mover, cuizhuyuan()), room, client_id=uuid.uuid4().hex, text="充电棚建在5栋北侧")
    db.session.commit()
    texts = [text for text, _detail, _link in needs(client_of(app, demo_user(OWNER)).get(HOME))]
    assert any("充电棚建在5栋北侧" in t for t in texts)
    for phone in (RESIDENT, UNVERIFIED, STREET):  # the mover, the unverified, an overseer
        response = client_of(app, demo_user(phone)).get(HOME)
        assert not any("充电棚建在5栋北侧" in text for text, _d, _l in needs(response)), phone


def test_reports_to_review_are_for_those_who_moderate(app):
    demo(app)
    _decision, _contest, room = _demo_objects()
    reporter = demo_user(RESIDENT)
    speech = Speech(consultation_id=room.id, author_id=demo_user(OWNER).id, client_id=uuid.uuid4().hex, body="……")
    db.session.add(speech)
    db.session.flush()
    db.session.add(
        Report(
            community_id=room.community_id,
            room=room.room,
            target_type="speeches",
            target_id=speech.id,
            reporter_id=reporter.id,
            reason="人身攻击",
        )
    )
    db.session.commit()

    def report_items(phone):
        items = needs(client_of(app, demo_user(phone), "en").get(HOME))
        return [(t, link) for t, _d, link in items if "举报" in t or "report" in t]

    assert report_items(STAFF) == [("1 条举报待处理", f"/consultations/{room.id}")]
    for phone in (RESIDENT, OWNER, UNVERIFIED, STREET):
        assert report_items(phone) == [], phone


def test_ones_own_things_that_changed_show_until_read(app):
    demo(app)
    resident = demo_user(RESIDENT)
    community = cuizhuyuan()
    nantang = db.session.scalar(select(Community).where(Community.slug == "nantang"))
    notify(resident, "idea_status", "您的金点子“楼道加装扶手”已采纳", url="/ideas/1", community_id=community.id)
    notify(resident, "idea_status", "另一个社区的消息", url="/ideas/2", community_id=nantang.id)
    notify(resident, "test", "与您的事无关的消息", url="/x", community_id=community.id)
    db.session.commit()
    texts = [t for t, _d, _l in needs(client_of(app, resident).get(HOME))]
    assert "您的金点子“楼道加装扶手”已采纳" in texts
    assert "另一个社区的消息" not in texts and "与您的事无关的消息" not in texts
    assert "您的金点子“楼道加装扶手”已采纳" not in [
        t for t, _d, _l in needs(client_of(app, demo_user(OWNER)).get(HOME))
    ]
    client_of(app, resident).post("/notifications/read")
    assert (
        db.session.scalar(
            select(Notification).where(Notification.read_at.is_(None), Notification.user_id == resident.id)
        )
        is None
    )
    texts = [t for t, _d, _l in needs(client_of(app, resident).get(HOME))]
    assert "您的金点子“楼道加装扶手”已采纳" not in texts


def test_nothing_needs_you_is_said_calmly_with_the_main_actions(app, world):
    http = client_of(app, world.users["resident"])
    body = http.get(HOME).get_data(as_text=True)
    assert "Nothing needs you right now." in body
    assert "/c/cuizhuyuan/ideas" in body and "/c/cuizhuyuan/consultations" in body
    zh = client_of(app, world.users["resident"], "zh-CN")
    world.users["resident"].locale = "zh_CN"
    db.session.commit()
    assert "目前没有需要您处理的事" in zh.get(HOME).get_data(as_text=True)


def test_the_home_page_needs_a_bounded_number_of_queries(app):
    demo(app)
    community = cuizhuyuan()

    def queries(phone) -> int:
        http = client_of(app, demo_user(phone))
        http.get(HOME)  # warm: the first request compiles what it needs
        seen = []
        listener = lambda *args, **kwargs: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert http.get(HOME).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    before = {phone: queries(phone) for phone in (RESIDENT, OWNER, STAFF, STREET)}
    # a few queries for the page itself, at most two per feature that adds items (no N+1 in any of them)
    limit = 10 + 2 * len(registry._PROVIDERS)
    assert max(before.values()) <= limit, (before, limit)
    # many more ideas and members waiting: the count does not grow with the community
    author = demo_user(RESIDENT)
    viewer = access.viewer(author, community)
    for n in range(25):
        ideas.submit(
            viewer, client_id=uuid.uuid4().hex, title=f"建议{n}", description="一个建议" * 5, category="environment"
        )
    for _ in range(10):
        factories.membership(factories.user(), community, status=MembershipStatus.PENDING)
    db.session.commit()
    after = {phone: queries(phone) for phone in (RESIDENT, OWNER, STAFF, STREET)}
    assert all(after[p] <= before[p] for p in before), (before, after)


def test_a_feature_adds_its_items_with_one_provider(app, world):
    """How the notices feature plugs in after the merge: one registered provider, placed by its order."""

    @registry.provider(15)
    def _new_notices(viewer):
        return [registry.Need("新公告：周六停水", "/c/cuizhuyuan/notices/1", "12月12日")] if viewer.is_verified else []

    try:
        items = needs(client_of(app, world.users["resident"]).get(HOME))
        assert ("新公告：周六停水", "12月12日", "/c/cuizhuyuan/notices/1") in items
        assert needs(client_of(app, world.users["unverified"]).get(HOME)) == []
        assert needs(client_of(app, world.users["outsider"]).get(HOME)) == []
    finally:
        registry._PROVIDERS[:] = [p for p in registry._PROVIDERS if p[2] is not _new_notices]


def test_an_application_sent_back_asks_its_applicant_only(app, world):
    project = edge(
        project_services.save_application,
        acting(world.users["resident"], world.community),
        title="周末儿童阅读角",
        purpose="为社区儿童提供周末阅读空间，志愿者值班。",
        lines=[("活动室书架", 2, 45_000)],
        client_id=uuid.uuid4().hex,
    )
    edit = f"/projects/{project.id}/edit"
    for status, actor in ((ProjectStatus.SUBMITTED, "resident"), (ProjectStatus.UNDER_REVIEW, "staff")):
        edge(project_services.move, acting(world.users[actor], project), project, status, "好")
    assert edit not in [link for *_, link in needs(client_of(app, world.users["resident"]).get(HOME))]
    edge(
        project_services.move,
        acting(world.users["staff"], project),
        project,
        ProjectStatus.CHANGES_REQUESTED,
        "预算请细化",
    )
    assert edit in [link for *_, link in needs(client_of(app, world.users["resident"]).get(HOME))]
    for key in ("owner", "staff", "street_staff"):
        assert edit not in [link for *_, link in needs(client_of(app, world.users[key]).get(HOME))], key


def test_a_contest_count_to_sign_is_for_staff(app):
    demo(app)
    _decision, contest, _room = _demo_objects()
    contest.phase = ContestPhase.COUNTING
    db.session.commit()
    assert f"/contests/{contest.id}/count" in links(app, STAFF)
    for phone in (RESIDENT, COMMITTEE, STREET):
        assert f"/contests/{contest.id}/count" not in links(app, phone), phone
