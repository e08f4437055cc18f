"""The consultation pages (app/consultations/routes.py), allowed and denied for every member key of
the world (and an anonymous visitor); the no-JavaScript speaking form under the same rules as the
live room; phase transitions; the minutes page and its Word file.

The module runs on one world (conftest `shared_world`); each case makes its own consultation.
"""

from __future__ import annotations

import io
import uuid

import docx
import pytest

from app.consultations import services
from app.consultations.models import Consultation, Phase, Speech
from app.extensions import db
from app.moderation.models import ModerationAction
from app.procedure.shipped import ensure_shipped
from tests.consultations.conftest import (
    WORLD_KEYS,
    committed,
    count,
    events,
    inbox,
    logged_in,
    make_consultation,
    viewer_of,
)

ANONYMOUS = "anonymous"
KEYS = (*WORLD_KEYS, ANONYMOUS)
INVISIBLE = {"other_staff", "other_resident", "outsider"}
OVERSEERS = {"street_staff", "district_staff"}
PENDING = {"pending_a", "pending_b", "unverified"}
PARTICIPANTS = {
    "resident",
    "owner",
    "leader_a",
    "leader_b",
    "group_leader",
    "resident_rep",
    "property_manager",
    "owners_committee",
    "staff",
}
# verified, but no role of the pages' consultation's parties (居委会, 物业, 居民) is theirs
NON_PARTIES = {"social_org", "expert"}
MEMBERS = PARTICIPANTS | NON_PARTIES | PENDING
VISIBLE = MEMBERS | OVERSEERS
CONVENORS = {"staff", "leader_a", "leader_b", "group_leader", "resident_rep"}
# The pages' consultation is convened by the group leader and chaired by leader_a: the convenor,
# the chair and staff manage it.
CREATOR = "group_leader"
MANAGERS = {CREATOR, "leader_a", "staff"}
EDITABLE = 'name="max_speech_chars"'  # the rules form is on the page
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The parameters the rules form posts (PRODUCT.md "rules of procedure").
RULE_PARAMETERS = (
    "mode",
    "max_speech_chars",
    "max_speeches_per_motion",
    "floor_seconds",
    "slow_mode_seconds",
    "stance_required",
    "alternate_stances",
    "chair_neutral",
    "second_required",
    "quorum_num",
    "quorum_den",
    "pass_num",
    "pass_den",
    "pass_strict",
    "tie_fails",
    "auto_hide_reports",
    "motion_first",
    "non_party_may_speak",
)


def statuses(default: int, **by_status) -> dict[str, int]:
    """The status for every key (`s200=`, `s302=`, ... sets); anonymous visitors are sent to log in."""
    table = dict.fromkeys(KEYS, default)
    for name, keys in by_status.items():
        for key in keys:
            table[key] = int(name[1:])
    table[ANONYMOUS] = 302
    return table


def cases(table: dict[str, int]) -> list:
    return [pytest.param(key, table[key], id=key) for key in KEYS]


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
def browser(app, world):
    """browser('resident') -> an HTTP client logged in as that member (None key: anonymous)."""

    def make(key: str):
        return logged_in(app, None if key == ANONYMOUS else world.users[key])

    return make


@pytest.fixture
def room(world, rules_templates):
    def make(**kw):
        kw.setdefault("creator", CREATOR)
        return make_consultation(world, rules_templates, **kw)

    return make


def assert_status(response, key: str, expected: int) -> None:
    assert response.status_code == expected, (key, response.status_code, response.get_data(as_text=True)[:300])
    if key == ANONYMOUS:
        assert "/account/login" in response.headers["Location"]


def consultation_form(world, **changes) -> dict:
    rules = {r.key: r for r in ensure_shipped()}
    data = {
        "title": f"楼道堆物清理 {uuid.uuid4().hex[:6]}",
        "background": "楼道里堆了很多杂物，有消防隐患。",
        "building_id": world.building_a.id,
        "parties": ["residents_committee", "residents"],
        "chair_id": world.users["leader_a"].id,
        "rule_set_id": rules["nantang"].id,
    }
    data.update(changes)
    return data


def rules_form(consultation, **changes) -> dict:
    """The rules form as the page would post it (check boxes absent when off)."""
    rules = consultation.rule_set
    values = {name: getattr(rules, name) for name in RULE_PARAMETERS}
    values["mode"] = rules.mode.value
    values.update(changes)
    return {name: ("y" if value is True else str(value)) for name, value in values.items() if value is not False}


