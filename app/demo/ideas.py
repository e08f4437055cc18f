"""The demo's ideas: three golden ideas at different steps of the loop."""

from __future__ import annotations

from app.accounts.models import User
from app.communities.models import Community
from app.extensions import db
from app.ideas.models import Category, Endorsement, Idea, IdeaEvent, IdeaStatus


def load(community: Community, users: dict[str, User]) -> None:
    """Three golden ideas at different steps of the loop."""
    staff = users["13800000008"]
    entries = [
        (
            "13800000001",
            "楼道加装扶手",
            Category.ELDERLY,
            "1栋、2栋楼道台阶陡，老人上下楼不方便，建议加装扶手。",
            IdeaStatus.UNDER_REVIEW,
            "社区已联系物业测量，下周答复。",
            ["13800000002", "13800000004", "13800000005"],
        ),
        (
            "13800000002",
            "周末开设儿童阅读角",
            Category.YOUTH,
            "活动室周末空着，可以开设儿童阅读角，请志愿者轮流值班。",
            IdeaStatus.SUBMITTED,
            "",
            ["13800000001"],
        ),
        (
            "13800000005",
            "垃圾分类点加装洗手池",
            Category.ENVIRONMENT,
            "分类投放后没有地方洗手，建议在3栋旁投放点加装洗手池。",
            IdeaStatus.SUBMITTED,
            "",
            [],
        ),
    ]
    for n, (phone, title, category, text, status, reason, endorsers) in enumerate(entries, start=1):
        author = users[phone]
        idea = Idea(
            community_id=community.id,
            author_id=author.id,
            client_id=f"demo-idea-{n}",
            title=title,
            description=text,
            category=category,
            status=status,
            endorsement_count=len(endorsers),
        )
        idea.events.append(IdeaEvent(actor_id=author.id, from_status=None, to_status=IdeaStatus.SUBMITTED))
        if status != IdeaStatus.SUBMITTED:
            idea.events.append(
                IdeaEvent(actor_id=staff.id, from_status=IdeaStatus.SUBMITTED, to_status=status, reason=reason)
            )
        db.session.add(idea)
        db.session.flush()
        for endorser in endorsers:
            db.session.add(Endorsement(idea_id=idea.id, user_id=users[endorser].id))
    db.session.flush()
