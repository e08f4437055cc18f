"""The 公示 notice and its exports, objections during 公示, and a published result that never changes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.contests import services
from app.contests.models import Phase
from app.core.errors import DomainError, Forbidden
from app.extensions import db
from app.voting import services as voting
from app.voting.models import Ballot
from tests.contests import contest_in, logged_in, second_staff, viewer
from tests.ideas import page, text_of

VOTES = [("resident", [0, 1]), ("owner", [1]), ("leader_b", [1, 2]), ("resident_rep", [0])]


def test_the_notice(app, world):
    contest, _entries = contest_in(world, Phase.ANNOUNCED, votes=VOTES, winners=2)
    poll = services.poll_of(contest)
    response = logged_in(app, world.users["resident"]).get(f"/contests/{contest.id}/results")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    doc = page(response)
    assert doc.xpath("//svg[@class='result-chart-svg']")
    rows = [
        [c.text_content().strip() for c in tr.xpath("td")]
        for tr in doc.xpath("//table[contains(@class,'result-table')]/tbody/tr")
    ]
    assert [(r[0], r[3]) for r in rows] == [("1", "3"), ("2", "2"), ("3", "1")]
    assert "winner" in rows[0][1] and "winner" in rows[1][1] and "winner" not in rows[2][1]
    # per building: 1栋 resident (a101) and owner (a102); 2栋 leader_b and resident_rep (b101)
    buildings = {
        tr.xpath("th")[0].text_content().strip(): [td.text_content() for td in tr.xpath("td")]
        for tr in doc.xpath("//table[contains(@class,'building-table')]/tbody/tr")
    }
    assert buildings == {"1栋": ["2", "1", "0"], "2栋": ["1", "1", "1"]}  # columns in rank order
    assert poll.opened_head in html and poll.closed_head in html
    assert f"flask yishi verify-count {poll.id}" in html
    assert "Counter (计票人)" in html and "二号工作人员" in html and world.users["staff"].name in html
    assert "/receipts" in html
    assert "Objections may be raised until" in text_of(doc, "//header")
    # printable: the notice's stylesheet hides the site's chrome on paper
    with app.test_request_context():
        from flask import url_for

        stylesheet = url_for("static", filename="css/contests.css")  # fingerprinted
    assert f'href="{stylesheet}"' in html
    assert "@media print" in (Path(app.static_folder) / "css" / "contests.css").read_text()


def test_exports(app, world):
    contest, entries = contest_in(world, Phase.ANNOUNCED, votes=VOTES)
    client = logged_in(app, world.users["owner"])
    response = client.get(f"/contests/{contest.id}/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["Rank", "Entry no.", "Entry", "Entered by", "Budget (fen)", "Votes", "Winner"]
    assert [(r[1], r[5]) for r in rows[1:]] == [
        (str(entries[1].id), "3"),
        (str(entries[0].id), "2"),
        (str(entries[2].id), "1"),
    ]
    response = client.get(f"/contests/{contest.id}/results.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Entries", "By building"]
    values = list(book["Entries"].iter_rows(values_only=True))
    assert values[1][1:6] == (entries[1].id, entries[1].title, "Entered by a resident", entries[1].budget_fen, 3)
    by_building = list(book["By building"].iter_rows(values_only=True))
    assert by_building[1] == ("1栋", 2, 1, 0)


def test_objections_during_announcement(app, world):
    contest, _ = contest_in(world, Phase.ANNOUNCED, votes=VOTES)
    objection = services.object_to(
        viewer(world.users["owner"], contest), contest, client_id="o1", body="2栋的票数似乎有误，请核查。"
    )
    assert (
        services.object_to(viewer(world.users["owner"], contest), contest, client_id="o1", body="重复提交的异议。").id
        == objection.id
    )
    with pytest.raises(DomainError) as short:
        services.object_to(viewer(world.users["owner"], contest), contest, client_id="o2", body="短")
    assert short.value.field == "body"
    with pytest.raises(Forbidden):
        services.answer_objection(viewer(world.users["expert"], contest), contest, objection, "已核查")
    services.answer_objection(viewer(world.users["staff"], contest), contest, objection, "已核查，计票无误。")
    html = logged_in(app, world.users["resident"]).get(f"/contests/{contest.id}/results").get_data(as_text=True)
    assert "2栋的票数似乎有误" in html and "已核查，计票无误。" in html
    # after 公示, no more objections; the answered ones stay on the notice
    services.sync(contest, now=contest.announced_ends)
    assert contest.phase == Phase.CLOSED
    with pytest.raises(DomainError) as late:
        services.object_to(viewer(world.users["owner"], contest), contest, client_id="o3", body="公示期结束后的异议。")
    assert late.value.code == "wrong_phase"
    assert "2栋的票数似乎有误" in logged_in(app, world.users["resident"]).get(
        f"/contests/{contest.id}/results"
    ).get_data(as_text=True)


def test_objections_only_during_announcement(world):
    contest, _ = contest_in(world, Phase.COUNTING, votes=VOTES)
    with pytest.raises(DomainError) as early:
        services.object_to(
            viewer(world.users["owner"], contest), contest, client_id="o1", body="还没公示就提出的异议。"
        )
    assert early.value.code == "wrong_phase"


def test_a_published_result_never_changes(app, world):
    contest, entries = contest_in(world, Phase.ANNOUNCED, votes=VOTES)
    before = logged_in(app, world.users["resident"]).get(f"/contests/{contest.id}/results.csv").get_data()
    poll = services.poll_of(contest)
    # someone edits a stored ballot behind the app's back
    ballot = db.session.scalars(
        select(Ballot).where(Ballot.poll_type == "contest", Ballot.poll_id == contest.id)
    ).first()
    ballot.choice = str(entries[2].id)
    db.session.commit()
    after = logged_in(app, world.users["resident"]).get(f"/contests/{contest.id}/results.csv").get_data()
    assert after == before  # the notice shows the certified count
    check = voting.verify(poll)
    assert not check.ok  # and verification shows the tampering
    assert any("hash does not match" in p for p in check.problems)
    # a published count cannot be signed again
    with pytest.raises(DomainError):
        voting.certify(poll, second_staff(world).id, "counter")


def test_certifying_needs_two_different_people_over_http(app, world):
    contest, _ = contest_in(world, Phase.COUNTING, votes=VOTES)
    staff = logged_in(app, world.users["staff"])
    assert staff.post(f"/contests/{contest.id}/certify", data={"role": "counter"}).status_code == 302
    twice = staff.post(f"/contests/{contest.id}/certify", data={"role": "scrutineer"})
    assert twice.status_code == 409
    assert "a second person must sign" in twice.get_data(as_text=True)
    bad = staff.post(f"/contests/{contest.id}/certify", data={"role": "king"})
    assert bad.status_code == 400
    db.session.expire_all()
    assert contest.phase == Phase.COUNTING
    other = logged_in(app, second_staff(world))
    response = other.post(f"/contests/{contest.id}/certify", data={"role": "scrutineer"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/contests/{contest.id}/results")
    db.session.expire_all()
    assert contest.phase == Phase.ANNOUNCED


def test_the_counting_page_shows_the_heads(app, world):
    contest, _ = contest_in(world, Phase.VOTING, votes=VOTES)
    staff = logged_in(app, world.users["staff"])
    poll = services.poll_of(contest)
    html = staff.get(f"/contests/{contest.id}/count").get_data(as_text=True)
    assert poll.opened_head in html and "Voting is still open." in html
    services.advance(viewer(world.users["staff"], contest), contest, "counting")
    db.session.refresh(poll)
    html = staff.get(f"/contests/{contest.id}/count").get_data(as_text=True)
    assert poll.closed_head in html and "The chain and the count verify." in html


def test_a_voter_finds_the_ballot_counted_on_the_receipts_page(app, world):
    contest, entries = contest_in(world, Phase.VOTING, votes=VOTES)
    code = services.my_receipt(viewer(world.users["resident"], contest), contest)
    client = logged_in(app, world.users["resident"])
    recorded = client.get("/receipts", query_string={"code": code.lower()}).get_data(as_text=True)
    assert contest.title in recorded and "Recorded: voting is still open" in recorded
    services.advance(viewer(world.users["staff"], contest), contest, "counting")
    services.certify(viewer(world.users["staff"], contest), contest, "counter")
    services.certify(viewer(second_staff(world), contest), contest, "scrutineer")
    counted = client.get("/receipts", query_string={"code": code}).get_data(as_text=True)
    assert "Counted: your ballot is in the published result." in counted
    assert "This was a secret ballot" in counted
    # the secret choice is not shown
    assert entries[0].title not in counted
    mine = client.get("/receipts/mine").get_data(as_text=True)
    assert code in mine and contest.title in mine