def page(response) -> str:
    return response.get_data(as_text=True)


# -- the matrix: each page for each key ------------------------------------------------------------------

INDEX = statuses(403, s200=VISIBLE)


@pytest.mark.parametrize(("key", "expected"), cases(INDEX))
def test_index(key, expected, browser, room, world):
    open_ = room()
    draft = room(phase=Phase.DRAFT)
    draft.title = f"草稿 {uuid.uuid4().hex[:6]}"
    open_.title = f"讨论中 {uuid.uuid4().hex[:6]}"
    db.session.commit()
    response = browser(key).get(f"/c/{world.community.slug}/consultations")
    assert_status(response, key, expected)
    if expected == 200:
        assert open_.title in page(response)
        # A draft is listed only to its convenor, its chair and staff.
        assert (draft.title in page(response)) == (key in MANAGERS)
        assert ("/consultations/new" in page(response)) == (key in CONVENORS)


NEW = statuses(403, s200=CONVENORS)


@pytest.mark.parametrize(("key", "expected"), cases(NEW))
def test_new_form(key, expected, browser, world):
    assert_status(browser(key).get(f"/c/{world.community.slug}/consultations/new"), key, expected)


# For 1栋: 2栋's building leader convenes only for 2栋 (told so beside the field, the form kept).
@pytest.mark.parametrize(("key", "expected"), cases(statuses(403, s302=CONVENORS - {"leader_b"}, s422={"leader_b"})))
def test_new_drafts_a_consultation(key, expected, browser, world, u):
    data = consultation_form(world)
    response = browser(key).post(f"/c/{world.community.slug}/consultations/new", data=data)
    assert_status(response, key, expected)
    if expected == 422:
        assert "A building leader convenes consultations only for the building they lead (2栋)." in page(response)
    made = db.session.scalar(db.select(Consultation).where(Consultation.title == data["title"]))
    if expected == 302 and key != ANONYMOUS:
        assert response.headers["Location"].endswith(f"/consultations/{made.id}")
        assert (made.phase, made.created_by_id, made.chair_id, made.building_id) == (
            Phase.DRAFT,
            u[key].id,
            u["leader_a"].id,
            world.building_a.id,
        )
        assert made.rule_set.key is None and made.rule_set.name == "南塘议事规则"  # its own copy
    else:
        assert made is None


EDIT = statuses(403, s200=MANAGERS, s404=INVISIBLE)


@pytest.mark.parametrize(("key", "expected"), cases(EDIT))
def test_edit_form(key, expected, browser, room):
    consultation = room()
    assert_status(browser(key).get(f"/consultations/{consultation.id}/edit"), key, expected)


@pytest.mark.parametrize(("key", "expected"), cases(statuses(403, s302=MANAGERS, s404=INVISIBLE)))
def test_edit_saves(key, expected, browser, room, world):
    consultation = room()
    data = consultation_form(world, title="改过的标题", building_id=0)
    response = browser(key).post(f"/consultations/{consultation.id}/edit", data=data)
    assert_status(response, key, expected)
    db.session.refresh(consultation)
    if expected == 302 and key != ANONYMOUS:
        assert (consultation.title, consultation.building_id) == ("改过的标题", None)
    else:
        assert consultation.title == "电动车充电桩安装位置"


ROOM = statuses(404, s200=VISIBLE)


@pytest.mark.parametrize(("key", "expected"), cases(ROOM))
def test_room(key, expected, browser, room):
    consultation = room()
    response = browser(key).get(f"/consultations/{consultation.id}")
    assert_status(response, key, expected)
    if expected == 200:
        assert consultation.title in page(response)


# Participants speak (open mode); the others who see the room are told why not (403).
SPEAK = statuses(403, s302=PARTICIPANTS, s404=INVISIBLE)
WHY_NOT = {
    **dict.fromkeys(NON_PARTIES, "Only the parties taking part in this consultation"),
    **dict.fromkeys(PENDING | OVERSEERS, "Only verified members of this community can take part"),
}


