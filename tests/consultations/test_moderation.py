"""Moderation in the live room: reports (and the automatic hide after N of them), hide (content
kept, reason shown), mute, lock; every moderator action logged and told to the whole room."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import pytest
from flask_babel import force_locale

from app.consultations import services
from app.consultations.models import HandRaise, Phase, Speech
from app.core.models import utcnow
from app.extensions import db
from app.moderation.models import ModerationAction, Mute, Report
from tests.consultations.conftest import (
    ack,
    code,
    committed,
    count,
    events,
    inbox,
    logged_in,
    make_consultation,
    viewer_of,
)

GIVE_A_REASON = "Give a reason: it is shown to everyone in the room."


@pytest.fixture
def u(world):
    return world.users


@pytest.fixture
def open_room(world, rules_templates):
    return make_consultation(world, rules_templates, key="simple", slow_mode_seconds=0)


@pytest.fixture
def formal_room(world, rules_templates):
    return make_consultation(world, rules_templates)


def joined(members, consultation, *keys):
    """Socket clients of these members, in the room, with what they received so far cleared."""
    clients = []
    for key in keys:
        client = members(key)
        assert ack(client, "join", consultation_id=consultation.id)["ok"], key
        clients.append(client)
    for client in clients:
        client.get_received("/consultations")
    return clients


def a_speech(consultation, author, body="某某就是个骗子"):
    return committed(
        services.speak(viewer_of(author, consultation), consultation, client_id=f"s-{author.id}-{body[:3]}", body=body)
    ).speech


def actions(consultation) -> list[str]:
    rows = db.session.scalars(
        db.select(ModerationAction).where(ModerationAction.room == consultation.room).order_by(ModerationAction.id)
    )
    return [row.action for row in rows]


# -- reports --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", GIVE_A_REASON),
        ("   ", GIVE_A_REASON),
        ("理" * 201, "A reason can be at most 200 characters."),
    ],
    ids=["empty", "blank", "too-long"],
)
def test_a_report_needs_a_reason(reason, message, open_room, members, u):
    speech = a_speech(open_room, u["owner"])
    result = ack(members("resident"), "report", message_id=speech.id, reason=reason)
    assert result == {"ok": False, "error": {"code": "bad_request", "message": message}}
    assert count(Report) == 0


def test_a_report_without_a_reason_field_is_a_bad_request(open_room, members, u):
    speech = a_speech(open_room, u["owner"])
    assert code(ack(members("resident"), "report", message_id=speech.id)) == "bad_request"
    assert count(Report) == 0


def test_a_report_is_stored_with_its_reason(open_room, members, u):
    speech = a_speech(open_room, u["owner"])
    assert ack(members("resident"), "report", message_id=speech.id, reason="  人身攻击 ") == {"ok": True}
    report = db.session.scalar(db.select(Report))
    assert (report.target_type, report.target_id, report.reporter_id, report.reason, report.room) == (
        "speeches",
        speech.id,
        u["resident"].id,
        "人身攻击",
        open_room.room,
    )
    db.session.refresh(speech)
    assert not speech.is_hidden


def test_reports_by_different_members_hide_the_speech_automatically(open_room, members, u):
    speech = a_speech(open_room, u["owner"])
    listener, watcher = joined(members, open_room, "group_leader", "unverified")
    resident, property_manager, social_org = members("resident"), members("property_manager"), members("social_org")
    # One member's repeated report counts once.
    assert ack(resident, "report", message_id=speech.id, reason="人身攻击")["ok"]
    assert ack(resident, "report", message_id=speech.id, reason="还是人身攻击")["ok"]
    assert ack(property_manager, "report", message_id=speech.id, reason="不文明")["ok"]
    assert count(Report, target_id=speech.id) == 2
    db.session.refresh(speech)
    assert not speech.is_hidden
    assert events(listener, "message_hidden") == [] and events(listener, "moderation") == []
    # The third member's report is the third: the speech hides itself, pending review.
    assert ack(social_org, "report", message_id=speech.id, reason="造谣")["ok"]
    db.session.refresh(speech)
    reason = "被举报 3 次，已自动隐藏，等待审核。"  # stored once, in the community's language (zh_CN)
    assert speech.is_hidden and speech.hidden_reason == reason and speech.hidden_by_id is None
    assert speech.body == "某某就是个骗子"  # kept
    for client in (listener, watcher):
        got = inbox(client)
        assert got["message_hidden"] == [{"id": speech.id, "reason": reason, "by": None}]
        (moderation,) = got["moderation"]
        assert moderation["action"] == "auto_hide"
        assert moderation["target"] == {"type": "speeches", "id": speech.id, "user_id": u["owner"].id}
        assert (moderation["reason"], moderation["by"]) == (reason, None)
    assert actions(open_room) == ["auto_hide"]
    # A fourth report is recorded but hides nothing again.
    assert ack(members("staff"), "report", message_id=speech.id, reason="同上")["ok"]
    assert actions(open_room) == ["auto_hide"]
    # Replay shows the place of the speech with the reason, not its text.
    (replayed,) = ack(members("resident_rep"), "join", consultation_id=open_room.id)["messages"]
    assert (replayed["hidden"], replayed["hidden_reason"], replayed["body_html"]) == (True, reason, "")


def test_the_rule_set_says_how_many_reports_hide(world, rules_templates, members, u):
    consultation = make_consultation(world, rules_templates, key="simple", slow_mode_seconds=0, auto_hide_reports=1)
    speech = a_speech(consultation, u["owner"])
    assert ack(members("resident"), "report", message_id=speech.id, reason="广告")["ok"]
    db.session.refresh(speech)
    assert speech.is_hidden and speech.hidden_reason == "被举报 1 次，已自动隐藏，等待审核。"


# -- hide ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("moderator", ["leader_a", "staff"])
def test_hiding_keeps_the_content_and_shows_the_reason(moderator, open_room, members, u):
    speech = a_speech(open_room, u["owner"])
    committed(services.report(viewer_of(u["resident"], speech), speech, "人身攻击"))
    listener, author = joined(members, open_room, "resident", "owner")
    assert ack(members(moderator), "hide", message_id=speech.id, reason="人身攻击，已隐藏") == {"ok": True}
    db.session.refresh(speech)
    assert speech.body == "某某就是个骗子"
    assert (speech.hidden_reason, speech.hidden_by_id) == ("人身攻击，已隐藏", u[moderator].id)
    # The open report is resolved by the decision.
    assert db.session.scalar(db.select(Report)).resolved_at is not None
    for client in (listener, author):
        got = inbox(client)
        assert got["message_hidden"] == [{"id": speech.id, "reason": "人身攻击，已隐藏", "by": moderator}]
        (moderation,) = got["moderation"]
        assert (moderation["action"], moderation["reason"], moderation["by"]) == ("hide", "人身攻击，已隐藏", moderator)
        assert moderation["target"] == {"type": "speeches", "id": speech.id, "user_id": u["owner"].id}
        assert moderation["at"]
    log = db.session.scalar(db.select(ModerationAction))
    assert (log.action, log.actor_id, log.target_id, log.target_user_id, log.reason) == (
        "hide",
        u[moderator].id,
        speech.id,
        u["owner"].id,
        "人身攻击，已隐藏",
    )
    # Joining (or rejoining) shows the reason in its place, never the text.
    (replayed,) = ack(members("group_leader"), "join", consultation_id=open_room.id)["messages"]
    assert replayed["hidden"] is True
    assert replayed["hidden_reason"] == "人身攻击，已隐藏"
    assert replayed["body_html"] == ""
    assert "骗子" not in str(replayed)


def test_a_speech_is_hidden_once(open_room, members, u):
    speech = a_speech(open_room, u["owner"])
    chair = members("leader_a")
    assert ack(chair, "hide", message_id=speech.id, reason="人身攻击")["ok"]
    assert code(ack(members("staff"), "hide", message_id=speech.id, reason="再隐藏")) == "already_hidden"
    assert actions(open_room) == ["hide"]


def test_a_moderator_may_confirm_an_automatic_hide(world, rules_templates, members, u):
    consultation = make_consultation(world, rules_templates, key="simple", slow_mode_seconds=0, auto_hide_reports=1)
    speech = a_speech(consultation, u["owner"])
    committed(services.report(viewer_of(u["resident"], speech), speech, "广告"))
    assert ack(members("staff"), "hide", message_id=speech.id, reason="确认为广告")["ok"]
    db.session.refresh(speech)
    assert (speech.hidden_reason, speech.hidden_by_id) == ("确认为广告", u["staff"].id)
    assert actions(consultation) == ["auto_hide", "hide"]


def test_the_room_page_shows_a_hidden_speechs_reason_not_its_text(app, open_room, members, u):
    speech = a_speech(open_room, u["owner"])
    committed(services.hide(viewer_of(u["leader_a"], speech), speech, "人身攻击"))
    page = logged_in(app, u["resident"]).get(f"/consultations/{open_room.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "人身攻击" in html
    assert "骗子" not in html


# -- mute ------------------------------------------------------------------------------------------------------


def test_a_mute_stops_speaking_and_is_told_to_the_room(open_room, members, u):
    listener, muted = joined(members, open_room, "owner", "resident")
    before = utcnow()
    result = ack(
        members("staff"), "mute", consultation_id=open_room.id, user_id=u["resident"].id, minutes=5, reason="刷屏"
    )
    assert result == {"ok": True}
    mute = db.session.scalar(db.select(Mute))
    assert (mute.user_id, mute.room, mute.reason, mute.actor_id) == (
        u["resident"].id,
        open_room.room,
        "刷屏",
        u["staff"].id,
    )
    until = mute.until if mute.until.tzinfo else mute.until.replace(tzinfo=before.tzinfo)
    assert timedelta(minutes=5) <= until - before < timedelta(minutes=5, seconds=30)
    for client in (listener, muted):
        (moderation,) = events(client, "moderation")
        assert (moderation["action"], moderation["reason"], moderation["by"]) == ("mute", "刷屏", "staff")
        assert moderation["target"]["user_id"] == u["resident"].id
        assert moderation["until"]
    said = ack(muted, "speak", consultation_id=open_room.id, client_id="x-1", body="我还要说")
    assert said["error"] == {"code": "muted", "message": "You are muted in this room for now."}
    assert count(Speech, consultation_id=open_room.id) == 0
    assert actions(open_room) == ["mute"]
    # Others still speak.
    assert ack(listener, "speak", consultation_id=open_room.id, client_id="x-2", body="我说")["ok"]


def test_a_warning_is_logged_and_told_to_the_room_and_does_not_silence(open_room, members, u):
    listener, warned = joined(members, open_room, "owner", "resident")
    result = ack(
        members("leader_a"), "warn", consultation_id=open_room.id, user_id=u["resident"].id, reason="请勿人身攻击"
    )
    assert result == {"ok": True}
    for client in (listener, warned):
        (moderation,) = events(client, "moderation")
        assert (moderation["action"], moderation["reason"]) == ("warn", "请勿人身攻击")
        assert moderation["target"]["user_id"] == u["resident"].id
    assert actions(open_room) == ["warn"]
    assert ack(warned, "speak", consultation_id=open_room.id, client_id="w-1", body="好的，我注意")["ok"]


@pytest.mark.parametrize(
    ("target", "reason", "expected"),
    [("leader_a", "自己警告自己", "bad_request"), ("resident", None, "bad_request"), ("outsider", "外人", "not_found")],
)
def test_a_warning_needs_another_member_and_a_reason(open_room, members, u, target, reason, expected):
    payload = {"consultation_id": open_room.id, "user_id": u[target].id}
    if reason is not None:
        payload["reason"] = reason
    assert code(ack(members("leader_a"), "warn", **payload)) == expected
    assert actions(open_room) == []


def test_a_mute_takes_the_floor_and_the_hand_and_stops_raising_hands(formal_room, members, u):
    resident, owner = joined(members, formal_room, "resident", "owner")
    committed(services.grant_floor(viewer_of(u["leader_a"], formal_room), formal_room, u["resident"].id))
    committed(services.raise_hand(viewer_of(u["owner"], formal_room), formal_room, None))
    committed(services.raise_hand(viewer_of(u["group_leader"], formal_room), formal_room, None))
    resident.get_received("/consultations")
    assert ack(
        members("leader_a"),
        "mute",
        consultation_id=formal_room.id,
        user_id=u["resident"].id,
        minutes=10,
        reason="人身攻击",
    )["ok"]
    assert ack(
        members("staff"), "mute", consultation_id=formal_room.id, user_id=u["owner"].id, minutes=10, reason="刷屏"
    )["ok"]
    db.session.refresh(formal_room)
    assert formal_room.floor_holder_id is None
    assert [h.user_id for h in db.session.scalars(db.select(HandRaise))] == [u["group_leader"].id]
    assert events(resident, "floor")[-1]["holder"] is None
    assert code(ack(resident, "raise_hand", consultation_id=formal_room.id)) == "muted"
    assert code(ack(owner, "raise_hand", consultation_id=formal_room.id)) == "muted"
    assert code(ack(resident, "speak", consultation_id=formal_room.id, client_id="x", body="我说")) == "muted"
    assert count(HandRaise) == 1


@pytest.mark.parametrize("minutes", [0, -1, 7 * 24 * 60 + 1, "5", 2.5, None, True], ids=repr)
def test_mute_minutes_out_of_range_are_a_bad_request(minutes, open_room, members, u):
    payload = {"consultation_id": open_room.id, "user_id": u["resident"].id, "reason": "刷屏"}
    if minutes is not None:
        payload["minutes"] = minutes
    assert code(ack(members("staff"), "mute", **payload)) == "bad_request"
    assert count(Mute) == 0 and count(ModerationAction) == 0


@pytest.mark.parametrize("minutes", [1, 7 * 24 * 60])
def test_mute_minutes_at_the_limits_are_accepted(minutes, open_room, members, u):
    result = ack(
        members("staff"), "mute", consultation_id=open_room.id, user_id=u["resident"].id, minutes=minutes, reason="刷屏"
    )
    assert result["ok"]


def test_a_mute_is_for_one_room_and_ends_on_time(world, rules_templates, open_room, members, u):
    other_room = make_consultation(world, rules_templates, key="simple", slow_mode_seconds=0)
    committed(services.mute(viewer_of(u["staff"], open_room), open_room, u["resident"].id, 5, "刷屏"))
    resident = members("resident")
    assert ack(resident, "speak", consultation_id=other_room.id, client_id="x-1", body="这里可以说")["ok"]
    assert code(ack(resident, "speak", consultation_id=open_room.id, client_id="x-2", body="这里不行")) == "muted"
    mute = db.session.scalar(db.select(Mute))
    mute.until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert ack(resident, "speak", consultation_id=open_room.id, client_id="x-3", body="又可以说了")["ok"]


# -- lock ------------------------------------------------------------------------------------------------------


def test_a_locked_room_hears_only_the_chair(formal_room, members, u):
    chair, resident, staff = joined(members, formal_room, "leader_a", "resident", "staff")
    committed(services.grant_floor(viewer_of(u["leader_a"], formal_room), formal_room, u["resident"].id))
    assert ack(chair, "lock", consultation_id=formal_room.id, reason="请大家冷静")["consultation"]["locked"] is True
    for client in (chair, staff):
        (moderation,) = events(client, "moderation")
        assert (moderation["action"], moderation["reason"], moderation["by"]) == ("lock", "请大家冷静", "leader_a")
    # While locked the chair gives nobody the floor (it could not be used); the holder keeps it, silent.
    refused = ack(chair, "grant_floor", consultation_id=formal_room.id, user_id=u["owner"].id)
    assert refused["error"] == {
        "code": "grant_locked",
        "message": "The room is locked: unlock it before giving anyone the floor.",
    }
    assert code(ack(resident, "speak", consultation_id=formal_room.id, client_id="r-1", body="我说")) == "locked"
    assert code(ack(staff, "speak", consultation_id=formal_room.id, client_id="s-1", body="我是居委会")) == "locked"
    assert ack(chair, "speak", consultation_id=formal_room.id, client_id="c-1", body="暂停五分钟")["ok"]
    assert ack(resident, "join", consultation_id=formal_room.id)["consultation"]["locked"] is True
    # Locking twice changes nothing and logs nothing more.
    assert ack(staff, "lock", consultation_id=formal_room.id, reason="再锁")["ok"]
    assert actions(formal_room) == ["lock"]
    # Unlocking is logged and told too; then the floor holder may speak.
    assert ack(staff, "lock", consultation_id=formal_room.id, locked=False)["consultation"]["locked"] is False
    assert [m["action"] for m in events(resident, "moderation")] == ["lock", "unlock"]  # all it was told
    assert ack(resident, "speak", consultation_id=formal_room.id, client_id="r-2", body="我说")["ok"]
    assert actions(formal_room) == ["lock", "unlock"]


def test_locking_needs_a_reason(formal_room, members):
    assert code(ack(members("leader_a"), "lock", consultation_id=formal_room.id)) == "bad_request"
    assert code(ack(members("leader_a"), "lock", consultation_id=formal_room.id, reason="  ")) == "bad_request"
    db.session.refresh(formal_room)
    assert not formal_room.locked
    assert count(ModerationAction) == 0


# -- transparency --------------------------------------------------------------------------------------------


def test_every_moderator_action_is_logged_and_told_to_everyone_in_the_room(world, rules_templates, members, u):
    consultation = make_consultation(world, rules_templates, key="simple", slow_mode_seconds=0, auto_hide_reports=2)
    # Everyone who can be in the room hears it: participants, the property manager (who never
    # moderates), a pending member and street staff watching.
    audience = joined(members, consultation, "resident", "property_manager", "unverified", "street_staff")
    chair, staff = members("leader_a"), members("staff")
    rude, spam = a_speech(consultation, u["owner"]), a_speech(consultation, u["group_leader"], "加微信领红包")
    assert ack(chair, "hide", message_id=rude.id, reason="人身攻击")["ok"]
    assert ack(members("resident"), "report", message_id=spam.id, reason="广告")["ok"]
    assert ack(members("owner"), "report", message_id=spam.id, reason="广告")["ok"]  # the 2nd: auto hide
    assert ack(staff, "mute", consultation_id=consultation.id, user_id=u["group_leader"].id, minutes=30, reason="广告")[
        "ok"
    ]
    assert ack(chair, "lock", consultation_id=consultation.id, reason="休会")["ok"]
    assert ack(chair, "lock", consultation_id=consultation.id, locked=False, reason="继续")["ok"]
    committed(services.change_rules(viewer_of(u["staff"], consultation), consultation, {"max_speech_chars": 200}))
    expected = ["hide", "auto_hide", "mute", "lock", "unlock", "rules"]
    assert actions(consultation) == expected
    for client in audience:
        got = inbox(client)
        told = got["moderation"]
        assert [m["action"] for m in told] == expected
        assert [m["by"] for m in told] == ["leader_a", None, "staff", "leader_a", "leader_a", "staff"]
        assert all(m["at"] for m in told)
        assert got["rules_changed"][-1]["max_speech_chars"] == 200
    # Members outside the room hear nothing of it.
    outside = members("owners_committee")
    assert events(outside, "moderation") == []


def test_the_room_page_shows_the_moderation_log(app, open_room, u):
    committed(services.mute(viewer_of(u["staff"], open_room), open_room, u["owner"].id, 5, "连续刷屏"))
    page = logged_in(app, u["resident"]).get(f"/consultations/{open_room.id}")
    assert page.status_code == 200
    assert "连续刷屏" in page.get_data(as_text=True)


def test_moderation_needs_the_room_to_exist_for_the_actor(world, rules_templates, members, u):
    draft = make_consultation(world, rules_templates, key="simple", phase=Phase.DRAFT)
    speech = Speech(consultation_id=draft.id, author_id=u["staff"].id, client_id="d-1", body="草稿里的话")
    db.session.add(speech)
    db.session.commit()
    # A resident cannot see a draft: reporting in it is not_found, not a hint that it exists.
    assert code(ack(members("resident"), "report", message_id=speech.id, reason="广告")) == "not_found"
    assert count(Report) == 0


# -- the minutes keep the moderator log (issue 16) -----------------------------------------------------------


def test_the_minutes_list_warnings_mutes_locks_hides_and_rule_changes_in_time_order(app, world, open_room, u):
    room = open_room
    chair, staff = viewer_of(u["leader_a"], room), viewer_of(u["staff"], room)
    rude = a_speech(room, u["resident"])
    committed(services.warn(chair, room, u["resident"].id, "请勿人身攻击"))
    committed(services.hide(chair, rude, "人身攻击"))
    committed(services.mute(staff, room, u["resident"].id, 30, "多次人身攻击"))
    committed(services.change_rules(chair, room, {"max_speeches_per_motion": 3, "chair_neutral": True}))
    committed(services.set_locked(chair, room, True, "准备表决"))
    committed(services.set_locked(staff, room, False, ""))
    # the log's times, a second apart, in the order the actions were taken
    for n, entry in enumerate(db.session.scalars(db.select(ModerationAction).order_by(ModerationAction.id))):
        entry.created_at = utcnow().replace(microsecond=0) - timedelta(seconds=60 - n)
    db.session.commit()
    committed(services.set_phase(staff, room, Phase.CONCLUDED))

    with force_locale("en"):
        minutes = services.minutes(viewer_of(u["owner"], room), room)
    assert [(e.action, e.member, e.by) for e in minutes.events] == [
        ("Member warned", "resident", "leader_a"),
        ("Speech hidden", "resident", "leader_a"),
        ("Member muted", "resident", "staff"),
        ("Rules changed", None, "leader_a"),
        ("Room locked", None, "leader_a"),
        ("Room unlocked", None, "staff"),
    ]
    warned, hidden, muted, rules, locked, _unlocked = minutes.events
    assert (warned.detail, hidden.detail, hidden.speech_no, muted.detail) == (
        "请勿人身攻击",
        "人身攻击",
        1,
        "多次人身攻击",
    )
    assert muted.until is not None and locked.detail == "准备表决"
    # the rules changed, in words, not as parameter names
    assert rules.detail == "The chair neither argues nor votes: Yes; Speeches per member per motion: 3"

    # in Chinese too, as a member reading Chinese gets it
    with force_locale("zh_CN"):
        chinese = services.minutes(viewer_of(u["owner"], room), room)
    assert [e.action for e in chinese.events][:3] == ["成员被警告", "发言已隐藏", "成员被禁言"]
    assert chinese.events[3].detail == "主持人保持中立，不表态、不表决：是；每项动议每人最多发言次数：3"

    # the print page and the Word file say the same
    client = logged_in(app, u["owner"])
    html = client.get(f"/consultations/{room.id}/minutes").get_data(as_text=True)
    section = html[html.index('id="minutes-events"') : html.index('id="minutes-resolutions"')]
    for text in ("Member warned", "Member muted", "请勿人身攻击", "准备表决", "Speeches per member per motion: 3"):
        assert text in section, text
    document = docx.Document(io.BytesIO(client.get(f"/consultations/{room.id}/minutes.docx").data))
    (table,) = [t for t in document.tables if t.rows[0].cells[0].text == "时间"]
    assert [row.cells[2].text for row in table.rows[1:]] == [
        "resident",
        "第 1 条发言 resident",
        "resident",
        "—",
        "—",
        "—",
    ]
    assert [p.text for p in document.paragraphs][-2].startswith("主持人签字：")
