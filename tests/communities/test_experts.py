"""Who an expert appointment covers: its street's communities, or every community of its district."""

from datetime import UTC, datetime

from app.communities import experts
from app.communities.models import ExpertAppointment
from app.extensions import db
from tests import factories as f


def test_a_street_expert_covers_the_street_only_and_a_district_expert_every_street(app):
    district = f.district()
    street, other_street = f.street(district), f.street(district)
    here, there = f.community(street), f.community(other_street)
    street_expert, district_expert, ended = f.user(), f.user(), f.user()
    db.session.add_all(
        [
            ExpertAppointment(user_id=street_expert.id, street_id=street.id),
            ExpertAppointment(user_id=district_expert.id, district_id=district.id),
            ExpertAppointment(user_id=ended.id, street_id=street.id, ended_at=datetime(2026, 1, 1, tzinfo=UTC)),
        ]
    )
    db.session.commit()

    assert experts.is_expert_for(street_expert, here)
    assert not experts.is_expert_for(street_expert, there)
    assert experts.is_expert_for(district_expert, here) and experts.is_expert_for(district_expert, there)
    assert not experts.is_expert_for(ended, here)
    assert not experts.is_expert_for(f.user(), here)
    assert [a.user_id for a in experts.experts_for_street(street)] == [street_expert.id, district_expert.id]
    assert [a.user_id for a in experts.experts_for_street(other_street)] == [district_expert.id]
