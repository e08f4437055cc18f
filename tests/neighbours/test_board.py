"""The help board: posted → taken → done → thanked, or withdrawn; who may do each step; phone numbers only when
both sides agree; notifications to the other side; idempotent taps; bad input refused with nothing stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.errors import Conflict
from app.extensions import db
from app.neighbours import services
from app.neighbours.models import HelpPost, HelpState
from app.notifications.models import Notification
from tests.neighbours import count, login, make_post, viewer


def state(item) -> str:
    db.session.expire_all()
    return db.session.get(HelpPost, item.id).state


def kinds_of(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


def test_a_request_goes_from_posted_to_thanked_and_each_side_hears(client, world, groups):
    item = make_post(world, groups.a, "resident")
    login(client, world.users["owner"])
    assert client.post(f"/help/{item.id}/take").status_code == 302
    assert state(item) == HelpState.TAKEN
    assert kinds_of(world.users["resident"]) == ["help_taken"]
    assert client.post(f"/help/{item.id}/take").status_code == 302  # a second tap: nothing new
    assert kinds_of(world.users["resident"]) == ["help_taken"]
    assert client.post(f"/help/{item.id}/done").status_code == 302
    assert state(item) == HelpState.DONE
    assert kinds_of(world.users["resident"]) == ["help_taken", "help_done"]
    assert client.post(f"/help/{item.id}/thank", data={"note": "谢谢"}).status_code == 403  # the helper does not
    login(client, world.users["resident"])
    assert client.post(f"/help/{item.id}/thank", data={"note": "谢谢张叔叔！"}).status_code == 302
    assert state(item) == HelpState.THANKED
    assert db.session.get(HelpPost, item.id).thanks == "谢谢张叔叔！"
    assert kinds_of(world.users["owner"]) == ["help_thanked"]
    page = client.get(f"/help/{item.id}").get_data(as_text=True)
    assert "谢谢张叔叔！" in page


def test_an_offer_is_thanked_by_the_one_who_took_it(client, world, groups):
    item = make_post(world, groups.a, "owner", kind="offer", category="tools", title="家里有电钻可以借")
    login(client, world.users["resident"])
    client.post(f"/help/{item.id}/take")
    assert kinds_of(world.users["owner"]) == ["help_taken"]
    login(client, world.users["owner"])
    client.post(f"/help/{item.id}/done")
    assert client.post(f"/help/{item.id}/thank", data={}).status_code == 403  # the one who offered
    login(client, world.users["resident"])
    assert client.post(f"/help/{item.id}/thank", data={}).status_code == 302
    assert state(item) == HelpState.THANKED


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 302), ("leader_a", 302), ("group_leader", 302), ("resident", 403), ("staff", 403)],
)
def test_who_takes_a_post(client, world, groups, role, status):
    item = make_post(world, groups.a, "resident")
    login(client, world.users[role])
    assert client.post(f"/help/{item.id}/take").status_code == status
    assert state(item) == (HelpState.TAKEN if status == 302 else HelpState.POSTED)


def test_a_taken_post_is_not_taken_again_by_someone_else(client, world, groups):
    item = make_post(world, groups.a, "resident")
    services.take(viewer(world, "owner"), item)
    db.session.commit()
    with pytest.raises(Conflict):
        services.take(viewer(world, "leader_a"), item)
    db.session.rollback()
    login(client, world.users["leader_a"])
    response = client.post(f"/help/{item.id}/take", follow_redirects=True)
    assert "A neighbour has taken this already, or it is closed." in response.get_data(as_text=True)
    assert db.session.get(HelpPost, item.id).taker_id == world.users["owner"].id


@pytest.mark.parametrize(
    ("action", "role", "status", "after"),
    [
        ("done", "resident", 302, HelpState.DONE),  # the author
        ("done", "owner", 302, HelpState.DONE),  # the taker
        ("done", "leader_a", 403, HelpState.TAKEN),  # a leader is not a side
        ("done", "staff", 403, HelpState.TAKEN),
        ("release", "owner", 302, HelpState.POSTED),
        ("release", "resident", 403, HelpState.TAKEN),
        ("withdraw", "resident", 302, HelpState.WITHDRAWN),
        ("withdraw", "owner", 403, HelpState.TAKEN),
        ("withdraw", "leader_a", 403, HelpState.TAKEN),
        ("share", "leader_a", 403, HelpState.TAKEN),
        ("done", "leader_b", 404, HelpState.TAKEN),
        ("done", "street_staff", 404, HelpState.TAKEN),
    ],
)
def test_who_moves_a_taken_post_on(client, world, groups, action, role, status, after):
    item = make_post(world, groups.a, "resident")
    services.take(viewer(world, "owner"), item)
    db.session.commit()
    login(client, world.users[role])
    assert client.post(f"/help/{item.id}/{action}").status_code == status
    assert state(item) == after


def test_a_released_post_waits_again_and_forgets_the_consent(client, world, groups):
    item = make_post(world, groups.a, "resident")
    services.take(viewer(world, "owner"), item)
    services.share_contact(viewer(world, "owner"), item)
    services.release(viewer(world, "owner"), item)
    db.session.commit()
    assert item.state == HelpState.POSTED and item.taker_id is None and not item.taker_shares


def test_phone_numbers_show_only_when_both_sides_agree(client, world, groups):
    resident, owner = world.users["resident"], world.users["owner"]
    item = make_post(world, groups.a, "resident")
    services.take(viewer(world, "owner"), item)
    db.session.commit()

    def page(user) -> str:
        login(client, user)
        return client.get(f"/help/{item.id}").get_data(as_text=True)

    assert owner.phone not in page(resident) and resident.phone not in page(owner)
    login(client, resident)
    assert client.post(f"/help/{item.id}/share").status_code == 302
    assert owner.phone not in page(resident) and resident.phone not in page(owner)  # one side only
    login(client, owner)
    assert client.post(f"/help/{item.id}/share").status_code == 302
    assert owner.phone in page(resident) and resident.phone in page(owner)
    leader_page = page(world.users["leader_a"])  # a third neighbour sees neither
    assert owner.phone not in leader_page and resident.phone not in leader_page


def test_nobody_shares_before_the_post_is_taken(client, world, groups):
    item = make_post(world, groups.a, "resident")
    login(client, world.users["resident"])
    assert client.post(f"/help/{item.id}/share").status_code == 403
    assert not db.session.get(HelpPost, item.id).author_shares


def form(**data):
    return {"client_id": "c-1", "kind": "request", "category": "parcels", "title": "帮忙取快递", "body": "", **data}


def test_posting_twice_with_the_same_form_stores_one_post(client, world, groups):
    login(client, world.users["resident"])
    first = client.post(f"/groups/{groups.a.id}/help/new", data=form())
    again = client.post(f"/groups/{groups.a.id}/help/new", data=form())
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert count(HelpPost) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": "我的电话 138 1234 5678"}, "Please leave phone numbers out"),
        ({"title": "帮忙取快递13812345678"}, "Please leave phone numbers out"),
        ({"body": "给你20元辛苦费"}, "Neighbours help for free: please leave prices out."),
        ({"title": "x"}, "Field must be between 2 and 80 characters long."),
        ({"title": ""}, "Say in a few words what it is."),
        ({"kind": "sell"}, "Say whether you need help or offer it."),
        ({"category": "money"}, "Choose what kind of help."),
        ({"title": "a\x00b"}, "control character"),
        ({"body": "x" * 1001}, "Field cannot be longer than 1000 characters."),
    ],
)
def test_bad_posts_are_refused_with_a_clear_message_and_nothing_stored(client, world, groups, data, message):
    login(client, world.users["resident"])
    response = client.post(f"/groups/{groups.a.id}/help/new", data=form(**data))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(HelpPost) == 0


def test_posts_are_shown_as_plain_text(client, world, groups):
    make_post(world, groups.a, "resident", title="<script>alert(1)</script>", body="<b>粗体</b>")
    login(client, world.users["owner"])
    page = client.get(f"/groups/{groups.a.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_a_refused_thank_you_leaves_the_post_and_the_inbox_as_they_were(client, world, groups):
    item = make_post(world, groups.a, "resident")
    services.take(viewer(world, "owner"), item)
    services.mark_done(viewer(world, "owner"), item)
    db.session.commit()
    before = count(Notification)
    login(client, world.users["resident"])
    response = client.post(f"/help/{item.id}/thank", data={"note": "有事打我电话13812345678"})
    assert response.status_code == 400
    assert "Please leave phone numbers out" in response.get_data(as_text=True)
    assert state(item) == HelpState.DONE and count(Notification) == before


def test_the_board_lists_open_and_finished_posts_apart(client, world, groups):
    waiting = make_post(world, groups.a, "resident", title="等待中的求助")
    finished = make_post(world, groups.a, "owner", title="已撤回的帮忙", kind="offer")
    services.withdraw(viewer(world, "owner"), finished)
    db.session.commit()
    login(client, world.users["resident"])
    open_page = client.get(f"/groups/{groups.a.id}").get_data(as_text=True)
    closed_page = client.get(f"/groups/{groups.a.id}?closed=1").get_data(as_text=True)
    assert waiting.title in open_page and finished.title not in open_page
    assert finished.title in closed_page and waiting.title not in closed_page
