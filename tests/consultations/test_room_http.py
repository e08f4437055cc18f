"""The room's actions as plain form posts (app/consultations/room_http.py): for every member key of the
world, the same outcome as the socket event (test_socket_permissions' tables), answered the HTTP way:
allowed → 303 back to the room with a flash saying what happened; a rule's refusal (not verified, the
neutral chair) → 303 back with the reason flashed and nothing stored; forbidden → 403; a consultation
they cannot see → 404; an anonymous visitor → the login page. A retried post does the thing once.

The module runs on one world (conftest `shared_world`); each case makes its own consultation.
"""

from __future__ import annotations

import re

import lxml.html
import pytest

from app.consultations import services
from app.consultations.models import HandRaise, Motion, MotionState, Speech
from app.extensions import db
from app.voting.models import Ballot
from tests.consultations.conftest import WORLD_KEYS, committed, count, logged_in, make_consultation, viewer_of
from tests.consultations.test_socket_permissions import (
    CHAIR,
    CHAIR_ONLY,
    DECIDE_OFFICIALS,
    GRANT_FLOOR,
    LOWER_HAND,
    MOVE,
    OFFICIALS,
    RAISE_HAND,
    SECOND,
    SPEAK_OFFICIALS,
    UNIT,
    VOTE,
    WITHDRAW_OTHERS,
    YIELD_FLOOR,
    other_than,
)

ANONYMOUS = "anonymous"
HTTP_STATUS = {"ok": 303, "forbidden": 403, "not_found": 404}  # any other refusal: 303, flashed


@pytest.fixture(scope="module")
def app(shared_app):
    return shared_app


@pytest.fixture(scope="module")
def world(shared_world):
    return shared_world


@pytest.fixture(autouse=True)
def _clean_session(app):
    yield
    db.session.rollback()


@pytest.fixture
def u(world):
    return world.users


@pytest.fixture
def formal(world, rules_templates):
    """A new open formal consultation (南塘议事规则, chaired by leader_a) for each call."""
    return lambda: make_consultation(world, rules_templates)


def cases(table: dict[str, str]) -> list:
    return [pytest.param(key, table[key], id=key) for key in (*WORLD_KEYS, ANONYMOUS)]


def post(app, world, key, consultation, action, **data):
    """Post the room's form for `action` as `key`; returns (response, the room page it leads to or "")."""
    client = logged_in(app, None if key == ANONYMOUS else world.users[key])
    response = client.post(f"/consultations/{consultation.id}/room/{action}", data=data)
    page = ""
    if response.status_code == 303:
        page = client.get(response.headers["Location"]).get_data(as_text=True)
    return response, page


def flashes(page: str) -> str:
    """The flashed messages at the top of the page."""
    found = re.search(r'<div class="flashes">(.*?)</div>', page, re.S)
    return found.group(1) if found else ""


def check(response, page, key, expected, success_text):
    """The HTTP answer for the socket table's outcome `expected`."""
    if key == ANONYMOUS:
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
        return
    status = HTTP_STATUS.get(expected, 303)
    assert response.status_code == status, (key, response.status_code, response.get_data(as_text=True)[:300])
    if status == 303:
        assert "/consultations/" in response.headers["Location"]
        said = flashes(page)
        assert (success_text in said) == (expected == "ok"), (key, expected, said)
        if expected != "ok":
            assert 'class="flash flash-error"' in said


def allowed(table, key) -> bool:
    return key != ANONYMOUS and table[key] == "ok"


def table_with_anonymous(table):
    return {**table, ANONYMOUS: "login"}


# -- the hand and the floor ------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "expected"), cases(table_with_anonymous(RAISE_HAND)))
def test_raise_hand(key, expected, app, world, formal):
    consultation = formal()
    response, page = post(app, world, key, consultation, "raise-hand")  # no motion: a question, no side
    check(response, page, key, expected, "Your hand is raised.")
    assert count(HandRaise, consultation_id=consultation.id) == allowed(RAISE_HAND, key)
    if allowed(RAISE_HAND, key):
        # a retry (a double tap, a reload) changes nothing
        again, _ = post(app, world, key, consultation, "raise-hand")
        assert again.status_code == 303 and count(HandRaise, consultation_id=consultation.id) == 1


