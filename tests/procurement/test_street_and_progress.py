"""A street-wide guidance item's call (street staff only), progress with photos, and what happened lately."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image

from app.communities import access
from app.extensions import db
from app.procurement import queries, services
from app.procurement.models import ServiceCall
from tests import factories
from tests.procurement.test_routes import awarded


def _form(pw, item, **changes):
    return {
        "client_id": "street-1",
        "item_id": str(item.id),
        "title": "街道助老服务",
        "scope": "全街道独居老人定期探访与紧急呼叫服务",
        "ceiling": "300000",
        "deadline": (date.today() + timedelta(days=30)).isoformat(),
        "criteria": "服务方案 | 1/2\n预算 | 1/2",
        "panel": [str(pw.users["expert_panel"].id)],
        **changes,
    }


def test_a_street_wide_item_is_for_the_street_staff(app, pw, as_):
    item = factories.procure_item(pw.world.community, street_wide=True, title="独居老人探访")
    db.session.commit()
    staff_page = as_("staff").get("/c/cuizhuyuan/procurement/new").get_data(as_text=True)
    assert "独居老人探访" not in staff_page and "老年人助餐服务" in staff_page
    refused = as_("staff").post("/c/cuizhuyuan/procurement/new", data=_form(pw, item))
    assert refused.status_code == 400 and "Choose a published guidance item." in refused.get_data(as_text=True)
    assert "独居老人探访" in as_("street_staff").get("/c/cuizhuyuan/procurement/new").get_data(as_text=True)
    assert as_("street_staff").post("/c/cuizhuyuan/procurement/new", data=_form(pw, item)).status_code == 302
    call = db.session.query(ServiceCall).filter_by(guidance_item_id=item.id).one()
    assert call.community_id == pw.world.community.id and call.street_id == pw.world.community.street_id


def test_an_item_of_another_community_is_not_offered(app, pw, as_):
    other_item = factories.procure_item(pw.world.other, title="南塘助餐")
    db.session.commit()
    response = as_("street_staff").post("/c/cuizhuyuan/procurement/new", data=_form(pw, other_item))
    assert response.status_code == 400
    assert db.session.query(ServiceCall).count() == 1


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def test_progress_with_a_photo(app, pw, as_):
    contract = awarded(pw)
    data = {"client_id": "p-photo", "body": "助餐点开放第一周", "photos": [(io.BytesIO(_png()), "meal.png")]}
    response = as_("social_org").post(
        f"/procurement/contracts/{contract.id}/progress", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    db.session.expire_all()
    (post,) = contract.posts
    assert len(post.photos) == 1
    page = as_("resident").get(f"/procurement/contracts/{contract.id}").get_data(as_text=True)
    assert f"/photos/{post.photos[0].photo_id}" in page
    bad = {"client_id": "p-bad", "body": "照片不对", "photos": [(io.BytesIO(b"not an image"), "x.png")]}
    refused = as_("social_org").post(
        f"/procurement/contracts/{contract.id}/progress", data=bad, content_type="multipart/form-data"
    )
    assert refused.status_code == 400
    db.session.expire_all()
    assert len(contract.posts) == 1


def test_recent_calls_and_awards(app, pw):
    assert queries.recent(access.viewer(pw.users["resident"], pw.world.community), 5) == [
        (pw.call.created_at, "published", pw.call)
    ]
    awarded(pw)
    kinds = [kind for _when, kind, _call in queries.recent(access.viewer(pw.users["staff"], pw.world.community), 5)]
    assert kinds == ["awarded", "published"]
    assert queries.recent(access.viewer(pw.users["outsider"], pw.world.community), 5) == []
    assert services.calls_in(pw.world.other) == []
