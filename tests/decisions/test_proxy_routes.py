"""Proxy voting over HTTP, per role, allowed and denied: the owner's appointment page, the counters' office page
(with the photo), revoking, the proxy's vote through the review step, and what the decision's page, the roll
and the notice show; bad input gets its message and stores nothing."""

from __future__ import annotations

import io

import lxml.html
import pytest
from sqlalchemy import func, select

from app.accounts import codes
from app.accounts.models import CodePurpose, OneTimeCode
from app.core import sms
from app.decisions import services
from app.decisions.models import Proxy
from app.extensions import db
from app.voting.models import Ballot
from tests import factories
from tests.contests import viewer
from tests.decisions.conftest import opened
from tests.decisions.helpers import Store, jpeg
from tests.decisions.test_routes import ALL, COUNTERS, READERS, STRANGERS, as_, expect, text


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def entry_of(decision, name):
    return next(e for e in services.roll_of(decision) if e.name == name)


def office(world, decision, name="张建国", proxy_key="resident"):
    proxy = services.record_office(
        viewer(world.users["staff"], decision), decision, roll_entry_id=entry_of(decision, name).id,
        phone=world.users[proxy_key].phone, photo=jpeg(), store=Store(decision.community_id, world.users["staff"].id),
    )  # fmt: skip
    db.session.commit()
    return proxy


def denied_status(key):
    return 404 if key in STRANGERS else 403


@pytest.mark.parametrize("key", ALL)
def test_appoint_page(app, owners, key):
    decision = opened(owners)
    http = as_(app, owners, key)
    response = http.get(f"/decisions/{decision.id}/proxy")
    expect(response, key, key == "owner", denied=denied_status(key))
    data = {"phone": owners.users["resident"].phone, "password": factories.PASSWORD}
    response = http.post(f"/decisions/{decision.id}/proxy", data=data)
    expect(response, key, key == "owner", ok=302, denied=denied_status(key))
    assert count(Proxy) == (1 if key == "owner" else 0)
    if key == "owner":
        page = text(http.get(f"/decisions/{decision.id}"))
        assert "Your proxy resident votes for you on this decision (appointed online by the owner)." in page
        assert "Send my vote" not in page
    elif key == "resident":
        assert "Owners on this decision's roll appoint a proxy while voting is open." in text(response)


@pytest.mark.parametrize(
    ("data", "message", "status"),
    [
        ({"phone": "", "password": factories.PASSWORD}, "Enter the proxy's 11-digit mobile number.", 400),
        ({"phone": "13700000000", "password": ""}, "Enter your password, or a code sent to your phone.", 400),
        ({"phone": "1234", "password": factories.PASSWORD}, "Enter the proxy's 11-digit mobile number.", 400),
        ({"phone": "13700000000", "password": "wrong-password"}, "This is not your password.", 400),
        ({"phone": "13999999999", "password": factories.PASSWORD}, "must register and join the community first", 400),
        ({"phone": "OWNER", "password": factories.PASSWORD}, "The proxy must be someone other than the owner.", 400),
        ({"phone": "1" * 30, "password": factories.PASSWORD}, "", 400),
        ({"phone": "139\x0012345678", "password": factories.PASSWORD}, "", 400),
    ],
)
def test_appoint_bad_input(app, owners, data, message, status):
    decision = opened(owners)
    if data["phone"] == "OWNER":
        data = {**data, "phone": owners.users["owner"].phone}
    response = as_(app, owners, "owner").post(f"/decisions/{decision.id}/proxy", data=data)
    assert response.status_code == status and message in text(response)
    assert count(Proxy) == 0


@pytest.mark.parametrize("key", ALL)
def test_office_page(app, owners, key):
    decision = opened(owners)
    http = as_(app, owners, key)
    expect(http.get(f"/decisions/{decision.id}/proxies"), key, key in COUNTERS, denied=denied_status(key))
    data = {
        "roll_entry": str(entry_of(decision, "张建国").id),
        "phone": owners.users["resident"].phone,
        "photo": (io.BytesIO(jpeg()), "weituoshu.jpg"),
    }
    response = http.post(f"/decisions/{decision.id}/proxies", data=data, content_type="multipart/form-data")
    expect(response, key, key in COUNTERS, ok=302, denied=denied_status(key))
    assert count(Proxy) == (1 if key in COUNTERS else 0)
    if key in COUNTERS:
        page = text(http.get(f"/decisions/{decision.id}/proxies"))
        assert "Proxy: resident" in page and "signed at the office" in page
        html = lxml.html.fromstring(http.get(f"/decisions/{decision.id}/proxies").get_data(as_text=True))
        [photo] = html.xpath("//a[contains(@href, '/photos/')]/@href")
        shown = http.get(photo)
        shown.close()  # a file response
        assert shown.status_code == 200 and shown.mimetype == "image/jpeg"