@pytest.mark.parametrize(("key", "expected"), cases(SPEAK))
def test_speak(key, expected, browser, room):
    consultation = room(key="simple", slow_mode_seconds=0)
    response = browser(key).post(
        f"/consultations/{consultation.id}/speak", data={"client_id": "h-1", "body": "不用脚本也能发言"}
    )
    assert_status(response, key, expected)
    stored = count(Speech, consultation_id=consultation.id)
    if expected == 302 and key != ANONYMOUS:
        assert response.headers["Location"].endswith(f"/consultations/{consultation.id}#latest")
        assert stored == 1
    else:
        assert stored == 0
    if expected == 403:
        assert WHY_NOT[key] in page(response)


PHASE = statuses(403, s302=MANAGERS, s404=INVISIBLE)


@pytest.mark.parametrize(("key", "expected"), cases(PHASE))
def test_phase(key, expected, browser, room):
    consultation = room()
    response = browser(key).post(f"/consultations/{consultation.id}/phase", data={"phase": "voting"})
    assert_status(response, key, expected)
    db.session.refresh(consultation)
    assert consultation.phase == (Phase.VOTING if expected == 302 and key != ANONYMOUS else Phase.OPEN)


RULES_PAGE = statuses(404, s200=VISIBLE)


@pytest.mark.parametrize(("key", "expected"), cases(RULES_PAGE))
def test_rules_page(key, expected, browser, room):
    consultation = room()
    response = browser(key).get(f"/consultations/{consultation.id}/rules")
    assert_status(response, key, expected)
    if expected == 200:
        assert "南塘议事规则" in page(response)
        assert (EDITABLE in page(response)) == (key in MANAGERS)


@pytest.mark.parametrize(("key", "expected"), cases(statuses(403, s302=MANAGERS, s404=INVISIBLE)))
def test_rules_change(key, expected, browser, room):
    consultation = room()
    response = browser(key).post(
        f"/consultations/{consultation.id}/rules", data=rules_form(consultation, max_speech_chars=300)
    )
    assert_status(response, key, expected)
    db.session.refresh(consultation.rule_set)
    changed = expected == 302 and key != ANONYMOUS
    assert consultation.rule_set.max_speech_chars == (300 if changed else 500)
    assert count(ModerationAction, room=consultation.room, action="rules") == changed


MINUTES = statuses(404, s200=VISIBLE)


@pytest.mark.parametrize(("key", "expected"), cases(MINUTES))
def test_minutes(key, expected, browser, room, u):
    consultation = room()
    committed(services.set_phase(viewer_of(u["staff"], consultation), consultation, Phase.CONCLUDED))
    response = browser(key).get(f"/consultations/{consultation.id}/minutes")
    assert_status(response, key, expected)
    if expected == 200:
        assert consultation.title in page(response)


@pytest.mark.parametrize(("key", "expected"), cases(MINUTES))
def test_minutes_docx(key, expected, browser, room, u):
    consultation = room()
    committed(services.set_phase(viewer_of(u["staff"], consultation), consultation, Phase.CONCLUDED))
    response = browser(key).get(f"/consultations/{consultation.id}/minutes.docx")
    assert_status(response, key, expected)
    if expected == 200:
        assert response.mimetype == DOCX


@pytest.mark.parametrize(("key", "expected"), cases(statuses(409, s404=INVISIBLE)))
def test_minutes_only_after_the_conclusion(key, expected, browser, room):
    consultation = room()
    client = browser(key)
    assert_status(client.get(f"/consultations/{consultation.id}/minutes"), key, expected)
    assert_status(client.get(f"/consultations/{consultation.id}/minutes.docx"), key, expected)


# -- drafts and unknown ids -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "/edit", "/rules", "/minutes", "/minutes.docx"])
def test_a_draft_is_not_found_for_residents_and_unknown_ids_are_not_found(path, browser, room):
    draft = room(phase=Phase.DRAFT)
    assert browser("resident").get(f"/consultations/{draft.id}{path}").status_code == 404
    assert browser("street_staff").get(f"/consultations/{draft.id}{path}").status_code == 404
    assert browser("staff").get(f"/consultations/999999{path}").status_code == 404
    assert browser("leader_a").get(f"/consultations/{draft.id}{path}").status_code in (200, 409)


def test_an_unknown_community_is_not_found(browser):
    assert browser("staff").get("/c/no-such-place/consultations").status_code == 404


