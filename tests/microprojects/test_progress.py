"""Progress posts with photos and milestones, on projects under way."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from app.core.uploads import Photo
from app.extensions import db
from app.microprojects.models import ProgressPost, ProjectStatus
from tests.microprojects.test_projects import _apply, _approved


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def _post(client, project, **data):
    files = data.pop("files", [])
    form = {
        "progress-client_id": data.pop("client_id", "p1"),
        "progress-body": "书架已到位，开始整理绘本。",
        "progress-milestone": "书架到位",
        **data,
    }
    form["progress-photos"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(f"/projects/{project.id}/progress", data=form, content_type="multipart/form-data")


def test_the_applicant_posts_progress_with_a_photo(client, auth, world, app):
    project = _approved(world)
    auth.login(world.users["resident"])
    response = _post(client, project, files=[(_jpeg(), "shelf.jpg")])
    assert response.status_code == 302
    post = db.session.query(ProgressPost).one()
    assert (post.milestone, len(post.photos)) == ("书架到位", 1)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "书架已到位" in page and f"/photos/{post.photos[0].photo_id}/thumb" in page


def test_a_retried_post_is_stored_once(client, auth, world):
    project = _approved(world)
    auth.login(world.users["resident"])
    _post(client, project)
    _post(client, project)
    assert db.session.query(ProgressPost).count() == 1


@pytest.mark.parametrize("key", ["owner", "property_manager", "other_staff", "outsider"])
def test_only_the_applicant_and_staff_post(client, auth, world, key):
    project = _approved(world)
    auth.login(world.users[key])
    assert _post(client, project).status_code in (403, 404)
    assert db.session.query(ProgressPost).count() == 0


def test_staff_post_too(client, auth, world):
    project = _approved(world)
    auth.login(world.users["staff"])
    assert _post(client, project).status_code == 302


def test_not_before_approval(client, auth, world):
    project = _apply(world)
    auth.login(world.users["resident"])
    assert _post(client, project).status_code == 409
    assert project.status == ProjectStatus.DRAFT and db.session.query(ProgressPost).count() == 0


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"progress-body": ""}, 400),
        ({"progress-body": "x"}, 400),
        ({"progress-milestone": "里" * 101}, 400),
        ({"files": [(b"not an image", "fake.jpg")]}, 400),
        ({"files": [(_jpeg(), f"{n}.jpg") for n in range(7)]}, 400),
    ],
)
def test_bad_input_stores_nothing(client, auth, world, app, data, status):
    project = _approved(world)
    auth.login(world.users["resident"])
    assert _post(client, project, **data).status_code == status
    assert db.session.query(ProgressPost).count() == 0
    assert db.session.query(Photo).count() == 0
    assert not list(Path(app.config["UPLOAD_DIR"]).rglob("*.*"))  # no file left behind