@pytest.mark.parametrize(("key", "expected"), cases(table_with_anonymous(LOWER_HAND)))
def test_lower_hand_lowers_only_ones_own_hand(key, expected, app, world, formal, u):
    consultation = formal()
    other = other_than(key, "owner", "resident")
    committed(services.raise_hand(viewer_of(u[other], consultation), consultation))
    if key != ANONYMOUS and RAISE_HAND[key] == "ok":
        committed(services.raise_hand(viewer_of(u[key], consultation), consultation))
    response, page = post(app, world, key, consultation, "lower-hand")
    check(response, page, key, expected, "Your hand is lowered.")
    if key != ANONYMOUS:
        assert count(HandRaise, consultation_id=consultation.id, user_id=u[key].id) == 0
    assert count(HandRaise, consultation_id=consultation.id, user_id=u[other].id) == 1


@pytest.mark.parametrize(("key", "expected"), cases(table_with_anonymous(GRANT_FLOOR)))
def test_grant_floor_is_the_chairs(key, expected, app, world, formal, u):
    consultation = formal()
    committed(services.raise_hand(viewer_of(u["owner"], consultation), consultation))
    response, page = post(app, world, key, consultation, "grant-floor", user_id=u["owner"].id)
    check(response, page, key, expected, "has the floor.")
    db.session.refresh(consultation)
    if allowed(GRANT_FLOOR, key):
        assert consultation.floor_holder_id == u["owner"].id
        ends = consultation.floor_ends_at
        # a retry while the owner still holds the floor does not start the turn again
        again, _ = post(app, world, key, consultation, "grant-floor", user_id=u["owner"].id)
        db.session.refresh(consultation)
        assert again.status_code == 303 and consultation.floor_ends_at == ends
    else:
        assert consultation.floor_holder_id is None
        assert count(HandRaise, consultation_id=consultation.id) == 1


@pytest.mark.parametrize(("key", "expected"), cases(table_with_anonymous(YIELD_FLOOR)))
def test_yield_floor_by_the_holder_or_the_chair(key, expected, app, world, formal, u):
    consultation = formal()
    committed(services.grant_floor(viewer_of(u[CHAIR], consultation), consultation, u["owner"].id))
    response, page = post(app, world, key, consultation, "yield-floor")
    check(response, page, key, expected, "The floor is free.")
    db.session.refresh(consultation)
    assert consultation.floor_holder_id == (None if allowed(YIELD_FLOOR, key) else u["owner"].id)
    if allowed(YIELD_FLOOR, key):
        again, _ = post(app, world, key, consultation, "yield-floor")
        assert again.status_code == 303


# -- motions and votes -------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "expected"), cases(table_with_anonymous(MOVE)))
def test_move(key, expected, app, world, formal):
    consultation = formal()
    response, page = post(app, world, key, consultation, "move", client_id="m-1", text="在北侧空地建充电棚")
    check(response, page, key, expected, "Your motion was proposed.")
    assert count(Motion, consultation_id=consultation.id) == allowed(MOVE, key)
    if allowed(MOVE, key):
        again, _ = post(app, world, key, consultation, "move", client_id="m-1", text="在北侧空地建充电棚")
        assert again.status_code == 303 and count(Motion, consultation_id=consultation.id) == 1


@pytest.mark.parametrize(("key", "expected"), cases(table_with_anonymous(SECOND)))
def test_second(key, expected, app, world, formal, u):
    consultation = formal()
    mover = u[other_than(key, "owner", "resident")]
    motion = committed(
        services.move(viewer_of(mover, consultation), consultation, client_id="m-1", text="在北侧空地建充电棚")
    )
    response, page = post(app, world, key, consultation, "second", motion_id=motion.id)
    check(response, page, key, expected, "You seconded the motion")
    db.session.refresh(motion)
    if allowed(SECOND, key):
        assert (motion.state, motion.seconder_id) == (MotionState.DEBATE, u[key].id)
        again, _ = post(app, world, key, consultation, "second", motion_id=motion.id)
        assert again.status_code == 303
    else:
        assert (motion.state, motion.seconder_id) == (MotionState.MOVED, None)


