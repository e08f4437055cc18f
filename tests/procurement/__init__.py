"""Procurement: helpers shared by its tests."""

from __future__ import annotations

from datetime import timedelta

from app.core.errors import DomainError
from app.core.models import utcnow
from app.documents.models import Attachment
from app.extensions import db
from app.procurement import parties

PLAN = "每日为社区60岁以上老人提供午餐，志愿者送餐上门，食堂定点就餐，每月公示菜单。"
BUDGET = "餐费补贴 | 60000\n志愿者保险 | 20000.50"  # ¥80,000.50
MILESTONES = "\n".join(
    [
        "开餐 | 每日30份午餐 | 2027-03-31 | 1/3",
        "中期 | 服务满三个月 | 2027-06-30 | 1/3",
        "结项 | 服务满一年 | 2027-12-31 | 1/3",
    ]
)


def party(user, call):
    return parties.party(user, call.community)


def edge(use_case, *args, **kwargs):
    """Run a use case as an edge does: commit once; on a refusal roll back, and raise it."""
    try:
        result = use_case(*args, **kwargs)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    return result


def close_applications(call) -> None:
    call.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()


def end_scoring(call) -> None:
    """As if the panel's scoring window had gone by (applications closed too)."""
    call.deadline = min(call.deadline, utcnow() - timedelta(days=2))
    call.scoring_ends = utcnow() - timedelta(minutes=1)
    db.session.commit()


def evidence(milestone, user) -> Attachment:
    """An evidence file's row (the documents kernel's upload is tested there)."""
    attachment = Attachment(
        community_id=milestone.contract.community_id,
        owner_kind="milestone",
        owner_id=milestone.id,
        file_name="验收报告.pdf",
        content_type="application/pdf",
        extension="pdf",
        size_bytes=100,
        sha256="0" * 64,
        uploaded_by_id=user.id,
        client_id=f"ev{milestone.id}-{user.id}",
    )
    db.session.add(attachment)
    db.session.commit()
    return attachment
