"""Attachments over HTTP, on each owner kind: who may attach, see, download and remove (allowed and
denied per role), the download's headers, bad files refused with nothing stored, idempotent uploads, the
count limit and removed files kept but hidden."""

from __future__ import annotations

import io
import uuid
from urllib.parse import quote

import lxml.html
import pytest
from sqlalchemy import func, select

from app.contests import services as contest_services
from app.contests.models import Phase
from app.documents.models import Attachment
from app.extensions import db
from tests.consultations.conftest import make_consultation, rules_templates  # noqa: F401  (fixture)
from tests.contests import make_contest, make_entry, viewer
from tests.decisions.conftest import opened
from tests.documents import samples
from tests.microprojects.test_routes import S, advance, apply, as_

STRANGERS = ["other_resident", "other_staff", "outsider"]


def stored() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Attachment))


def files_under(app) -> list:
    from pathlib import Path

    root = Path(app.config["UPLOAD_DIR"])
    return sorted(p for p in root.rglob("documents/*") if p.is_file()) if root.exists() else []


def upload(http, kind, owner_id, data, name="报价单.pdf", client_id=None):
    return http.post(
        f"/attachments/{kind}/{owner_id}",
        data={"client_id": client_id or uuid.uuid4().hex, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def status(http, url) -> int:
    """GET and close (a download is a file left open until its response is closed)."""
    response = http.get(url)
    response.close()
    return response.status_code


def text(response) -> str:
    return " ".join(lxml.html.fromstring(response.get_data(as_text=True)).text_content().split())


# -- the owners: one object of each registered kind --------------------------------------------------------


def _decision(world, rules):
    return "decision", opened(world)


def _consultation(world, rules):
    return "consultation", make_consultation(world, rules)  # open, convened by staff, chaired by leader_a


def _project(world, rules):
    return "project", advance(world, apply(world), S.SUBMITTED)  # resident's application, submitted


def _entry(world, rules):
    return "entry", make_entry(world, make_contest(world), "resident")  # submission phase


def _notice(world, rules):
    from app.notices import services as notice_services

    notice = notice_services.post(
        viewer(world.users["property_manager"], world.community), client_id=uuid.uuid4().hex,
        title="本周六停水", body="因管道检修，本周六 8:00–12:00 停水。",
    )  # fmt: skip
    db.session.commit()
    return "notice", notice  # to the whole community, by the property manager


# who may attach (303), who sees but may not (403), who may not see it (404)
MATRIX = {
    _decision: (["owners_committee", "staff"], ["owner", "resident", "property_manager", "street_staff"]),
    _consultation: (["staff", "leader_a"], ["resident", "owner", "property_manager", "street_staff"]),
    _project: (["resident", "staff"], ["owner", "social_org", "street_staff"]),
    _entry: (["resident", "staff"], ["owner", "expert", "street_staff"]),
    _notice: (["property_manager", "staff"], ["resident", "owner", "owners_committee", "leader_a", "street_staff"]),
}
CASES = [(make, key, 303) for make, (yes, _no) in MATRIX.items() for key in yes]
CASES += [(make, key, 403) for make, (_yes, no) in MATRIX.items() for key in no]
CASES += [(make, key, 404) for make in MATRIX for key in STRANGERS]


@pytest.mark.parametrize(("make", "key", "status"), CASES, ids=lambda v: getattr(v, "__name__", str(v)))
def test_attach_per_owner_kind_and_role(app, world, rules_templates, make, key, status):  # noqa: F811
    kind, owner = make(world, rules_templates)
    response = upload(as_(app, world, key), kind, owner.id, samples.pdf())
    assert response.status_code == status
    assert stored() == (1 if status == 303 else 0)
    assert len(files_under(app)) == (1 if status == 303 else 0)
    if status == 303:
        page = as_(app, world, key).get(response.headers["Location"])
        assert "报价单.pdf" in text(page) and "Attached files" in text(page)


@pytest.mark.parametrize("make", list(MATRIX), ids=lambda m: m.__name__)
def test_download_and_page_per_role(app, world, rules_templates, make):  # noqa: F811
    kind, owner = make(world, rules_templates)
    yes, no = MATRIX[make]
    assert upload(as_(app, world, yes[0]), kind, owner.id, samples.pdf()).status_code == 303
    attachment = db.session.scalar(select(Attachment))
    for key in yes + no:
        assert status(as_(app, world, key), f"/attachments/{attachment.id}") == 200, key
        assert status(as_(app, world, key), f"/attachments/{kind}/{owner.id}") == 200, key
    for key in STRANGERS:
        assert status(as_(app, world, key), f"/attachments/{attachment.id}") == 404, key
        assert status(as_(app, world, key), f"/attachments/{kind}/{owner.id}") == 404, key
    anonymous = as_(app, world, None).get(f"/attachments/{attachment.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_draft_decision_s_files_are_the_counters_only(app, world):
    from tests.decisions.conftest import draft

    decision = draft(world)
    assert upload(as_(app, world, "staff"), "decision", decision.id, samples.pdf()).status_code == 303
    attachment = db.session.scalar(select(Attachment))
    assert status(as_(app, world, "owners_committee"), f"/attachments/{attachment.id}") == 200
    assert status(as_(app, world, "owner"), f"/attachments/{attachment.id}") == 404


def test_the_entry_s_author_attaches_only_while_entries_are_taken(app, world):
    contest = make_contest(world)
    entry = make_entry(world, contest, "resident")
    db.session.commit()
    contest_services.advance(viewer(world.users["staff"], contest), contest, Phase.SCREENING)
    db.session.commit()
    assert upload(as_(app, world, "resident"), "entry", entry.id, samples.pdf()).status_code == 403
    assert upload(as_(app, world, "staff"), "entry", entry.id, samples.pdf()).status_code == 303


def test_the_download_is_a_sandboxed_attachment_with_its_utf8_name(app, world):
    decision = opened(world)
    pdf = samples.pdf()  # made once: Pillow writes the time into each PDF it makes
    upload(as_(app, world, "staff"), "decision", decision.id, pdf, name="../../电梯 报价\x01单.PDF")
    attachment = db.session.scalar(select(Attachment))
    assert attachment.file_name == "电梯 报价_单.pdf"
    response = as_(app, world, "owner").get(f"/attachments/{attachment.id}")
    body = response.get_data()
    response.close()
    assert body == pdf
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('电梯 报价_单.pdf', safe='')}" in disposition
    assert "private" in response.headers["Cache-Control"]
    # a PDF has no inline preview; a photo has one, with the same sandbox
    assert status(as_(app, world, "owner"), f"/attachments/{attachment.id}/preview") == 404
    upload(as_(app, world, "staff"), "decision", decision.id, samples.png(), name="现场.png")
    photo = db.session.scalar(select(Attachment).where(Attachment.content_type == "image/png"))
    preview = as_(app, world, "owner").get(f"/attachments/{photo.id}/preview")
    preview.close()
    assert preview.status_code == 200 and preview.headers["Content-Disposition"].startswith("inline;")
    assert preview.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    page = as_(app, world, "owner").get(f"/decisions/{decision.id}").get_data(as_text=True)
    assert f'<img class="attachment-thumb" src="/attachments/{photo.id}/preview"' in page


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (samples.exe(), "报价单.pdf", "not a document we accept"),
        (samples.html(), "报告.docx", "not a document we accept"),
        (samples.plain_zip(), "表格.xlsx", "not a document we accept"),
        (b"", "空.pdf", "Choose a file to attach"),
    ],
)
def test_a_disguised_or_empty_file_is_refused_and_nothing_is_stored(app, world, data, name, message):
    decision = opened(world)
    response = upload(as_(app, world, "staff"), "decision", decision.id, data, name=name)
    assert response.status_code == 400
    assert message in text(response)
    assert stored() == 0 and files_under(app) == []