# -- drafting ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, None),
        ({"title": "题" * 101}, None),
        ({"chair_id": "resident"}, "The chair must be a verified convenor of this community."),
        ({"building_id": "other"}, "Choose a building of this community."),
        ({"parties": ["neighbours"]}, None),
        ({"rule_set_id": 999_999}, "Choose a rule set."),
    ],
    ids=["no-title", "long-title", "chair-not-convenor", "foreign-building", "unknown-party", "unknown-rules"],
)
def test_new_refuses_bad_input_and_stores_nothing(changes, message, browser, world, u):
    if changes.get("chair_id") == "resident":
        changes["chair_id"] = u["resident"].id
    if changes.get("building_id") == "other":
        from app.communities.models import Building

        changes["building_id"] = db.session.scalar(
            db.select(Building.id).where(Building.community_id == world.other.id)
        )
    before = count(Consultation)
    response = browser("staff").post(
        f"/c/{world.community.slug}/consultations/new", data=consultation_form(world, **changes)
    )
    assert response.status_code == 400
    if message:
        assert message in page(response)
    assert count(Consultation) == before


def test_a_concluded_consultation_cannot_be_edited(browser, room, world, u):
    consultation = room()
    committed(services.set_phase(viewer_of(u["staff"], consultation), consultation, Phase.CONCLUDED))
    response = browser("staff").post(f"/consultations/{consultation.id}/edit", data=consultation_form(world))
    assert response.status_code == 422
    assert "Not possible at this stage of the consultation (Concluded)." in page(response)
    db.session.refresh(consultation)
    assert consultation.title == "电动车充电桩安装位置"


# -- speaking without JavaScript ------------------------------------------------------------------------------


def test_an_over_long_speech_is_refused_with_the_rule_and_nothing_is_stored(browser, room):
    consultation = room(key="simple", slow_mode_seconds=0, max_speech_chars=20)
    response = browser("resident").post(
        f"/consultations/{consultation.id}/speak", data={"client_id": "h-1", "body": "长" * 21}
    )
    assert response.status_code == 422
    assert "A speech can be at most 20 characters; yours has 21." in page(response)
    assert count(Speech, consultation_id=consultation.id) == 0
    # What was written is kept in the form, so nothing is lost.
    assert "长" * 21 in page(response)


def test_a_speech_over_the_forms_limit_is_a_bad_request(browser, room):
    consultation = room(key="simple", slow_mode_seconds=0)
    response = browser("resident").post(
        f"/consultations/{consultation.id}/speak", data={"client_id": "h-1", "body": "长" * 5001}
    )
    assert response.status_code == 400
    assert count(Speech, consultation_id=consultation.id) == 0


def test_an_empty_speech_is_a_bad_request(browser, room):
    consultation = room(key="simple", slow_mode_seconds=0)
    response = browser("resident").post(
        f"/consultations/{consultation.id}/speak", data={"client_id": "h-1", "body": "  "}
    )
    assert response.status_code == 400
    assert "Write something to say." in page(response)
    assert count(Speech, consultation_id=consultation.id) == 0


def test_formal_mode_without_the_floor_shows_the_rule_and_stores_nothing(browser, room, u):
    consultation = room()
    response = browser("resident").post(
        f"/consultations/{consultation.id}/speak", data={"client_id": "h-1", "body": "我要发言", "stance": "for"}
    )
    assert response.status_code == 422
    assert "Raise your hand and wait for the chair to give you the floor." in page(response)
    assert count(Speech, consultation_id=consultation.id) == 0
    # With the floor, the same form speaks: no motion is pending, so (南塘 rule 2) a question, taking no side.
    committed(services.grant_floor(viewer_of(u["leader_a"], consultation), consultation, u["resident"].id))
    response = browser("resident").post(
        f"/consultations/{consultation.id}/speak", data={"client_id": "h-2", "body": "请问谁来维护？"}
    )
    assert response.status_code == 302
    speech = db.session.scalar(db.select(Speech).where(Speech.consultation_id == consultation.id))
    assert (speech.body, speech.stance) == ("请问谁来维护？", None)


