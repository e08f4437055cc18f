"""Owners' decisions over HTTP: every route allowed and denied per role (owners' committee, staff, owner,
tenant resident, unverified, other community, visitor, property manager, street staff), bad input with a
clear message and nothing stored, masked personal data, the printable notice and the CSV/XLSX tables."""

from __future__ import annotations

import io

import lxml.html
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.decisions import services
from app.decisions.models import Decision, DecisionRules, PaperEntry
from app.extensions import db
from app.objections.models import Objection
from app.voting.models import Ballot
from tests import factories
from tests.contests import viewer
from tests.decisions.conftest import draft, opened, paper

COUNTERS = ["owners_committee", "staff"]
MEMBERS = ["owner", "resident", "unverified", "property_manager"]
READERS = COUNTERS + MEMBERS + ["street_staff"]
STRANGERS = ["other_resident", "other_staff", "outsider"]
ALL = READERS + STRANGERS + [None]


def as_(app, world, key):
    http = app.test_client()
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if key is not None:
        with http.session_transaction() as session:
            session["_user_id"] = factories.login_token(world.users[key])
            session["_fresh"] = True
    return http


def stored() -> tuple:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Decision, Ballot, PaperEntry, DecisionRules, Objection)
    )


def text(response) -> str:
    return " ".join(lxml.html.fromstring(response.get_data(as_text=True)).text_content().split())


def expect(response, key, allowed, *, ok=200, denied=403):
    if key is None:
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    elif allowed:
        assert response.status_code == ok, (key, response.status_code)
    else:
        assert response.status_code in (denied, 404) if denied == 404 else response.status_code == denied, (
            key, response.status_code,
        )  # fmt: skip


def _published(world):
    decision = opened(world)
    services.vote(viewer(world.users["owner"], decision), decision, "agree")
    a101 = next(e for e in services.roll_of(decision) if e.name == "张建国")
    paper(world, decision, a101, "agree", "owners_committee", "staff")
    services.close_voting(viewer(world.users["staff"], decision), decision)
    services.certify(viewer(world.users["staff"], decision), decision, "counter")
    services.certify(viewer(world.users["owners_committee"], decision), decision, "scrutineer")
    return decision


FORM = {
    "client_id": "web-1", "matter": "5", "title": "更换1栋电梯", "body": "拟使用专项维修资金更换1栋电梯。",
    "voting_starts_on": "2027-03-01", "voting_ends_on": "2027-03-15", "publicity_days": "7",
}  # fmt: skip


@pytest.mark.parametrize("key", ALL)
def test_index(app, owners, key):
    opened(owners)
    draft(owners, client_id="d2", title="尚未公开的草稿")
    response = as_(app, owners, key).get("/c/cuizhuyuan/decisions")
    expect(response, key, key in READERS)
    if key in READERS:
        page = text(response)
        assert "更换1栋电梯" in page
        assert ("尚未公开的草稿" in page) is (key in COUNTERS)  # drafts: counters only
        assert ("New decision" in page) is (key in COUNTERS)


@pytest.mark.parametrize("key", ALL)
def test_new_decision(app, owners, key):
    http = as_(app, owners, key)
    expect(http.get("/c/cuizhuyuan/decisions/new"), key, key in COUNTERS)
    response = http.post("/c/cuizhuyuan/decisions/new", data=FORM)
    expect(response, key, key in COUNTERS, ok=302)
    assert stored()[0] == (1 if key in COUNTERS else 0)
    if key in COUNTERS:  # a retry creates nothing more
        assert http.post("/c/cuizhuyuan/decisions/new", data=FORM).headers["Location"] == response.headers["Location"]
        assert stored()[0] == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"matter": "10"}, "Choose one of the matters of art. 278"),
        ({"matter": "x"}, "Choose one of the matters of art. 278"),
        ({"title": "短"}, "Give a title of 4 to 100 characters."),
        ({"body": ""}, "Write the text put to the owners"),
        ({"voting_ends_on": "2027-02-01"}, "The last day of voting cannot be before the first."),
        ({"voting_starts_on": "soon"}, "Not a valid date value."),
        ({"publicity_days": "99"}, "The 公示 period is 1 to 60 days."),
        ({"publicity_days": "七"}, "Enter a whole number"),
    ],
)
def test_new_decision_bad_input(app, owners, change, message):
    response = as_(app, owners, "staff").post("/c/cuizhuyuan/decisions/new", data={**FORM, **change})
    assert response.status_code == 400
    assert message in text(response)
    assert stored() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("key", ALL)
