"""The edge owns the transaction: a use case refused part-way, after it wrote something, leaves nothing
written, and tells nobody (no notification, no emit)."""

from __future__ import annotations

import pytest

from app.core.errors import DomainError
from app.core.uploads import Photo, PhotoStore
from app.core.web import perform
from app.extensions import db, socketio
from app.flows import ideas as flows
from app.ideas import services
from app.ideas.models import Idea, IdeaEvent, IdeaPhoto, IdeaStatus
from app.microprojects.models import MicroProject
from app.notifications.models import Notification
from tests.ideas import count, image_bytes, logged_in, make_idea, viewer


@pytest.fixture
def emitted(monkeypatch):
    """Every socket emit, recorded instead of sent."""
    sent = []
    monkeypatch.setattr(socketio, "emit", lambda *args, **kwargs: sent.append((args, kwargs)))
    return sent


def _files(directory) -> list:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def test_a_submission_refused_after_its_first_photo_leaves_nothing(app, world, tmp_path, emitted):
    """The first photo is stored (its row and its files), the second is refused: neither the idea nor
    the first photo remains, and nothing was announced."""
    store = PhotoStore(
        {**app.config, "UPLOAD_DIR": str(tmp_path)},
        community_id=world.community.id,
        owner_id=world.users["resident"].id,
    )
    saved = []
    real_save = store.save
    store.save = lambda data: saved.append(real_save(data)) or saved[-1]
    with app.test_request_context():
        outcome = perform(
            lambda: services.submit(
                viewer(world, "resident"),
                client_id="c-1",
                title="楼道加装扶手",
                description="1栋楼道台阶陡，老人上下不方便。",
                category="safety",
                photos=[image_bytes("JPEG"), b"not a photo" * 20],
                store=store,
            )
        )
    assert outcome.status == 400
    assert len(saved) == 1  # something was written before the refusal
    db.session.expire_all()
    assert (count(Idea), count(IdeaPhoto), count(Photo), count(IdeaEvent)) == (0, 0, 0, 0)
    assert _files(tmp_path) == []
    assert count(Notification) == 0 and emitted == []


def test_an_adoption_refused_after_the_draft_was_made_leaves_nothing(app, world, monkeypatch, emitted):
    """The draft micro-project is made (and its applicant's notification queued), then the idea's side
    refuses: the edge rolls both back, and the submitter hears of nothing."""
    idea = make_idea(world, "resident", status=IdeaStatus.UNDER_REVIEW)
    before = (count(MicroProject), count(Notification), count(IdeaEvent))

    def refuse(*args, **kwargs):
        assert count(MicroProject) == before[0] + 1  # the draft was written
        raise DomainError("wrong_status", "refused part-way", status=409)

    monkeypatch.setattr(flows.ideas, "change_status", refuse)
    response = logged_in(app, world.users["staff"]).post(f"/ideas/{idea.id}/adopt-project", data={"reason": "理由"})
    assert response.status_code == 409
    db.session.expire_all()
    assert (count(MicroProject), count(Notification), count(IdeaEvent)) == before
    assert db.session.get(Idea, idea.id).status == IdeaStatus.UNDER_REVIEW
    assert emitted == []