def test_a_retried_post_stores_one_speech_and_the_room_hears_it_once(browser, room, members):
    consultation = room(key="simple", slow_mode_seconds=0)
    listener = members("owner")
    listener.emit("join", {"consultation_id": consultation.id}, namespace="/consultations", callback=True)
    listener.get_received("/consultations")
    client = browser("resident")
    for _attempt in range(2):
        response = client.post(
            f"/consultations/{consultation.id}/speak", data={"client_id": "same-1", "body": "只说一次"}
        )
        assert response.status_code == 302
    assert count(Speech, consultation_id=consultation.id) == 1
    (live,) = events(listener, "message")
    assert live["body_html"] == "只说一次" and live["client_id"] == "same-1"


def test_the_speech_appears_on_the_room_page(browser, room):
    consultation = room(key="simple", slow_mode_seconds=0)
    client = browser("resident")
    client.post(f"/consultations/{consultation.id}/speak", data={"client_id": "h-1", "body": "楼下的灯坏了"})
    assert "楼下的灯坏了" in page(client.get(f"/consultations/{consultation.id}"))


# -- phases -------------------------------------------------------------------------------------------------


def post_phase(client, consultation, phase: str):
    return client.post(f"/consultations/{consultation.id}/phase", data={"phase": phase})


def test_phases_move_forward_in_order(browser, room, members):
    consultation = room(phase=Phase.DRAFT)
    staff = browser("staff")
    refused = post_phase(staff, consultation, "voting")
    assert refused.status_code == 409
    db.session.refresh(consultation)
    assert consultation.phase == Phase.DRAFT
    assert post_phase(staff, consultation, "open").status_code == 302
    listener = members("resident")
    listener.emit("join", {"consultation_id": consultation.id}, namespace="/consultations", callback=True)
    listener.get_received("/consultations")
    for phase in ("voting", "open", "voting", "concluded", "archived"):
        assert post_phase(staff, consultation, phase).status_code == 302, phase
        db.session.refresh(consultation)
        assert consultation.phase == Phase(phase)
    assert [e["phase"] for e in inbox(listener)["phase_changed"]] == [
        "voting",
        "open",
        "voting",
        "concluded",
        "archived",
    ]
    assert consultation.opened_at is not None and consultation.concluded_at is not None


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Phase.DRAFT, "concluded"),
        (Phase.OPEN, "draft"),
        (Phase.VOTING, "draft"),
        (Phase.CONCLUDED, "open"),
        (Phase.CONCLUDED, "voting"),
        (Phase.ARCHIVED, "concluded"),
        (Phase.ARCHIVED, "open"),
    ],
)
def test_phase_transitions_out_of_order_are_refused(start, target, browser, room):
    consultation = room(phase=start)
    response = post_phase(browser("staff"), consultation, target)
    assert response.status_code == 409
    db.session.refresh(consultation)
    assert consultation.phase == start


def test_an_unknown_phase_is_a_bad_request(browser, room):
    consultation = room()
    assert post_phase(browser("staff"), consultation, "finished").status_code == 400
    assert browser("staff").post(f"/consultations/{consultation.id}/phase", data={}).status_code == 400
    db.session.refresh(consultation)
    assert consultation.phase == Phase.OPEN


# -- rules --------------------------------------------------------------------------------------------------


def test_a_rules_change_is_logged_and_announced(browser, room, members):
    consultation = room()
    listener = members("resident")
    listener.emit("join", {"consultation_id": consultation.id}, namespace="/consultations", callback=True)
    listener.get_received("/consultations")
    response = browser("leader_a").post(
        f"/consultations/{consultation.id}/rules",
        data=rules_form(consultation, mode="open", max_speech_chars=200, stance_required=False),
    )
    assert response.status_code == 302
    db.session.refresh(consultation.rule_set)
    rules = consultation.rule_set
    assert (rules.mode.value, rules.max_speech_chars, rules.stance_required) == ("open", 200, False)
    got = inbox(listener)
    assert got["rules_changed"][-1]["mode"] == "open" and got["rules_changed"][-1]["max_speech_chars"] == 200
    (told,) = got["moderation"]
    assert told["action"] == "rules" and "max_speech_chars=200" in told["reason"] and told["by"] == "leader_a"
    # The shipped template is untouched: the consultation runs on its own copy.
    assert ensure_shipped()[0].max_speech_chars == 500