def test_an_oversized_file_is_refused_in_chinese_and_nothing_is_stored(app, world):
    app.config["ATTACHMENT_MAX_BYTES"] = 100_000
    decision = opened(world)
    world.users["staff"].locale = "zh_CN"
    db.session.commit()
    response = upload(as_(app, world, "staff"), "decision", decision.id, samples.pdf() + b"\x00" * 200_000)
    assert response.status_code == 400
    assert "文件太大" in text(response), text(response)
    assert stored() == 0 and files_under(app) == []


def test_a_retried_upload_is_stored_once(app, world):
    decision = opened(world)
    http = as_(app, world, "staff")
    first = upload(http, "decision", decision.id, samples.pdf(), client_id="same-tap")
    again = upload(http, "decision", decision.id, samples.pdf(), client_id="same-tap")
    assert first.status_code == again.status_code == 303
    assert stored() == 1 and len(files_under(app)) == 1


def test_no_more_than_the_limit_per_object(app, world):
    app.config["ATTACHMENT_MAX_COUNT"] = 2
    decision = opened(world)
    http = as_(app, world, "staff")
    assert [upload(http, "decision", decision.id, samples.pdf()).status_code for _ in range(3)] == [303, 303, 409]
    assert stored() == 2 and len(files_under(app)) == 2


