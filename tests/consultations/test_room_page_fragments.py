"""The room page keeps each speech's rendered fragment per process (routes._speech_renderer) and reuses it
only where it would render the very same thing: the viewer's own speeches, what the viewer may do with a
speech (report, moderate), a speech hidden since, the language."""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import event

from app.consultations import services
from app.extensions import db
from tests.consultations.conftest import committed, logged_in, viewer_of
from tests.consultations.test_join_storm import _history


def _speeches(html: str) -> dict[str, str]:
    """Each speech's <li> in the page, by its id."""
    return dict(re.findall(r'<li id="m-(\d+)"(.*?)</li>', html, flags=re.S))


def _page(app, world, consultation, key: str, language: str = "en") -> dict[str, str]:
    answer = logged_in(app, world.users[key], language).get(f"/consultations/{consultation.id}")
    assert answer.status_code == 200, key
    return _speeches(answer.get_data(as_text=True))


def test_each_viewer_sees_their_own_speeches_and_their_own_tools_from_the_kept_fragments(app, open_mode, world):
    _history(open_mode, world.users["resident"], 3)
    _history(open_mode, world.users["owner"], 3, body="我同意。")
    kept = current_app.extensions.setdefault("yishi_speech_fragments", {})
    kept.clear()
    resident = _page(app, world, open_mode, "resident")
    assert len(resident) == 6 and len(kept) == 6
    assert _page(app, world, open_mode, "resident") == resident and len(kept) == 6  # all reused
    own = {i for i, li in resident.items() if "msg-own" in li}
    assert len(own) == 3 and all('data-action="report"' not in resident[i] for i in own)
    assert all('data-action="report"' in li for i, li in resident.items() if i not in own)
    # the owner: the other three are their own, each with no report button; nobody here may moderate
    owner = _page(app, world, open_mode, "owner")
    assert {i for i, li in owner.items() if "msg-own" in li} == set(resident) - own
    assert all('data-action="hide"' not in li for li in (*resident.values(), *owner.values()))
    # community staff moderate: hide, warn and mute on every speech; an unverified member reports nothing
    staff = _page(app, world, open_mode, "staff")
    assert all('data-action="hide"' in li and 'data-action="mute"' in li for li in staff.values())
    assert all("data-action" not in li for li in _page(app, world, open_mode, "unverified").values())
    # in Chinese: the Chinese words, not the English fragments kept before
    world.users["resident"].locale = "zh_CN"
    db.session.commit()
    chinese = _page(app, world, open_mode, "resident", "zh-CN")
    assert set(chinese) == set(resident)
    assert all(">Report<" not in li for li in chinese.values()) and any(">举报<" in li for li in chinese.values())


def test_a_speech_hidden_since_is_shown_hidden_at_once(app, open_mode, world):
    _history(open_mode, world.users["owner"], 2)
    before = _page(app, world, open_mode, "resident")
    first = min(before, key=int)
    speech = services.messages(open_mode)[0]
    committed(services.hide(viewer_of(world.users["staff"], open_mode), speech, "人身攻击"))
    after = _page(app, world, open_mode, "resident")
    assert "msg-hidden" in after[first] and "人身攻击" in after[first] and "msg-hidden" not in before[first]
    assert after[max(before, key=int)] == before[max(before, key=int)]


def test_the_page_is_rendered_from_what_it_read_before_noting_the_attendance(app, open_mode, world):
    """Noting the attendance commits; the page does not load the consultation, its rules, the membership or
    the user again after that commit."""
    _history(open_mode, world.users["owner"], 40)
    http = logged_in(app, world.users["resident"])
    assert http.get(f"/consultations/{open_mode.id}").status_code == 200
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert http.get(f"/consultations/{open_mode.id}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    after = statements[next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO attendances")) :]
    reloaded = [
        s for s in after for table in ("consultations", "communities", "rule_sets", "users") if f"FROM {table} " in s
    ]
    assert reloaded == [] and len(statements) <= 14, statements