@pytest.mark.parametrize(
    "changes",
    [{"max_speech_chars": 0}, {"max_speech_chars": 5001}, {"floor_seconds": 5}, {"quorum_num": 3, "quorum_den": 2}],
    ids=["chars-0", "chars-5001", "floor-5", "quorum-over-1"],
)
def test_rules_out_of_range_are_refused(changes, browser, room):
    consultation = room()
    response = browser("staff").post(
        f"/consultations/{consultation.id}/rules", data=rules_form(consultation, **changes)
    )
    assert response.status_code == 400
    db.session.refresh(consultation.rule_set)
    assert (consultation.rule_set.max_speech_chars, consultation.rule_set.floor_seconds) == (500, 120)
    assert count(ModerationAction, room=consultation.room) == 0


def test_rules_of_a_concluded_consultation_are_read_only(browser, room, u):
    consultation = room()
    committed(services.set_phase(viewer_of(u["staff"], consultation), consultation, Phase.CONCLUDED))
    client = browser("staff")
    assert EDITABLE not in page(client.get(f"/consultations/{consultation.id}/rules"))
    response = client.post(
        f"/consultations/{consultation.id}/rules", data=rules_form(consultation, max_speech_chars=300)
    )
    assert response.status_code == 422
    db.session.refresh(consultation.rule_set)
    assert consultation.rule_set.max_speech_chars == 500


# -- minutes --------------------------------------------------------------------------------------------------


def test_the_minutes_and_the_word_file(browser, room, u):
    consultation = room()
    motion = committed(
        services.move(viewer_of(u["owner"], consultation), consultation, client_id="m-1", text="在北侧空地建充电棚")
    )
    committed(
        services.call_vote(
            viewer_of(u["leader_a"], consultation), services.second(viewer_of(u["resident"], motion), motion)
        )
    )
    committed(services.vote(viewer_of(u["owner"], motion), motion, "for"))
    committed(services.set_phase(viewer_of(u["staff"], consultation), consultation, Phase.CONCLUDED))
    client = browser("resident")
    html = page(client.get(f"/consultations/{consultation.id}/minutes"))
    assert consultation.title in html and "在北侧空地建充电棚" in html
    response = client.get(f"/consultations/{consultation.id}/minutes.docx")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == DOCX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    document = docx.Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert consultation.title in text
    assert "在北侧空地建充电棚" in text


# -- the speaking form names the cause of a refusal (issue 16) ------------------------------------------------


def test_the_speaking_form_keeps_rule_2_and_says_so(browser, room, u):
    consultation = room()  # 南塘: no debate without a motion
    committed(services.grant_floor(viewer_of(u["leader_a"], consultation), consultation, u["resident"].id))
    response = browser("resident").post(
        f"/consultations/{consultation.id}/speak", data={"client_id": "h-1", "body": "我赞成", "stance": "for"}
    )
    assert response.status_code == 422
    assert "No motion is pending, and there is no debate without a motion" in page(response)
    assert count(Speech, consultation_id=consultation.id) == 0


def test_the_speaking_form_says_when_the_time_on_the_floor_is_up(browser, room, u):
    from datetime import timedelta

    from app.core.models import utcnow

    consultation = room()
    committed(services.grant_floor(viewer_of(u["leader_a"], consultation), consultation, u["resident"].id))
    consultation.floor_ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = browser("resident").post(
        f"/consultations/{consultation.id}/speak", data={"client_id": "h-1", "body": "请问费用谁出？"}
    )
    assert response.status_code == 422
    text = page(response)
    assert "Your 120 seconds on the floor are up. Raise your hand again to speak." in text
    assert "Raise your hand and wait for the chair" not in text
    assert count(Speech, consultation_id=consultation.id) == 0


# -- building leaders convene for their own building only (issue 16) ---------------------------------------------

OWN_BUILDING = "A building leader convenes consultations only for the building they lead"