def test_rules(app, owners, key):
    http = as_(app, owners, key)
    expect(http.get("/c/cuizhuyuan/decisions/rules"), key, key in COUNTERS)
    data = {"participation": "3/4", "approval": "2/3", "approval_mode": "at_least", "save": "1"}
    expect(http.post("/c/cuizhuyuan/decisions/rules", data=data), key, key in COUNTERS, ok=302)
    assert stored()[3] == (1 if key in COUNTERS else 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"participation": "1/2"}, "Participation cannot be set below the law's 2/3"),
        ({"approval": "1/2", "approval_mode": "at_least"}, "Approval cannot be laxer than the law's"),
        ({"approval": "40%"}, "Approval cannot be laxer than the law's"),
        ({"participation": "two thirds"}, 'Enter a share such as "3/4"'),
        ({"participation": "150%"}, "A share is more than 0 and at most 1"),
    ],
)
def test_rules_refuse_laxer_thresholds(app, owners, data, message):
    response = as_(app, owners, "owners_committee").post(
        "/c/cuizhuyuan/decisions/rules", data={"approval_mode": "more", "save": "1", **data}
    )
    assert response.status_code == 400
    assert message in text(response)
    assert stored()[3] == 0


def test_rules_can_be_cleared(app, owners):
    http = as_(app, owners, "staff")
    http.post("/c/cuizhuyuan/decisions/rules", data={"participation": "0.8", "approval_mode": "more", "save": "1"})
    assert stored()[3] == 1
    assert "4/5 (80.00%)" in text(http.get("/c/cuizhuyuan/decisions/rules"))
    http.post("/c/cuizhuyuan/decisions/rules", data={"clear": "1", "approval_mode": "more"})
    assert stored()[3] == 0
    # clearing does not read the share fields: what is typed there cannot block it
    http.post("/c/cuizhuyuan/decisions/rules", data={"participation": "0.8", "approval_mode": "more", "save": "1"})
    assert stored()[3] == 1
    response = http.post("/c/cuizhuyuan/decisions/rules", data={"participation": "abc", "clear": "1"})
    assert response.status_code == 302
    assert stored()[3] == 0


@pytest.mark.parametrize("key", ALL)
def test_show_and_open(app, owners, key):
    decision = draft(owners)
    http = as_(app, owners, key)
    expect(http.get(f"/decisions/{decision.id}"), key, key in COUNTERS, denied=404)
    expect(http.post(f"/decisions/{decision.id}/open"), key, key in COUNTERS, ok=302, denied=404)
    db.session.expire_all()
    assert (decision.state.value == "voting") is (key in COUNTERS)
    services.open_voting(viewer(owners.users["staff"], decision), decision) if key not in COUNTERS else None
    expect(http.get(f"/decisions/{decision.id}"), key, key in READERS, denied=404)


@pytest.mark.parametrize("key", ALL)
def test_vote(app, owners, key):
    decision = opened(owners)
    http = as_(app, owners, key)
    response = http.post(f"/decisions/{decision.id}/vote", data={"vote-choice": "agree", "vote-confirmed": "1"})
    allowed = key == "owner"
    expect(response, key, allowed, ok=302, denied=404 if key in STRANGERS else 403)
    assert stored()[1] == (1 if allowed else 0)
    if allowed:
        page = text(http.get(f"/decisions/{decision.id}"))
        receipt = db.session.scalar(select(Ballot.receipt))
        assert "You voted: Agree." in page and receipt in page
        again = http.post(f"/decisions/{decision.id}/vote", data={"vote-choice": "agree", "vote-confirmed": "1"})
        assert again.status_code == 302 and stored()[1] == 1
        changed = http.post(f"/decisions/{decision.id}/vote", data={"vote-choice": "oppose", "vote-confirmed": "1"})
        assert changed.status_code == 409 and "You have voted already" in text(changed)
    elif key == "resident":
        assert "You are not on this decision's roll of owners" in text(response)


