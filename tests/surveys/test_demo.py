"""The demo's satisfaction campaigns: one closed with at least 30 households' answers, its results readable by
the street staff and its organisation's results by a resident, the note published; one open (the community's
own: the street-wide campaign's part in it is another)."""

from __future__ import annotations

from sqlalchemy import select

from app import demo
from app.accounts.models import User
from app.extensions import db
from app.satisfaction.models import Campaign, CampaignState
from app.surveys import queries
from app.surveys.models import Survey
from tests.surveys import logged_in


def test_demo_campaigns(app):
    demo.load("demo-password-1")
    db.session.commit()
    own = select(Campaign).where(Campaign.street_campaign_id.is_(None)).order_by(Campaign.id)
    closed, opened = db.session.scalars(own).all()  # the community's own (the street's is tested in tests/test_demo.py)
    assert closed.state == CampaignState.CLOSED and opened.state == CampaignState.OPEN
    assert closed.note_published_at is not None
    for subject in closed.subjects:
        found = queries.results(db.session.get(Survey, subject.survey_id))
        assert found.responses >= 30 and found.score is not None
    street = db.session.scalar(select(User).where(User.phone == "13800000011"))
    resident = db.session.scalar(select(User).where(User.phone == "13800000001"))
    by_kind = {s.kind: s for s in closed.subjects}
    assert logged_in(app, street).get(f"/surveys/{by_kind['worker'].survey_id}/results").status_code == 200
    assert logged_in(app, resident).get(f"/surveys/{by_kind['worker'].survey_id}/results").status_code == 404
    assert logged_in(app, resident).get(f"/surveys/{by_kind['organisation'].survey_id}/results").status_code == 200
    assert demo.load("demo-password-1") is False  # once
