"""A consultation run in slow mode: its minutes (print page and DOCX) carry the threaded replies (a hidden one
as hidden by the moderator, with the reason, as a hidden speech is) and each slow proposal's result; a
consultation that never ran slow has no such section. Consultations reach this through their minutes'
registry (app/consultations/minutes_slow.py), filled by app/slow/minutes.py."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import pytest

from app.consultations import minutes_slow
from app.consultations import services as consultations
from app.consultations.models import MotionState, Phase
from app.core.models import utcnow
from app.extensions import db
from app.notifications import schedule
from app.slow import services
from tests.consultations.conftest import make_consultation
from tests.slow.conftest import NOT_SEE, SEE, http, put_proposal, viewer_of


def _as(world, key, consultation):
    return viewer_of(world.users[key], consultation)


@pytest.fixture
def concluded(world, slow):
    """A slow consultation with two threads (one answer edited, one reply hidden), a proposal carried and
    counted, then concluded."""
    c = slow()
    first = services.post(_as(world, "resident", c), c, client_id="r1", body="车棚建在2栋旁边比较好", stance="for")
    answer = services.post(_as(world, "owner", c), c, client_id="r2", body="会不会挡住一楼的光线？",
                           stance="question", parent_id=first.id)  # fmt: skip
    rude = services.post(_as(world, "group_leader", c), c, client_id="r3", body="不文明的话")
    db.session.commit()
    services.edit(_as(world, "owner", c), answer, "会不会挡住一楼住户的光线？")
    services.hide(_as(world, "staff", c), rude, "人身攻击")
    db.session.commit()
    motion = put_proposal(world, c, hours=2, text="在2栋旁建自行车棚")
    for key, choice in (("resident", "for"), ("owner", "for"), ("staff", "against")):
        services.state_position(_as(world, key, c), motion, choice=choice, reason="理由")
    db.session.commit()
    schedule.tick(utcnow() + timedelta(hours=3))
    db.session.refresh(motion)
    assert motion.state == MotionState.CARRIED
    consultations.set_phase(_as(world, "staff", c), c, Phase.CONCLUDED)
    db.session.commit()
    return c


def docx_text(blob: bytes) -> str:
    document = docx.Document(io.BytesIO(blob))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_record_numbers_threads_and_answers_and_gives_the_proposal_s_result(world, concluded):
    record = minutes_slow.gather(concluded, {})
    assert [(r.no, r.answer, r.hidden, r.edited) for r in record.replies] == [
        ("1", False, False, False),
        ("1.1", True, False, True),
        ("2", False, True, False),
    ]
    assert record.replies[2].body == "人身攻击"  # the reason, not the hidden words
    [proposal] = record.proposals
    assert (proposal.text, proposal.positions) == ("在2栋旁建自行车棚", 3)
    assert proposal.carried and proposal.counted
    assert (proposal.votes_for, proposal.votes_against, proposal.abstentions) == (2, 1, 0)


def test_the_print_page_shows_the_replies_and_the_result(app, world, concluded):
    page = http(app, world, "resident").get(f"/consultations/{concluded.id}/minutes")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Replies of the slow consultation" in text and "Proposals of the slow consultation" in text
    assert "车棚建在2栋旁边比较好" in text and "会不会挡住一楼住户的光线？" in text and "(edited)" in text
    assert "(Hidden by the moderator: 人身攻击)" in text and "不文明的话" not in text
    assert "在2栋旁建自行车棚" in text and "Carried" in text


def test_the_docx_has_the_replies_and_the_result_in_chinese(app, world, concluded):
    response = http(app, world, "resident").get(f"/consultations/{concluded.id}/minutes.docx")
    assert response.status_code == 200
    text = docx_text(response.data)
    assert "线上协商回复" in text and "线上协商提议" in text
    assert "车棚建在2栋旁边比较好" in text and "会不会挡住一楼住户的光线？" in text and "（已编辑）" in text
    assert "（已被主持人隐藏：人身攻击）" in text and "不文明的话" not in text
    assert "在2栋旁建自行车棚" in text
    assert text.index("1.1") > text.index("车棚建在2栋旁边比较好")  # the answer under its thread


@pytest.mark.parametrize("key", (*SEE[:3], "street_staff", "district_staff", *NOT_SEE))
def test_the_minutes_are_seen_as_the_consultation_is(app, world, concluded, key):
    response = http(app, world, key).get(f"/consultations/{concluded.id}/minutes.docx")
    assert response.status_code == (404 if key in NOT_SEE else 200)
    if response.status_code == 200:
        assert "线上协商回复" in docx_text(response.data)


def test_a_consultation_that_never_ran_slow_has_no_slow_section(app, world, rules_templates):
    c = make_consultation(world, rules_templates)
    consultations.set_phase(_as(world, "staff", c), c, Phase.CONCLUDED)
    db.session.commit()
    assert minutes_slow.gather(c, {}) is None
    text = docx_text(http(app, world, "resident").get(f"/consultations/{c.id}/minutes.docx").data)
    assert "线上协商回复" not in text and "线上协商提议" not in text
    page = http(app, world, "resident").get(f"/consultations/{c.id}/minutes").get_data(as_text=True)
    assert "Replies of the slow consultation" not in page