@pytest.mark.parametrize(
    ("scope", "allowed", "refused"),
    [
        ("whole", {"staff", "group_leader", "resident_rep"}, {"leader_a", "leader_b"}),
        ("b", {"staff", "group_leader", "resident_rep", "leader_b"}, {"leader_a"}),
    ],
    ids=["whole-community", "building-2"],
)
@pytest.mark.parametrize("key", sorted(CONVENORS))
def test_convening_for_a_scope(key, scope, allowed, refused, browser, world):
    building = {"whole": 0, "b": world.building_b.id}[scope]
    data = consultation_form(world, building_id=building)
    response = browser(key).post(f"/c/{world.community.slug}/consultations/new", data=data)
    made = db.session.scalar(db.select(Consultation).where(Consultation.title == data["title"]))
    if key in allowed:
        assert response.status_code == 302 and made is not None
        assert made.building_id == (building or None)
    else:
        assert key in refused
        assert response.status_code == 422 and made is None
        text = page(response)
        assert OWN_BUILDING in text
        led = {"leader_a": "1栋", "leader_b": "2栋"}[key]
        assert f"({led})" in text


def test_a_building_leader_convenes_for_the_building_through_the_service_too(world, u):
    from app.core.errors import DomainError

    rules = {r.key: r for r in ensure_shipped()}
    with pytest.raises(DomainError) as refused:
        services.create_draft(
            viewer_of(u["leader_a"], world.community),
            title="2栋的事",
            background="",
            building_id=world.building_b.id,
            parties=["residents"],
            chair_id=u["leader_a"].id,
            rule_set_id=rules["nantang"].id,
        )
    assert (refused.value.code, refused.value.field) == ("not_your_building", "building_id")
    db.session.rollback()
    assert db.session.scalar(db.select(Consultation).where(Consultation.title == "2栋的事")) is None
    made = committed(
        services.create_draft(
            viewer_of(u["leader_a"], world.community),
            title="1栋的事",
            background="",
            building_id=world.building_a.id,
            parties=["residents"],
            chair_id=u["leader_a"].id,
            rule_set_id=rules["nantang"].id,
        )
    )
    assert made.building_id == world.building_a.id


@pytest.mark.parametrize(
    ("key", "to", "expected"),
    [
        ("leader_a", "a", 302),  # the scope kept: a plain edit
        ("leader_a", "b", 422),  # another building: refused, saying why
        ("leader_a", "whole", 422),
        ("staff", "b", 302),
        ("staff", "whole", 302),
    ],
)
def test_changing_the_scope_is_convening_anew(key, to, expected, browser, room, world):
    consultation = room(creator="leader_a", building=world.building_a, phase=Phase.DRAFT)
    building = {"a": world.building_a.id, "b": world.building_b.id, "whole": 0}[to]
    data = consultation_form(world, title="改过的标题", building_id=building)
    response = browser(key).post(f"/consultations/{consultation.id}/edit", data=data)
    assert response.status_code == expected, page(response)[:300]
    db.session.refresh(consultation)
    if expected == 302:
        assert (consultation.title, consultation.building_id) == ("改过的标题", building or None)
    else:
        assert OWN_BUILDING in page(response)
        assert (consultation.title, consultation.building_id) == ("电动车充电桩安装位置", world.building_a.id)


def test_a_consultation_needs_a_party(browser, world):
    data = consultation_form(world, parties=[])
    response = browser("staff").post(f"/c/{world.community.slug}/consultations/new", data=data)
    assert response.status_code == 400
    assert "Choose at least one party: the parties speak and vote." in page(response)
    assert db.session.scalar(db.select(Consultation).where(Consultation.title == data["title"])) is None


def test_the_rules_page_says_who_speaks_and_whether_motions_come_first(browser, room, u):
    consultation = room()
    text = page(browser("resident").get(f"/consultations/{consultation.id}/rules"))
    assert "No debate without a motion: while no motion is pending, speeches take no side." in text
    assert "Only the listed parties speak and vote; everyone else in the community can read along." in text
    response = browser("leader_a").post(
        f"/consultations/{consultation.id}/rules",
        data=rules_form(consultation, motion_first=False, non_party_may_speak=True),
    )
    assert response.status_code == 302
    db.session.refresh(consultation.rule_set)
    assert (consultation.rule_set.motion_first, consultation.rule_set.non_party_may_speak) == (False, True)
    text = page(browser("resident").get(f"/consultations/{consultation.id}/rules"))
    assert "No debate without a motion" not in text
    assert "Residents who are not a listed party may speak, but only the parties move, second and vote." in text
    (logged,) = db.session.scalars(
        db.select(ModerationAction).where(
            ModerationAction.room == consultation.room, ModerationAction.action == "rules"
        )
    )
    assert logged.reason == "motion_first=False, non_party_may_speak=True"
