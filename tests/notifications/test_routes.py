"""The preferences page, the email address, and the failed deliveries page for community staff, per role."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.core import sms
from app.extensions import db
from app.notifications import channels, delivery
from app.notifications.kinds import Channel, Mode
from app.notifications.models import Delivery, DeliveryStatus, EmailAddress, Preference
from app.notifications.services import notify
from tests import factories

NOON = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def daytime(monkeypatch):
    monkeypatch.setattr(delivery, "utcnow", lambda: NOON)


def login(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = factories.login_token(user)
        session["_fresh"] = True


def test_the_preferences_page_lists_the_kinds_and_says_why_email_is_not_offered(client, world):
    login(client, world.users["resident"])
    page = client.get("/notifications/settings")
    assert page.status_code == 200
    assert b"A vote opened for you" in page.data and b"Community notices" in page.data
    assert b"You have no confirmed email address, so you cannot choose email yet." in page.data


def test_choices_are_saved_and_email_without_an_address_is_refused(client, world):
    resident = world.users["resident"]
    login(client, resident)
    refused = client.post("/notifications/settings", data={"notice:email": "now", "notice:sms": "now"})
    assert refused.status_code == 400 and b"Add and confirm an email address" in refused.data
    assert db.session.scalar(select(func.count()).select_from(Preference)) == 0
    assert client.post("/notifications/settings", data={"vote_opened:sms": "off"}).status_code == 302
    [pref] = db.session.scalars(select(Preference))
    assert (pref.user_id, pref.kind, pref.channel, pref.mode) == (resident.id, "vote_opened", Channel.SMS, Mode.OFF)
    for bad in ({"vote_opened:sms": "often"}, {"no-such-kind:sms": "now"}, {"notice:sms": "x" * 10_000}):
        assert client.post("/notifications/settings", data=bad).status_code == 400


def test_an_email_address_is_kept_unconfirmed_until_its_link_is_opened(client, world):
    resident = world.users["resident"]
    login(client, resident)
    assert client.post("/notifications/email", data={"email": "not an address"}).status_code == 400
    assert client.post("/notifications/email", data={"email": "wang@example.com"}).status_code == 302
    assert db.session.get(EmailAddress, resident.id).confirmed_at is None
    assert client.get("/notifications/email/confirm/forged-token").status_code == 302
    assert db.session.get(EmailAddress, resident.id).confirmed_at is None
    assert client.post("/notifications/email/remove").status_code == 302
    assert db.session.get(EmailAddress, resident.id) is None


def _failed_delivery(app, world, monkeypatch):
    def refuse(*args, **kwargs):
        raise sms.SmsFailed()

    monkeypatch.setattr(channels.sms, "send_sms", refuse)
    with app.test_request_context():
        notify(world.users["owner"], "vote_opened", "投票已开始", community_id=world.community.id)
        db.session.commit()
    monkeypatch.undo()
    monkeypatch.setattr(delivery, "utcnow", lambda: NOON)
    return db.session.scalars(select(Delivery)).one()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("staff", 200),
        ("resident", 403),
        ("property_manager", 403),
        ("street_staff", 403),
        ("other_staff", 404),
        ("outsider", 404),
    ],
)
def test_failed_deliveries_are_shown_to_community_staff_only(app, client, world, monkeypatch, role, status):
    row = _failed_delivery(app, world, monkeypatch)
    login(client, world.users[role])
    page = client.get("/notifications/c/cuizhuyuan/failed")
    assert page.status_code == status
    if status == 200:
        owner = world.users["owner"]
        assert owner.phone.encode() not in page.data  # masked
        assert f"{owner.phone[:3]}****{owner.phone[-4:]}".encode() in page.data and b"SmsFailed" in page.data
    retried = client.post(f"/notifications/deliveries/{row.id}/retry")
    assert retried.status_code == (302 if status == 200 else status)
    db.session.refresh(row)
    assert row.status == (DeliveryStatus.SENT if status == 200 else DeliveryStatus.FAILED)


def test_tick_and_worker_commands(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["yishi", "tick"])
    assert result.exit_code == 0 and "released=0" in result.output
    refused = runner.invoke(args=["yishi", "worker", "--burst"])
    assert refused.exit_code != 0 and "REDIS_URL" in refused.output
