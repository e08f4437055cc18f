"""The demo's notices (社区公告): one pinned for the community, one for a building, one from the property."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import User
from app.communities.models import Community
from app.core.models import utcnow
from app.extensions import db
from app.notices.models import Notice


def load(community: Community, users: dict[str, User]) -> None:
    """Three notices residents see on the notices page (no messages sent: the demo is loaded quietly)."""
    now = utcnow()
    building_1 = next(b for b in community.buildings if b.name == "1栋")
    entries = [
        (
            "13800000008",
            None,
            "外墙维修三家报价已公示",
            "外墙维修（业主共同决定）的三家施工报价已张贴在物业服务中心公告栏，"
            "也可到社区居委会查阅。投票前请各位业主仔细比较，有疑问可在工作日9:00-17:00来电咨询。",
            True,
            now + timedelta(days=30),
        ),
        (
            "13800000003",
            building_1.id,
            "1栋本周六上午停水",
            "因二次供水管道检修，1栋本周六8:00-12:00停水，请提前储水。给大家带来不便，敬请谅解。",
            False,
            now + timedelta(days=7),
        ),
        (
            "13800000006",
            None,
            "冬季消防安全提示",
            "天气转冷，请勿在楼道内给电动车充电，不要堆放杂物；使用取暖器时人走断电。消防通道请保持畅通。",
            False,
            None,
        ),
    ]
    for phone, building_id, title, body, pinned, expires_at in entries:
        db.session.add(
            Notice(
                community_id=community.id,
                building_id=building_id,
                author_id=users[phone].id,
                client_id=f"demo-{title}",
                title=title,
                body=body,
                pinned=pinned,
                expires_at=expires_at,
            )
        )
    db.session.flush()