@pytest.mark.parametrize(("key", "expected"), cases(table_with_anonymous(WITHDRAW_OTHERS)))
def test_only_the_mover_withdraws(key, expected, app, world, formal, u):
    consultation = formal()
    motion = committed(
        services.move(
            viewer_of(u[other_than(key, "owner", "resident")], consultation),
            consultation,
            client_id="m-1",
            text="建充电棚",
        )
    )
    response, page = post(app, world, key, consultation, "withdraw", motion_id=motion.id)
    check(response, page, key, expected, "Your motion was withdrawn.")
    db.session.refresh(motion)
    assert motion.state == MotionState.MOVED


def test_the_mover_withdraws_once_and_a_retry_is_answered_as_done(app, world, formal, u):
    consultation = formal()
    motion = committed(
        services.move(viewer_of(u["owner"], consultation), consultation, client_id="m-1", text="建充电棚")
    )
    for _ in range(2):
        response, page = post(app, world, "owner", consultation, "withdraw", motion_id=motion.id)
        assert response.status_code == 303 and "Your motion was withdrawn." in flashes(page)
    db.session.refresh(motion)
    assert motion.state == MotionState.WITHDRAWN


def _debated_motion(consultation, u):
    motion = committed(
        services.move(viewer_of(u["owner"], consultation), consultation, client_id="m-1", text="在北侧空地建充电棚")
    )
    return committed(services.second(viewer_of(u["resident"], motion), motion))


@pytest.mark.parametrize(("key", "expected"), cases(table_with_anonymous(CHAIR_ONLY)))
def test_call_vote_is_the_chairs(key, expected, app, world, formal, u):
    consultation = formal()
    motion = _debated_motion(consultation, u)
    response, page = post(app, world, key, consultation, "call-vote", motion_id=motion.id)
    check(response, page, key, expected, "The vote is open.")
    db.session.refresh(motion)
    assert motion.state == (MotionState.VOTING if allowed(CHAIR_ONLY, key) else MotionState.DEBATE)


@pytest.mark.parametrize(("key", "expected"), cases(table_with_anonymous(CHAIR_ONLY)))
def test_close_vote_is_the_chairs(key, expected, app, world, formal, u):
    consultation = formal()
    debated = _debated_motion(consultation, u)
    motion = committed(services.call_vote(viewer_of(u[CHAIR], debated), debated))
    committed(services.vote(viewer_of(u["owner"], motion), motion, "for"))
    response, page = post(app, world, key, consultation, "close-vote", motion_id=motion.id)
    check(response, page, key, expected, "The vote is closed: Carried.")
    db.session.refresh(motion)
    assert motion.state == (MotionState.CARRIED if allowed(CHAIR_ONLY, key) else MotionState.VOTING)


@pytest.mark.parametrize(("key", "expected"), cases(table_with_anonymous(VOTE)))
def test_vote(key, expected, app, world, formal, u):
    consultation = formal()
    debated = _debated_motion(consultation, u)
    motion = committed(services.call_vote(viewer_of(u[CHAIR], debated), debated))
    response, page = post(app, world, key, consultation, "vote", motion_id=motion.id, choice="against", confirmed="1")
    check(response, page, key, expected, "You have voted. Receipt code:")
    assert count(Ballot, poll_type="motion", poll_id=motion.id) == allowed(VOTE, key)
    if allowed(VOTE, key):
        receipt = committed(services.vote(viewer_of(u[key], motion), motion, "against")).receipt
        assert receipt in page  # the flash, and the room's own note, so the vote is not offered again
        assert f'data-choice="for" data-motion-id="{motion.id}"' not in page  # (the <template> has one, empty)
        again, page = post(app, world, key, consultation, "vote", motion_id=motion.id, choice="against")
        assert again.status_code == 303 and receipt in page  # the same vote again: no review, the same receipt
        assert count(Ballot, poll_type="motion", poll_id=motion.id) == 1