def test_a_use_case_refused_after_the_file_was_written_leaves_no_file(app, world, monkeypatch):
    from app.core import audit
    from app.core.errors import DomainError

    decision = opened(world)

    def refuse(*args, **kwargs):
        raise DomainError("refused", "refused late", status=409)

    monkeypatch.setattr(audit, "record", refuse)  # after the row and the file, before the commit
    response = upload(as_(app, world, "staff"), "decision", decision.id, samples.pdf())
    assert response.status_code == 409
    assert stored() == 0 and files_under(app) == []


def test_removed_files_are_kept_but_hidden_except_from_staff(app, world):
    decision = opened(world)
    upload(as_(app, world, "owners_committee"), "decision", decision.id, samples.pdf(), name="旧报价.pdf")
    attachment = db.session.scalar(select(Attachment))
    url = f"/attachments/{attachment.id}/remove"
    field = f"remove-{attachment.id}-reason"
    assert as_(app, world, "owner").post(url, data={field: "不需要了"}).status_code == 403
    assert as_(app, world, "other_staff").post(url, data={field: "不需要了"}).status_code == 404
    refused = as_(app, world, "owners_committee").post(url, data={field: ""})
    assert refused.status_code == 400 and "Say why the file is removed" in text(refused)
    assert as_(app, world, "owners_committee").post(url, data={field: "报价已过期"}).status_code == 303
    db.session.expire_all()
    assert attachment.removed and attachment.removal_reason == "报价已过期" and len(files_under(app)) == 1
    owner_page = as_(app, world, "owner").get(f"/decisions/{decision.id}")
    assert "旧报价.pdf" not in text(owner_page)
    assert status(as_(app, world, "owner"), f"/attachments/{attachment.id}") == 404
    staff_page = text(as_(app, world, "staff").get(f"/decisions/{decision.id}"))
    assert "旧报价.pdf" in staff_page and "报价已过期" in staff_page
    assert status(as_(app, world, "staff"), f"/attachments/{attachment.id}") == 200


def test_unknown_kinds_and_ids_are_not_found(app, world):
    http = as_(app, world, "staff")
    assert http.get("/attachments/nothing/1").status_code == 404
    assert upload(http, "nothing", 1, samples.pdf()).status_code == 404
    assert http.get("/attachments/decision/99999").status_code == 404
    assert status(http, "/attachments/99999") == 404
    assert stored() == 0


def test_the_form_on_the_owner_s_page_works_without_javascript(app, world):
    decision = opened(world)
    page = lxml.html.fromstring(as_(app, world, "staff").get(f"/decisions/{decision.id}").get_data(as_text=True))
    form = page.xpath("//form[@enctype='multipart/form-data']")[0]
    assert form.get("action") == f"/attachments/decision/{decision.id}"
    assert {i.get("name") for i in form.xpath(".//input")} >= {"csrf_token", "client_id", "file"}
    owner_page = lxml.html.fromstring(as_(app, world, "owner").get(f"/decisions/{decision.id}").get_data(as_text=True))
    assert owner_page.xpath("//form[@enctype='multipart/form-data']") == []