def test_office_page_bad_input(app, owners):
    decision = opened(owners)
    http = as_(app, owners, "staff")
    a101 = str(entry_of(decision, "张建国").id)
    phone = owners.users["resident"].phone
    cases = [
        ({"roll_entry": a101, "phone": phone}, "Add a photo of the signed authorisation"),
        ({"roll_entry": "999999", "phone": phone, "photo": (io.BytesIO(jpeg()), "a.jpg")}, "Choose an owner"),
        ({"roll_entry": a101, "phone": "13999999999", "photo": (io.BytesIO(jpeg()), "a.jpg")}, "must register"),
        ({"roll_entry": a101, "phone": phone, "photo": (io.BytesIO(b"not a photo"), "a.jpg")}, ""),
    ]
    for data, message in cases:
        response = http.post(f"/decisions/{decision.id}/proxies", data=data, content_type="multipart/form-data")
        assert response.status_code == 400, (data, response.status_code)
        assert message in text(response)
    assert count(Proxy) == 0


@pytest.mark.parametrize("key", ALL)
def test_revoke(app, owners, key):
    decision = opened(owners)
    http_owner = as_(app, owners, "owner")
    http_owner.post(
        f"/decisions/{decision.id}/proxy",
        data={"phone": owners.users["resident"].phone, "password": factories.PASSWORD},
    )
    proxy = db.session.scalar(select(Proxy))
    response = as_(app, owners, key).post(f"/decisions/{decision.id}/proxies/{proxy.id}/revoke")
    allowed = key in ("owner", *COUNTERS)
    expect(response, key, allowed, ok=302, denied=denied_status(key))
    db.session.expire_all()
    assert (db.session.get(Proxy, proxy.id).revoked_at is not None) is allowed
    if key == "owner":
        page = text(http_owner.get(f"/decisions/{decision.id}"))
        assert "Send my vote" in page


def test_revoke_after_the_proxy_voted_is_refused(app, owners):
    decision = opened(owners)
    proxy = office(owners, decision)
    services.vote_as_proxy(viewer(owners.users["resident"], decision), decision, proxy.roll_entry_id, "agree")
    db.session.commit()
    response = as_(app, owners, "staff").post(f"/decisions/{decision.id}/proxies/{proxy.id}/revoke")
    assert response.status_code == 409 and "can no longer be revoked" in text(response)
    missing = as_(app, owners, "staff").post(f"/decisions/{decision.id}/proxies/999999/revoke")
    assert missing.status_code == 404


@pytest.mark.parametrize("key", ALL)
def test_proxy_vote(app, owners, key):
    """Only the proxy votes for the owner they hold: the review step first, then the ballot in the owner's name."""
    decision = opened(owners)
    proxy = office(owners, decision)
    http = as_(app, owners, key)
    url = f"/decisions/{decision.id}/proxy-vote/{proxy.roll_entry_id}"
    allowed = key == "resident"
    review = http.post(url, data={"vote-choice": "oppose"})
    expect(review, key, allowed, denied=404)
    assert count(Ballot) == 0
    if allowed:
        page = text(review)
        assert "As proxy, for:" in page and "张建国" in page and "Once sent, it cannot be changed." in page
        form = lxml.html.fromstring(review.get_data(as_text=True)).xpath("//form[contains(@action, '/proxy-vote/')]")[0]
        fields = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}
        assert fields["vote-choice"] == "oppose" and fields["vote-confirmed"] == "1"
    response = http.post(url, data={"vote-choice": "oppose", "vote-confirmed": "1"})
    expect(response, key, allowed, ok=302, denied=404)
    assert count(Ballot) == (1 if allowed else 0)
    if allowed:
        ballot = db.session.scalar(select(Ballot))
        assert ballot.by_proxy and ballot.voter_key == entry_of(decision, "张建国").voter_key
        page = text(http.get(f"/decisions/{decision.id}"))
        assert "You vote as proxy for" in page and "Voted: Oppose." in page and ballot.receipt in page
        receipt = text(http.get(f"/receipts?code={ballot.receipt}"))
        assert "Oppose" in receipt


def test_proxy_vote_bad_input(app, owners):
    decision = opened(owners)
    proxy = office(owners, decision)
    http = as_(app, owners, "resident")
    url = f"/decisions/{decision.id}/proxy-vote/{proxy.roll_entry_id}"
    for data in ({}, {"vote-choice": "maybe"}, {"vote-choice": "maybe", "vote-confirmed": "1"}):
        response = http.post(url, data=data)
        assert response.status_code == 400 and "Choose agree, oppose or abstain." in text(response)
    assert http.post(f"/decisions/{decision.id}/proxy-vote/999999", data={"vote-choice": "agree"}).status_code == 404
    assert count(Ballot) == 0