def test_vote_bad_choice(app, owners):
    decision = opened(owners)
    for data in ({}, {"vote-choice": "maybe"}, {"vote-choice": "maybe", "vote-confirmed": "1"}):
        response = as_(app, owners, "owner").post(f"/decisions/{decision.id}/vote", data=data)
        assert response.status_code == 400 and "Choose agree, oppose or abstain." in text(response)
    assert stored()[1] == 0


@pytest.mark.parametrize("key", ALL)
def test_vote_review_step_casts_nothing(app, owners, key):
    """The first press shows the choice and that it cannot be changed; only the second casts it."""
    decision = opened(owners)
    http = as_(app, owners, key)
    response = http.post(f"/decisions/{decision.id}/vote", data={"vote-choice": "oppose"})
    expect(response, key, key == "owner", denied=404 if key in STRANGERS else 403)
    assert stored()[1] == 0
    if key != "owner":
        return
    page = text(response)
    html = lxml.html.fromstring(response.get_data(as_text=True))
    assert " ".join(html.xpath("//*[@class='review-choice']//text()")).split() == ["You", "chose:", "Oppose"]
    assert "Once sent, it cannot be changed." in page
    form = html.xpath("//form[contains(@action, '/vote')]")[0]
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}
    assert fields["vote-choice"] == "oppose" and fields["vote-confirmed"] == "1"
    back = form.xpath(".//a[contains(@class, 'btn')]")[0].get("href")
    assert back.endswith(f"/decisions/{decision.id}#my-vote")
    sent = http.post(form.get("action"), data=fields)
    assert sent.status_code == 302 and stored()[1] == 1
    assert db.session.scalar(select(Ballot.choice)) == "oppose"


def test_vote_review_step_refuses_when_voting_closed(app, owners):
    """The review step makes the vote's own checks: no "Send" button for a vote the server would refuse."""
    decision = opened(owners)
    services.close_voting(viewer(owners.users["owners_committee"], decision), decision)
    db.session.commit()
    response = as_(app, owners, "owner").post(f"/decisions/{decision.id}/vote", data={"vote-choice": "agree"})
    assert response.status_code == 409 and "Voting on this decision is not open." in text(response)
    assert "Once sent, it cannot be changed." not in text(response)


ROLL_READERS = [*COUNTERS, "owner"]


@pytest.mark.parametrize("key", ALL)
def test_roll_masks_personal_data_for_all_but_counters(app, owners, key):
    """The roll is for verified owners and the counters: an invite code (unverified), a tenant, the property
    manager and street staff are refused with the reason; strangers do not learn the decision exists."""
    decision = opened(owners)
    response = as_(app, owners, key).get(f"/decisions/{decision.id}/roll")
    if key in READERS and key not in ROLL_READERS:
        assert response.status_code == 403, (key, response.status_code)
        page = text(response)
        assert "Only verified owners and the committees can see the roll of owners." in page
        assert "张建国" not in page and "139****0001" not in page
        return
    expect(response, key, key in ROLL_READERS, denied=404)
    if key in ROLL_READERS:
        page = text(response)
        assert "张建国" in page and "3 owners" in page
        assert ("13900000001" in page) is (key in COUNTERS)
        assert ("1栋 1-101" in page) is (key in COUNTERS)
        if key not in COUNTERS:
            assert "139****0001" in page and "1栋 1-1**" in page


@pytest.mark.parametrize("key", READERS)
def test_decision_page_links_the_roll_only_for_those_who_may_see_it(app, owners, key):
    decision = opened(owners)
    page = as_(app, owners, key).get(f"/decisions/{decision.id}").get_data(as_text=True)
    assert "3 owners" in page  # the totals stay public
    assert (f"/decisions/{decision.id}/roll" in page) is (key in ROLL_READERS)


@pytest.mark.parametrize("key", ["unverified", "owner"])
def test_an_invite_code_alone_does_not_open_the_roll(app, owners, key):
    """Joining with the poster's invite code makes an unverified member; verification as an owner opens it."""
    decision = opened(owners)
    status = as_(app, owners, key).get(f"/decisions/{decision.id}/roll").status_code
    assert status == (200 if key == "owner" else 403)


