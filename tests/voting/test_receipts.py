"""The receipts page: a voter finds their ballot by its tracking code, before and after the count."""

from __future__ import annotations

from app.extensions import db
from app.voting import services as voting
from app.voting.models import CertifierRole
from tests.contests import viewer


def cast(world, key, choice, *, secret=False, poll_type="contest", subject_id=5):
    poll = voting.open_poll(community_id=world.community.id, poll_type=poll_type, subject_id=subject_id, secret=secret)
    user = world.users[key]
    ballot = voting.cast(poll, voter_key=voting.user_key(user.id), voter_id=user.id, choice=choice)
    db.session.commit()
    return poll, ballot


def test_the_page_asks_for_a_code(client):
    page = client.get("/receipts")
    assert page.status_code == 200
    assert 'name="code"' in page.get_data(as_text=True)


def test_an_unknown_code_gets_a_clear_error(client):
    page = client.get("/receipts?code=ZZZZZZZZZZZZ")
    assert page.status_code == 404
    assert "No ballot has this tracking code" in page.get_data(as_text=True)


def test_an_empty_code_is_a_bad_request(client):
    page = client.get("/receipts?code=")
    assert page.status_code == 400
    assert "Enter the tracking code" in page.get_data(as_text=True)


def test_a_recorded_ballot_then_a_counted_one(client, world):
    poll, ballot = cast(world, "owner", "agree")
    spaced = " ".join([ballot.receipt[:4], ballot.receipt[4:8], ballot.receipt[8:]]).lower()
    page = client.get("/receipts", query_string={"code": spaced}).get_data(as_text=True)
    assert ballot.receipt in page
    assert "Recorded: voting is still open" in page
    assert "agree" in page  # a named ballot shows what was chosen
    voting.close_poll(poll)
    db.session.commit()
    page = client.get("/receipts", query_string={"code": ballot.receipt}).get_data(as_text=True)
    assert "Counted: your ballot is in the count" in page
    voting.certify(poll, world.users["staff"].id, CertifierRole.COUNTER)
    voting.certify(poll, world.users["owners_committee"].id, CertifierRole.SCRUTINEER)
    db.session.commit()
    page = client.get("/receipts", query_string={"code": ballot.receipt}).get_data(as_text=True)
    assert "Counted: your ballot is in the published result" in page
    assert poll.closed_head[:16] in page


def test_a_secret_ballot_shows_no_choice(client, world):
    _poll, ballot = cast(world, "resident", "7,9", secret=True)
    page = client.get("/receipts", query_string={"code": ballot.receipt}).get_data(as_text=True)
    assert ballot.receipt in page and "secret ballot" in page
    assert "7,9" not in page


def test_a_motion_ballot_names_its_motion(client, world):
    from app.consultations.models import Motion
    from app.procedure.shipped import ensure_shipped
    from tests.consultations.conftest import make_consultation

    consultation = make_consultation(world, {r.key: r for r in ensure_shipped()})
    motion = Motion(
        consultation_id=consultation.id, mover_id=world.users["owner"].id, client_id="m1", text="晚上十点后禁止充电"
    )
    db.session.add(motion)
    db.session.commit()
    _poll, ballot = cast(world, "owner", "against", poll_type="motion", subject_id=motion.id)
    page = client.get("/receipts", query_string={"code": ballot.receipt}).get_data(as_text=True)
    assert "晚上十点后禁止充电" in page and "Vote against" in page
    assert f"/consultations/{consultation.id}" in page


def test_my_ballots_needs_a_login_and_lists_only_mine(client, auth, world):
    assert client.get("/receipts/mine").status_code == 302
    _poll, mine = cast(world, "owner", "agree", subject_id=1)
    _poll, theirs = cast(world, "resident", "oppose", subject_id=1)
    auth.login(world.users["owner"])
    page = client.get("/receipts/mine").get_data(as_text=True)
    assert mine.receipt in page and theirs.receipt not in page


def test_an_owners_decision_ballot_names_its_decision(client, world):
    from tests.decisions.conftest import opened

    world.households["a102"].owners[0].user_id = world.users["owner"].id
    db.session.commit()
    from app.decisions import services as decisions

    decision = opened(world)
    ballot = decisions.vote(viewer(world.users["owner"], decision), decision, "oppose")
    page = client.get("/receipts", query_string={"code": ballot.receipt}).get_data(as_text=True)
    assert decision.title in page and f"/decisions/{decision.id}" in page
    assert "Oppose" in page


def test_the_receipt_speaks_plainly_and_keeps_the_chain_behind_details(client, world):
    """The tracking code and the status up front, with 回执码 explained; the chain's fields (for anyone checking
    the count) inside a closed <details>, each term explained once."""
    import lxml.html

    poll, ballot = cast(world, "owner", "agree")
    voting.seal(poll)  # the ballot takes its place in the chain
    db.session.commit()
    page = lxml.html.fromstring(client.get("/receipts", query_string={"code": ballot.receipt}).get_data(as_text=True))
    found = page.xpath("//article[contains(@class, 'receipt-found')]")[0]
    up_front = found.xpath("./dl[@class='facts']")[0]
    assert up_front.xpath("string(.//span[@class='term'])") == "tracking code (回执码)"
    assert "Look it up after the count" in up_front.xpath("string(.//*[@class='explain-text'])")
    details = found.xpath("./details[@class='receipt-details']")[0]
    assert details.get("open") is None  # closed until tapped
    terms = [t.text_content() for t in details.xpath(".//span[@class='term']")]
    assert terms == ["place in the ballot chain (在选票链中的位置)", "ballot fingerprint (选票指纹)"]
    assert len(details.xpath(".//details[@class='explain']")) == 2
    assert ballot.hash[:16] in details.text_content() and str(ballot.seq) in details.text_content()


def test_a_motion_receipt_follows_the_motion_to_its_result(client, world):
    """A motion's vote is decided when the chair closes it (no one certifies it): its receipt then says the
    result, not "being certified" for ever (issue 16)."""
    from app.consultations import services as consultations
    from app.procedure.shipped import ensure_shipped
    from tests.consultations.conftest import committed, make_consultation, viewer_of

    u = world.users
    consultation = make_consultation(world, {r.key: r for r in ensure_shipped()})
    motion = committed(
        consultations.move(viewer_of(u["owner"], consultation), consultation, client_id="m", text="建棚")
    )
    motion = committed(consultations.second(viewer_of(u["resident"], motion), motion))
    motion = committed(consultations.call_vote(viewer_of(u["leader_a"], motion), motion))
    receipt = consultations.vote(viewer_of(u["owner"], motion), motion, "for").receipt
    page = client.get("/receipts", query_string={"code": receipt}).get_data(as_text=True)
    assert "Recorded: voting is still open" in page
    committed(consultations.close_vote(viewer_of(u["leader_a"], motion), motion))
    page = client.get("/receipts", query_string={"code": receipt}).get_data(as_text=True)
    assert "Counted: your ballot is in the final result (Carried)." in page
    assert "being certified" not in page
    zh = client.get("/receipts", query_string={"code": receipt}, headers={"Accept-Language": "zh-CN"})
    text = zh.get_data(as_text=True)
    assert "已计入：您的选票已计入最终结果（通过）。" in text and "结果正在确认中" not in text