@pytest.mark.parametrize("key", [k for k in READERS if k != "street_staff"])
def test_the_roll_and_the_notice_show_proxies(app, owners, key):
    decision = opened(owners)
    proxy = office(owners, decision)
    services.vote_as_proxy(viewer(owners.users["resident"], decision), decision, proxy.roll_entry_id, "agree")
    db.session.commit()
    http = as_(app, owners, key)
    roll = http.get(f"/decisions/{decision.id}/roll")
    if roll.status_code == 200:
        assert "Proxy: resident" in text(roll)
    services.close_voting(viewer(owners.users["staff"], decision), decision)
    services.certify(viewer(owners.users["staff"], decision), decision, "counter")
    services.certify(viewer(owners.users["owners_committee"], decision), decision, "scrutineer")
    db.session.commit()
    for path in ("notice", ""):
        page = text(http.get(f"/decisions/{decision.id}/{path}".rstrip("/")))
        assert "Of these, 1 votes were cast by proxy (其中委托投票)." in page, path


@pytest.mark.parametrize("key", ALL)
def test_the_owner_confirms_with_an_sms_code(app, owners, key):
    """Without the password: a code texted to the owner's own number (purpose proxy_appoint); a wrong code counts
    a try and appoints nobody; a code for another purpose does not work here."""
    decision = opened(owners)
    http = as_(app, owners, key)
    sent = http.post(f"/decisions/{decision.id}/proxy/code")
    expect(sent, key, key == "owner", ok=303, denied=denied_status(key))
    # the texts of this purpose (the owners were also told by text that voting opened)
    messages = [m for m in sms.backend().recent() if m.template == "proxy_appoint_code"]
    if key != "owner":
        assert messages == []
        return
    [message] = messages
    assert (message.phone, message.template) == (owners.users["owner"].phone, "proxy_appoint_code")
    assert "We sent a code to" in text(http.get(sent.headers["Location"]))
    form = {"phone": owners.users["resident"].phone}
    wrong = "000000" if message.params["code"] != "000000" else "111111"
    response = http.post(f"/decisions/{decision.id}/proxy", data={**form, "code": wrong})
    assert response.status_code == 400 and "This code is not right" in text(response)
    assert count(Proxy) == 0
    assert db.session.scalar(select(OneTimeCode.attempts).where(OneTimeCode.purpose == "proxy_appoint")) == 1
    response = http.post(f"/decisions/{decision.id}/proxy", data={**form, "code": message.params["code"]})
    assert response.status_code == 302 and count(Proxy) == 1
    # used once: the same code again does not appoint a second time (a retry of the same proxy is no new row)
    again = http.post(f"/decisions/{decision.id}/proxy", data={**form, "code": message.params["code"]})
    assert again.status_code == 400 and count(Proxy) == 1


def test_a_code_of_another_purpose_does_not_confirm(app, owners):
    decision = opened(owners)
    code, _row = codes.issue(owners.users["owner"].phone, CodePurpose.CHANGE_PASSWORD)
    db.session.commit()
    data = {"phone": owners.users["resident"].phone, "code": code}
    response = as_(app, owners, "owner").post(f"/decisions/{decision.id}/proxy", data=data)
    assert response.status_code == 400 and count(Proxy) == 0


def test_neither_password_nor_code(app, owners):
    decision = opened(owners)
    data = {"phone": owners.users["resident"].phone}
    response = as_(app, owners, "owner").post(f"/decisions/{decision.id}/proxy", data=data)
    assert response.status_code == 400 and "Enter your password, or a code sent to your phone." in text(response)
    assert count(Proxy) == 0


@pytest.mark.parametrize("key", ALL)
def test_the_photo_of_a_signed_authorisation_is_for_the_counters_and_the_owner_only(app, owners, key):
    """Not every member: the paper carries the owner's signature (404 for the others, as for a stranger)."""
    from app.core.uploads import PhotoStore
    from app.decisions.services.proxies import owner_user_id

    decision = opened(owners)
    signed = next(e for e in services.roll_of(decision) if owner_user_id(e) == owners.users["owner"].id)
    proxy = services.record_office(
        viewer(owners.users["staff"], decision), decision, roll_entry_id=signed.id,
        phone=owners.users["resident"].phone, photo=jpeg(),
        store=PhotoStore(app.config, community_id=decision.community_id, owner_id=owners.users["staff"].id),
    )  # fmt: skip
    db.session.commit()
    signer = owner_user_id(proxy.roll_entry)
    shown = as_(app, owners, key).get(f"/photos/{proxy.photo_id}")
    shown.close()  # a file response
    if key is None:
        assert shown.status_code == 302  # to the login page
        return
    may = key in COUNTERS or owners.users[key].id == signer
    assert shown.status_code == (200 if may else 404), (key, shown.status_code)
    assert signer == owners.users["owner"].id  # the owner who signed it sees it, no other member
