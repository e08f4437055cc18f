"""Invite codes and their printable QR posters."""

from __future__ import annotations

from sqlalchemy import select

from app.communities import access, services
from app.communities.models import InviteCode
from app.core.models import AuditEntry
from app.extensions import db
from tests import factories


def test_codes_are_unambiguous(app, world):
    invite = services.create_invite(access.viewer(world.users["staff"], world.community))
    assert len(invite.code) == 8
    assert not set(invite.code) & set("01IO")


def test_poster_and_qr(client, auth, world):
    invite = factories.invite(world.community, world.building_a, code="CZY1DONG")
    db.session.commit()
    auth.login(world.users["staff"])
    poster = client.get(f"/c/cuizhuyuan/invites/{invite.id}/poster")
    assert poster.status_code == 200
    body = poster.get_data(as_text=True)
    assert "CZY1DONG" in body and "1栋" in body and f"/invites/{invite.id}/qr.svg" in body
    qr = client.get(f"/c/cuizhuyuan/invites/{invite.id}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.data.startswith(b"<svg") and b"<script" not in qr.data


def test_qr_encodes_the_join_link(client, auth, world):
    import segno

    invite = factories.invite(world.community, code="CZY2026A")
    db.session.commit()
    auth.login(world.users["staff"])
    svg = client.get(f"/c/cuizhuyuan/invites/{invite.id}/qr.svg").data
    expected = segno.make("http://localhost/join?code=CZY2026A", error="m").svg_inline(scale=10, border=2)
    assert svg.decode() == expected


def test_poster_is_for_staff_only(client, auth, world):
    invite = factories.invite(world.community, code="CZY2026A")
    db.session.commit()
    for key in ("resident", "leader_a", "other_staff"):
        auth.login(world.users[key])
        assert client.get(f"/c/cuizhuyuan/invites/{invite.id}/poster").status_code == 403
        assert client.get(f"/c/cuizhuyuan/invites/{invite.id}/qr.svg").status_code == 403
        auth.logout()


def test_invite_of_another_community_is_not_found(client, auth, world):
    invite = factories.invite(world.other, code="NANTANG1")
    db.session.commit()
    auth.login(world.users["staff"])
    assert client.get(f"/c/cuizhuyuan/invites/{invite.id}/poster").status_code == 404
    assert client.post(f"/c/cuizhuyuan/invites/{invite.id}/toggle").status_code == 404


def test_toggle_invite(client, auth, world):
    invite = factories.invite(world.community, code="CZY2026A")
    db.session.commit()
    auth.login(world.users["resident"])
    assert client.post(f"/c/cuizhuyuan/invites/{invite.id}/toggle").status_code == 403
    auth.logout()
    auth.login(world.users["staff"])
    assert client.post(f"/c/cuizhuyuan/invites/{invite.id}/toggle").status_code == 302
    assert db.session.get(InviteCode, invite.id).active is False
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions == ["invite.deactivate"]


def test_invite_for_a_building_of_another_community_is_refused(client, auth, world):
    other_building = world.households["other101"].building
    auth.login(world.users["staff"])
    response = client.post("/c/cuizhuyuan/invites", data={"building_id": other_building.id})
    assert response.status_code == 400
    assert db.session.scalars(select(InviteCode)).all() == []
