"""The demo's social organisations (pipeline.md's shared names): 雨花睦邻社工服务中心, verified, qualified until
2027-12-31, acting through 孙海燕 (13800000009); and 绿邻环保公益协会, verified, whose qualification expired on
2026-06-30. Get-or-create by registration number, so the other demo modules that read them (calls, contracts)
meet the same rows whichever ran first. Both registration numbers carry a valid GB 32100 check character
(tests/orgs/test_credit_code.py checks them)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.accounts.models import User
from app.communities.models import Community, District
from app.core.models import utcnow
from app.extensions import db
from app.orgs.models import OrgAgent, Organisation, OrgKind, OrgStatus, Qualification

YUHUA_MULIN = "52320114MJ00000016"  # 雨花睦邻社工服务中心
LULIN = "51320114MJ0000002C"  # 绿邻环保公益协会

ORGANISATIONS = [
    # number, name, kind, areas, description, qualification (name, number, valid until), agent's phone
    (
        YUHUA_MULIN,
        "雨花睦邻社工服务中心",
        OrgKind.SOCIAL_SERVICE,
        ["elderly", "disabled", "low_income"],
        "专业社工机构，扎根梅山街道，提供长者助餐、探访关爱和困难家庭帮扶服务。",
        ("社会组织等级评估 4A", "宁民评4A-2024-017", date(2027, 12, 31)),
        "13800000009",
    ),
    (
        LULIN,
        "绿邻环保公益协会",
        OrgKind.ASSOCIATION,
        ["environment", "youth"],
        "倡导垃圾分类和社区绿化，组织青少年环保志愿活动。",
        ("社会团体登记证书年检", "宁社证2023-088", date(2026, 6, 30)),
        None,
    ),
]


def organisation(number: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.registration_number == number))


def load(community: Community, users: dict[str, User]) -> dict[str, Organisation]:
    """The two organisations (made if missing), by registration number."""
    street = community.street
    district = db.session.get(District, street.district_id)
    verifier = users.get("13800000011")
    found = {}
    for number, name, kind, areas, description, (q_name, q_number, until), agent in ORGANISATIONS:
        org = organisation(number)
        if org is None:
            org = Organisation(
                district_id=district.id,
                street_id=street.id,
                name=name,
                registration_number=number,
                kind=kind,
                service_areas=areas,
                description=description,
                status=OrgStatus.VERIFIED,
                verified_at=utcnow(),
                verified_by_id=verifier.id if verifier else None,
            )
            org.qualifications.append(Qualification(name=q_name, number=q_number, expires_on=until))
            db.session.add(org)
            db.session.flush()
        if agent is not None and agent in users and not org.is_agent(users[agent].id):
            org.agents.append(OrgAgent(user_id=users[agent].id))
        found[number] = org
    db.session.flush()
    return found
