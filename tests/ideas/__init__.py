"""Golden ideas: helpers shared by the idea tests (the fixtures live in each module)."""

from __future__ import annotations

import io
import uuid

import lxml.html
from PIL import Image
from sqlalchemy import func, select

from app.communities import access
from app.extensions import db
from app.ideas import services
from app.ideas.models import Category, IdeaStatus
from tests import factories

GPS_IFD = 0x8825


def viewer(world, key: str, community=None):
    """How world.users[key] stands in `community` (the world's own by default): what services take."""
    return access.viewer(world.users[key], community or world.community)


def make_idea(world, key="resident", *, community=None, title=None, category=Category.ENVIRONMENT, status=None, **kw):
    """An idea submitted through the service by world.users[key]; optionally forced into `status`."""
    idea = services.submit(
        viewer(world, key, community),
        client_id=uuid.uuid4().hex,
        title=title or f"楼道加装扶手 {uuid.uuid4().hex[:6]}",
        description=kw.pop("description", "1栋楼道台阶陡，老人上下不方便，建议加装扶手。"),
        category=category,
    )
    for name, value in kw.items():
        setattr(idea, name, value)
    if status is not None:
        idea.status = IdeaStatus(status)
    db.session.commit()
    return idea


def count(model, **filters) -> int:
    query = select(func.count()).select_from(model)
    for name, value in filters.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def image_bytes(fmt: str = "JPEG", size=(120, 90), color="red", **save_args) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, **save_args)
    return out.getvalue()


def jpeg_with_gps(size=(120, 90)) -> bytes:
    """A JPEG carrying a camera make and a GPS position in its EXIF block."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (31.0, 58.0, 0.0), 3: "E", 4: (118.0, 47.0, 0.0)}
    data = image_bytes("JPEG", size, exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD), "the test image must carry GPS data"
    return data


def upload(data: bytes, name: str, content_type: str = "image/jpeg"):
    """One file for a multipart test-client post."""
    return (io.BytesIO(data), name, content_type)


def page(response):
    """The response body as an lxml document."""
    return lxml.html.fromstring(response.get_data(as_text=True))


def text_of(doc, xpath: str) -> str:
    return " ".join(" ".join(node.itertext()) for node in doc.xpath(xpath)).strip()


def logged_in(app, user, language: str = "en"):
    """A test client whose session is logged in as `user` (None: anonymous), asking for `language`."""
    http = app.test_client()
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    if user is not None:
        with http.session_transaction() as session:
            session["_user_id"] = factories.login_token(user)
            session["_fresh"] = True
    return http
