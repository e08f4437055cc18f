"""The demo's microprojects: this year's micro-fund with one project under way."""

from __future__ import annotations

from app.accounts.models import User
from app.communities.models import Community
from app.core.models import utcnow
from app.extensions import db
from app.microprojects import ledger
from app.microprojects.models import BudgetLine, Fund, MicroProject, ProjectEvent, ProjectStatus


def load(community: Community, users: dict[str, User]) -> None:
    """This year's micro-fund with one project under way: allocation and a first expenditure."""
    staff, org = users["13800000008"], users["13800000009"]
    fund = Fund(community_id=community.id, year=utcnow().year, total_fen=50_000_00)
    db.session.add(fund)
    db.session.flush()
    project = MicroProject(
        community_id=community.id,
        fund_id=fund.id,
        applicant_id=org.id,
        title="周末儿童阅读角",
        purpose="在社区活动室开设周末儿童阅读角，服务6-12岁儿童，志愿者轮流值班；三个月内完成布置并开放。",
        status=ProjectStatus.IN_PROGRESS,
        granted_fen=4_450_00,
        lines=[
            BudgetLine(position=0, item="书架", quantity=2, unit_price_fen=450_00),
            BudgetLine(position=1, item="儿童绘本", quantity=100, unit_price_fen=35_50),
        ],
    )
    db.session.add(project)
    db.session.flush()
    for before, after, comment in [
        (ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, ""),
        (ProjectStatus.SUBMITTED, ProjectStatus.UNDER_REVIEW, ""),
        (ProjectStatus.UNDER_REVIEW, ProjectStatus.APPROVED, "预算合理，同意资助。"),
        (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, "书架已订购。"),
    ]:
        actor = org if after in (ProjectStatus.SUBMITTED, ProjectStatus.IN_PROGRESS) else staff
        db.session.add(
            ProjectEvent(project_id=project.id, actor_id=actor.id, from_status=before, to_status=after, comment=comment)
        )
    ledger.allocate(fund, project, 4_450_00, actor_id=staff.id, note=project.title)
    ledger.spend(project, 900_00, actor_id=org.id, note="书架2个")
    db.session.flush()