@pytest.mark.parametrize(("key", "expected"), cases(table_with_anonymous(VOTE)))
def test_a_motion_vote_is_reviewed_before_it_is_cast(key, expected, app, world, formal, u):
    """Without JavaScript the first press shows the choice and "once sent, it cannot be changed"; only the
    page's own button casts it. Those who may not vote are told why, as before, and nothing is stored."""
    consultation = formal()
    debated = _debated_motion(consultation, u)
    motion = committed(services.call_vote(viewer_of(u[CHAIR], debated), debated))
    client = logged_in(app, None if key == ANONYMOUS else world.users[key])
    response = client.post(
        f"/consultations/{consultation.id}/room/vote", data={"motion_id": motion.id, "choice": "for"}
    )
    assert count(Ballot, poll_type="motion", poll_id=motion.id) == 0
    if not allowed(VOTE, key):
        assert response.status_code in (302, 303, 404)
        return
    assert response.status_code == 200
    html = lxml.html.fromstring(response.get_data(as_text=True))
    assert "Once sent, it cannot be changed." in html.text_content()
    assert html.xpath("string(//*[@class='review-choice']//strong)") == "In favour"
    form = html.xpath("//form[contains(@action, '/room/vote')]")[0]
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}
    assert fields["choice"] == "for" and fields["confirmed"] == "1" and fields["motion_id"] == str(motion.id)
    cast = client.post(form.get("action"), data=fields)
    assert cast.status_code == 303 and count(Ballot, poll_type="motion", poll_id=motion.id) == 1


# -- malformed posts and a motion of another room ------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("grant-floor", {"user_id": "abc"}),
        ("grant-floor", {}),
        ("second", {"motion_id": "-1"}),
        ("vote", {"motion_id": "1e3", "choice": "for"}),
        ("move", {"client_id": "m-1", "text": "   "}),
        ("vote", {"choice": "maybe"}),
    ],
)
def test_a_malformed_post_is_refused_plainly_and_changes_nothing(action, data, app, world, formal, u):
    consultation = formal()
    debated = _debated_motion(consultation, u)
    motion = committed(services.call_vote(viewer_of(u[CHAIR], debated), debated))
    if action == "vote" and "motion_id" not in data:
        data = {**data, "motion_id": motion.id}
    key = CHAIR if action == "grant-floor" else "group_leader"
    response, page = post(app, world, key, consultation, action, **data)
    assert response.status_code == 303
    assert 'class="flash flash-error"' in flashes(page)
    assert count(Ballot, poll_type="motion", poll_id=motion.id) == 0
    assert count(Motion, consultation_id=consultation.id) == 1
    db.session.refresh(consultation)
    assert consultation.floor_holder_id is None


def test_a_motion_of_another_room_is_not_found(app, world, formal, u):
    here, there = formal(), formal()
    motion = _debated_motion(there, u)
    response, _ = post(app, world, CHAIR, here, "call-vote", motion_id=motion.id)
    assert response.status_code == 404
    db.session.refresh(motion)
    assert motion.state == MotionState.DEBATE


def test_the_posts_need_the_csrf_token(app, world, formal):
    consultation = formal()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response, _ = post(app, world, "resident", consultation, "raise-hand", stance="for")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert count(HandRaise, consultation_id=consultation.id) == 0


def test_the_room_page_offers_each_action_as_a_form(app, world, formal, u):
    consultation = formal()
    committed(services.raise_hand(viewer_of(u["owner"], consultation), consultation))
    chair = logged_in(app, u[CHAIR]).get(f"/consultations/{consultation.id}").get_data(as_text=True)
    resident = logged_in(app, u["resident"]).get(f"/consultations/{consultation.id}").get_data(as_text=True)
    base = f"/consultations/{consultation.id}/room/"
    assert f'action="{base}grant-floor"' in chair and f'name="user_id" value="{u["owner"].id}"' in chair
    assert f'action="{base}raise-hand"' in resident and f'action="{base}move"' in resident
    assert f'action="{base}lower-hand"' in resident  # there, hidden until the hand is up


