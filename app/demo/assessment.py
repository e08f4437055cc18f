"""The demo's 精品社区 assessment: 雨花台区's scheme for last year (two criteria computed from the dashboards'
figures, one scored by hand with evidence), published, computed, scored by the street and district officers, and
its results published to the communities. Made through the use cases, so it holds only what the site allows."""

from __future__ import annotations

from app.accounts.models import User
from app.assessment import services
from app.communities.models import Community
from app.core.clock import local_today
from app.extensions import db

CRITERIA = (
    {"title": "居民认证", "points": 30, "kind": "figure", "figure_key": "members_verified", "rule": "rank"},
    {
        "title": "微基金投入",
        "description": "年度微基金预算：1万元起计，3万元满分。",
        "points": 30,
        "kind": "figure",
        "figure_key": "fund_budget",
        "rule": "linear",
        "floor": 10_000,
        "target": 30_000,
    },
    {
        "title": "社区治理台账",
        "description": "议事记录、公示材料、回访记录齐全规范。",
        "points": 40,
        "kind": "manual",
    },
)
LEDGERS = {  # community slug → (points of 40, evidence, why)
    "cuizhuyuan": (36, "抽查议事记录12份、公示照片8组，回访记录齐全。", "台账规范，个别回访未签字。"),
    "nantang": (29, "抽查议事记录6份，公示材料缺2期。", "公示材料不全。"),
    "chunjiang": (32, "议事记录8份齐全，回访记录电子化。", "记录完整。"),
    "huashen": (24, "议事记录4份，无回访记录。", "缺回访环节。"),
}


def load(community: Community, users: dict[str, User]) -> None:
    district_id = community.street.district_id
    head = users["13800000012"]
    district = services.officer(head, district_id)
    scheme = services.create_scheme(district, head, local_today().year - 1, "精品社区创建考核", "demo-assessment")
    for index, data in enumerate(CRITERIA):
        services.add_criterion(
            district, head, scheme, {"client_id": f"demo-{index}", "description": "", "lower_is_better": False, **data}
        )
    services.publish(district, head, scheme)
    for assessment in services.compute(district, head, scheme):
        slug = assessment.community.slug
        points, evidence, reason = LEDGERS.get(slug, (28, "抽查议事记录。", "基本齐全。"))
        street = services.officer(users["13800000011"], district_id)  # 梅山街道's officer scores 翠竹园
        who, scorer = (street, users["13800000011"]) if slug == community.slug else (district, head)
        manual = scheme.criteria[-1]
        services.score(
            who,
            scorer,
            assessment,
            manual,
            {"client_id": f"demo-{slug}", "points": points, "evidence": evidence, "reason": reason},
        )
    services.publish_results(district, head, scheme)
    db.session.flush()