@pytest.mark.parametrize("key", ALL)
def test_paper_routes(app, owners, key):
    decision = opened(owners)
    entry = services.roll_of(decision)[0]
    http = as_(app, owners, key)
    denied = 404 if key in STRANGERS else 403
    expect(http.get(f"/decisions/{decision.id}/paper"), key, key in COUNTERS, denied=denied)
    data = {"client_id": "w1", "roll_entry": str(entry.id), "choice": "agree"}
    expect(http.post(f"/decisions/{decision.id}/paper", data=data), key, key in COUNTERS, ok=302, denied=denied)
    assert stored()[2] == (1 if key in COUNTERS else 0)


def test_paper_double_entry_over_http(app, owners):
    decision = opened(owners)
    entry = services.roll_of(decision)[0]
    first, second = as_(app, owners, "owners_committee"), as_(app, owners, "staff")
    url = f"/decisions/{decision.id}/paper"
    first.post(url, data={"client_id": "a", "roll_entry": str(entry.id), "choice": "agree"})
    again = first.post(url, data={"client_id": "b", "roll_entry": str(entry.id), "choice": "agree"})
    assert again.status_code == 409 and "a second, different counter must enter it" in text(again)
    second.post(url, data={"client_id": "c", "roll_entry": str(entry.id), "choice": "oppose"})
    page = text(first.get(url))
    assert "Entries disagree" in page and "Agree" in page and "Oppose" in page
    mine = db.session.scalar(select(PaperEntry).where(PaperEntry.counter_id == owners.users["owners_committee"].id))
    assert second.post(f"{url}/{mine.id}/correct", data={"correct-choice": "oppose"}).status_code == 403
    response = first.post(f"{url}/{mine.id}/correct", data={"correct-choice": "oppose"})
    assert response.status_code == 302
    assert "Counted" in text(first.get(url)) and stored()[1] == 1
    for data, message in [
        ({"client_id": "d", "roll_entry": "999999", "choice": "agree"}, "Choose an owner on this decision's roll."),
        ({"client_id": "d", "roll_entry": str(entry.id), "choice": "yes"}, "Choose agree, oppose or abstain."),
    ]:
        response = second.post(url, data=data)
        assert response.status_code == 400 and message in text(response)


@pytest.mark.parametrize("key", ALL)
def test_close_and_certify(app, owners, key):
    decision = opened(owners)
    http = as_(app, owners, key)
    denied = 404 if key in STRANGERS else 403
    expect(http.post(f"/decisions/{decision.id}/close"), key, key in COUNTERS, ok=302, denied=denied)
    if key not in COUNTERS:
        services.close_voting(viewer(owners.users["staff"], decision), decision)
        db.session.commit()
    response = http.post(f"/decisions/{decision.id}/certify", data={"certify-role": "counter"})
    expect(response, key, key in COUNTERS, ok=302, denied=denied)
    db.session.expire_all()
    assert decision.state.value == "counting"