def test_a_refused_motion_comes_back_in_the_form_to_correct(app, world, formal, u):
    consultation = formal()
    committed(
        services.move(viewer_of(u["resident"], consultation), consultation, client_id="first", text="先提出的动议")
    )
    client = logged_in(app, u["owner"])
    response = client.post(f"/consultations/{consultation.id}/room/move", data={"client_id": "m-2", "text": "我的动议"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Another motion is pending" in flashes(page)
    assert 'maxlength="500" required>我的动议</textarea>' in page
    # once: the next visit has an empty form
    again = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert 'maxlength="500" required></textarea>' in again
    assert count(Motion, consultation_id=consultation.id) == 1


# -- the parties decide, without the socket too (issue 16) -----------------------------------------------------


@pytest.fixture(scope="module")
def unit(world):
    from app.communities.models import Role
    from tests import factories

    user = factories.user(name="实验小学")
    factories.membership(user, world.community, Role.RESIDENT_UNIT)
    db.session.commit()
    return user


def officials(world, rules_templates, **rules):
    """An open consultation (简易规则) of 居委会 and 驻区单位 only, chaired by leader_a."""
    return make_consultation(world, rules_templates, key="simple", slow_mode_seconds=0, parties=OFFICIALS, **rules)


def as_http(app, world, key, unit):
    return logged_in(app, unit if key == UNIT else (None if key == ANONYMOUS else world.users[key]))


SPEAK_FORM = {"ok": 302, "not_found": 404, "login": 302}  # a rule's refusal: the room again, 403, saying why


@pytest.mark.parametrize(("key", "expected"), [*cases(table_with_anonymous(SPEAK_OFFICIALS)), (UNIT, "ok")])
def test_the_speaking_form_only_for_the_parties(key, expected, app, world, rules_templates, unit):
    consultation = officials(world, rules_templates)
    response = as_http(app, world, key, unit).post(
        f"/consultations/{consultation.id}/speak", data={"client_id": "h-1", "body": "不用脚本也能发言"}
    )
    assert response.status_code == SPEAK_FORM.get(expected, 403), (key, response.status_code)
    assert count(Speech, consultation_id=consultation.id) == (expected == "ok")
    if expected == "not_a_party":
        assert "Only the parties taking part in this consultation (" in response.get_data(as_text=True)


@pytest.mark.parametrize(("key", "expected"), [*cases(table_with_anonymous(DECIDE_OFFICIALS)), (UNIT, "ok")])
def test_the_move_form_only_for_the_parties(key, expected, app, world, rules_templates, unit):
    consultation = officials(world, rules_templates, non_party_may_speak=True)
    client = as_http(app, world, key, unit)
    response = client.post(
        f"/consultations/{consultation.id}/room/move", data={"client_id": "m-1", "text": "在北侧空地建充电棚"}
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True) if response.status_code == 303 else ""
    check(response, page, key, expected, "Your motion was proposed.")
    assert count(Motion, consultation_id=consultation.id) == (expected == "ok")
    if expected == "not_a_party_vote":
        assert "Residents who are not a listed party may speak here, but only the parties (" in flashes(page)


@pytest.mark.parametrize(("key", "expected"), [*cases(table_with_anonymous(DECIDE_OFFICIALS)), (UNIT, "ok")])
def test_the_vote_form_only_for_the_parties(key, expected, app, world, rules_templates, unit, u):
    consultation = officials(world, rules_templates, non_party_may_speak=True)
    motion = committed(services.move(viewer_of(u["staff"], consultation), consultation, client_id="m-1", text="建棚"))
    seconded = services.second(viewer_of(unit, motion), motion)
    motion = committed(services.call_vote(viewer_of(u[CHAIR], consultation), seconded))
    client = as_http(app, world, key, unit)
    response = client.post(
        f"/consultations/{consultation.id}/room/vote", data={"motion_id": motion.id, "choice": "for", "confirmed": "1"}
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True) if response.status_code == 303 else ""
    check(response, page, key, expected, "You have voted. Receipt code:")
    assert count(Ballot, poll_type="motion", poll_id=motion.id) == (expected == "ok")
    if expected in ("not_a_party_vote", "not_a_party"):
        # the room says why beside the motion, and offers no vote buttons
        assert f'data-choice="for" data-motion-id="{motion.id}"' not in page


def test_the_room_says_why_a_non_party_resident_may_speak_but_not_decide(app, world, rules_templates):
    consultation = officials(world, rules_templates, non_party_may_speak=True)
    page = logged_in(app, world.users["resident"]).get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert 'id="speak-form"' in page  # may speak
    assert f'action="/consultations/{consultation.id}/room/move"' not in page  # may not move
    assert "Residents who are not a listed party may speak here, but only the parties (" in page
    reader = logged_in(app, world.users["property_manager"]).get(f"/consultations/{consultation.id}")
    text = reader.get_data(as_text=True)
    assert 'id="speak-form"' not in text
    assert "Only the parties taking part in this consultation (" in text


# -- the rules' refusals say their cause without the socket too (issue 16) ---------------------------------------


def test_a_hand_for_a_side_before_any_motion_is_refused_saying_why(app, world, formal):
    consultation = formal()  # 南塘: no debate without a motion
    response, page = post(app, world, "resident", consultation, "raise-hand", stance="for")
    assert response.status_code == 303
    assert "No motion is pending, and there is no debate without a motion" in flashes(page)
    assert count(HandRaise, consultation_id=consultation.id) == 0


def test_the_chair_cannot_give_the_floor_to_a_member_at_the_limit(app, world, formal, u):
    consultation = formal()
    motion = _debated_motion(consultation, u)
    for n in range(2):  # 南塘: two speeches per member per motion
        committed(services.grant_floor(viewer_of(u[CHAIR], consultation), consultation, u["group_leader"].id))
        committed(
            services.speak(
                viewer_of(u["group_leader"], consultation),
                consultation,
                client_id=f"g-{n}",
                body="反对",
                stance="against",
            )
        )
    response, page = post(app, world, CHAIR, consultation, "grant-floor", user_id=u["group_leader"].id)
    assert response.status_code == 303
    assert (
        "group_leader has spoken 2 times on this motion, the most the rules allow: the floor cannot be given to them."
        in flashes(page)
    )
    db.session.refresh(consultation)
    assert consultation.floor_holder_id is None and motion.state == MotionState.DEBATE


def test_the_room_says_how_many_may_vote_and_have_voted_while_the_vote_is_open(app, world, formal, u):
    """ "应到 N 人，已投 M 人": the people in the room who may vote, and how many have, never how."""
    consultation = formal()
    debated = _debated_motion(consultation, u)
    motion = committed(services.call_vote(viewer_of(u[CHAIR], debated), debated))
    committed(services.vote(viewer_of(u["owner"], motion), motion, "for"))
    page = logged_in(app, u["resident"]).get(f"/consultations/{consultation.id}").get_data(as_text=True)
    eligible = services.eligible_voters(consultation)
    assert eligible >= 2  # the owner voted, the resident came in: both may vote
    assert f"Eligible: {eligible} people; voted: 1" in page
    assert f"应到 {eligible} 人，已投 1 人" in _in_chinese(app, u["resident"], f"/consultations/{consultation.id}")


def test_the_room_explains_its_procedural_words(app, world, formal, u):
    consultation = formal()
    html = lxml.html.fromstring(_in_chinese(app, u["resident"], f"/consultations/{consultation.id}"))
    terms = html.xpath("//ul[@class='terms']/li")
    assert [t.xpath("string(.//span[@class='term'])") for t in terms] == ["动议", "附议", "宣布表决", "法定人数"]
    assert all(t.xpath(".//details[@class='explain']//*[@class='explain-text']/text()") for t in terms)


def _in_chinese(app, user, url) -> str:
    """The page as `user` reads it with their language set to Chinese (the world's users read English)."""
    before, user.locale = user.locale, "zh_CN"
    db.session.commit()
    try:
        return logged_in(app, user).get(url).get_data(as_text=True)
    finally:
        user.locale = before
        db.session.commit()


def test_a_long_history_folds_away_above_the_last_ten_speeches(app, world, formal, u):
    """The live part stays near the top: speeches 1–5 behind "5 earlier speeches", 6–15 open, newest last."""
    from app.consultations.models import Speech
    from app.consultations.routes import RECENT_SPEECHES

    consultation = formal()
    for n in range(1, RECENT_SPEECHES + 6):
        db.session.add(
            Speech(consultation_id=consultation.id, author_id=u["owner"].id, client_id=f"h-{n}", body=f"第{n}条发言")
        )
    db.session.commit()
    html = lxml.html.fromstring(
        logged_in(app, u["resident"]).get(f"/consultations/{consultation.id}").get_data(as_text=True)
    )
    older = html.xpath("//details[@class='older-messages']")
    assert len(older) == 1 and older[0].get("open") is None
    assert older[0].xpath("string(summary)").strip() == "5 earlier speeches"
    body = lambda items: [" ".join(li.xpath(".//div[contains(@class, 'msg-body')]//text()")).strip() for li in items]  # noqa: E731
    assert body(html.xpath("//ol[@id='messages-older']/li")) == [f"第{n}条发言" for n in range(1, 6)]
    assert body(html.xpath("//ol[@id='messages']/li")) == [f"第{n}条发言" for n in range(6, 16)]
