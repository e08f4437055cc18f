"""On PostgreSQL (the migrations' schema): two neighbours tapping "I will help" at once, one has it; the demo's
group pages open."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app import demo
from app.accounts.models import User
from app.communities import access
from app.core.errors import Conflict
from app.extensions import db
from app.neighbours import services
from app.neighbours.models import HelpPost, HelpState, NeighbourGroup
from tests.neighbours import login
from tests.services.conftest import pg_app, pg_schema, pg_url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.postgres


def _user(phone: str) -> User:
    return db.session.scalar(select(User).where(User.phone == phone))


@pytest.mark.parametrize("_round", range(3))
def test_two_neighbours_take_at_once_and_one_has_it(pg_app, _round):  # noqa: F811
    demo.load("demo-password-1")
    db.session.commit()
    waiting = db.session.scalar(select(HelpPost.id).where(HelpPost.state == HelpState.POSTED))
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def take(phone: str) -> None:
        with pg_app.app_context():
            try:
                user = _user(phone)
                item = db.session.get(HelpPost, waiting)
                viewer = access.viewer(user, access.community_by_id(item.community_id))
                barrier.wait(timeout=10)
                services.take(viewer, item)
                db.session.commit()
                results[phone] = "took"
            except Conflict:
                db.session.rollback()
                results[phone] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=take, args=(phone,)) for phone in ("13800000002", "13800000003")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()) == ["refused", "took"], results
    db.session.expire_all()
    item = db.session.get(HelpPost, waiting)
    assert item.state == HelpState.TAKEN
    assert item.taker_id == _user(next(p for p, r in results.items() if r == "took")).id


def test_the_demo_groups_pages_on_postgresql(pg_app):  # noqa: F811
    demo.load("demo-password-1")
    db.session.commit()
    group = db.session.scalar(select(NeighbourGroup))
    client = pg_app.test_client()
    login(client, _user("13800000001"))
    for url in (f"/groups/{group.id}", f"/groups/{group.id}/summary", "/c/cuizhuyuan/", "/c/cuizhuyuan/groups"):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/groups/{group.id}/summary").get_data(as_text=True)
    assert "本月第二个周六上午9点，1栋楼道大扫除" in page