def test_publishing_needs_two_people_over_http(app, owners):
    decision = opened(owners)
    services.vote(viewer(owners.users["owner"], decision), decision, "agree")
    staff = as_(app, owners, "staff")
    staff.post(f"/decisions/{decision.id}/close")
    staff.post(f"/decisions/{decision.id}/certify", data={"certify-role": "counter"})
    twice = staff.post(f"/decisions/{decision.id}/certify", data={"certify-role": "scrutineer"})
    assert twice.status_code == 409 and "a second person must sign" in text(twice)
    response = as_(app, owners, "owners_committee").post(
        f"/decisions/{decision.id}/certify", data={"certify-role": "scrutineer"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert decision.state.value == "announced"


@pytest.mark.parametrize("key", ALL)
def test_results_before_and_after_publication(app, owners, key):
    decision = opened(owners)
    http = as_(app, owners, key)
    denied = 404
    for suffix in ("notice", "result.csv", "result.xlsx"):
        expect(http.get(f"/decisions/{decision.id}/{suffix}"), key, False, denied=denied)
    services.close_voting(viewer(owners.users["staff"], decision), decision)
    for suffix in ("notice", "result.csv", "result.xlsx"):  # counting: counters preview
        expect(http.get(f"/decisions/{decision.id}/{suffix}"), key, key in COUNTERS, denied=denied)


@pytest.mark.parametrize("key", ALL)
def test_published_notice_and_exports(app, owners, key):
    decision = _published(owners)
    http = as_(app, owners, key)
    response = http.get(f"/decisions/{decision.id}/notice")
    expect(response, key, key in READERS, denied=404)
    if key not in READERS:
        return
    page = text(response)
    poll = services.poll_of(decision)
    # 2 of 3 owners (equal areas) took part, exactly 2/3 by area and headcount, and both agreed
    assert "Passed" in page and "Not passed" not in page and "2/3 (66.67%)" in page and "1 (100.00%)" in page
    if key == "owner":  # on screen: the percentage to read, the exact fraction one tap away (printed: both)
        shown = lxml.html.fromstring(http.get(f"/decisions/{decision.id}").get_data(as_text=True))
        share = shown.xpath("//table[contains(@class, 'checks')]//td[@data-label='Share']")[0]
        assert share.xpath("string(./span[@class='whole'])") == "66.67%"
        assert share.xpath("string(./details[@class='exact']/span)") == "2/3"
    assert poll.opened_head in page and poll.closed_head in page
    assert f"flask yishi verify-count {poll.id}" in page
    assert "<svg" in response.get_data(as_text=True)
    csv = http.get(f"/decisions/{decision.id}/result.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    body = csv.get_data().decode("utf-8-sig")
    assert "Agree,2,179.00" in body and "1栋,Agree,2,179.00" in body
    xlsx = http.get(f"/decisions/{decision.id}/result.xlsx")
    book = load_workbook(io.BytesIO(xlsx.get_data()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1][:3] == ("Agree", 2, 179)


@pytest.mark.parametrize("key", ALL)
def test_objections(app, owners, key):
    decision = _published(owners)
    http = as_(app, owners, key)
    response = http.post(
        f"/decisions/{decision.id}/objections",
        data={"objection-client_id": "o1", "objection-body": "请复核2栋的计票。"},
    )
    allowed = key == "owner"
    expect(response, key, allowed, ok=302, denied=404 if key in STRANGERS else 403)
    assert stored()[4] == (1 if allowed else 0)
    if allowed:
        assert "请复核2栋的计票。" in text(as_(app, owners, "resident").get(f"/decisions/{decision.id}"))
        objection = db.session.scalar(select(Objection))
        url = f"/decisions/{decision.id}/objections/{objection.id}/answer"
        assert http.post(url, data={"answer-answer": "不行"}).status_code == 403
        assert as_(app, owners, "staff").post(url, data={"answer-answer": "已复核，无误。"}).status_code == 302
        assert "已复核，无误。" in text(http.get(f"/decisions/{decision.id}"))


def test_a_published_notice_labels_its_voting_period_as_a_period(app, owners):
    """The notice of a published result says when voting ran (投票期), never that it is "voting" (表决中)."""
    decision = _published(owners)
    http = as_(app, owners, "owner")
    english = text(http.get(f"/decisions/{decision.id}/notice"))
    assert f"Voting period{decision.voting_starts_on.isoformat()} to" in english.replace("period ", "period")
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    owners.users["owner"].locale = "zh_CN"
    db.session.commit()
    for path in ("notice", ""):
        chinese = text(http.get(f"/decisions/{decision.id}/{path}".rstrip("/")))
        assert f"投票期{decision.voting_starts_on.isoformat()}" in chinese.replace("投票期 ", "投票期"), path
        assert "表决中" not in chinese, path


def test_the_decision_page_explains_its_words_once_each(app, owners):
    """Thresholds, 公示 and the roll: each with its one-line explanation behind a tap, the first time only."""
    decision = opened(owners)
    page = as_(app, owners, "owner").get(f"/decisions/{decision.id}").get_data(as_text=True)
    for meaning in (
        "What the law (Civil Code art. 278) asks for the decision to pass",
        "the result is posted for everyone to see for these days",
        "The list of the owners who may vote on this decision",
    ):
        assert page.count(meaning) == 1, meaning
    assert page.count('<details class="explain">') >= 3
