"""The demo's people and places: one account per role, and the household roster of its buildings."""

from __future__ import annotations

from dataclasses import dataclass

from app.communities.models import (
    Building,
    Community,
    Household,
    HouseholdOwner,
    OfficeRole,
    Relation,
    Role,
)
from app.extensions import db

SLUG = "cuizhuyuan"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = [
    "秀英",
    "桂英",
    "建国",
    "志强",
    "丽华",
    "海燕",
    "文博",
    "国华",
    "晓东",
    "淑珍",
    "玉兰",
    "德明",
    "春梅",
    "红霞",
    "伟",
    "静",
    "磊",
    "敏",
    "军",
    "芳",
]


@dataclass(frozen=True)
class DemoAccount:
    phone: str
    name: str
    role: str  # a Role or OfficeRole value, or "unverified"
    household: tuple[str, str, str] | None  # (building, unit, room)
    relation: Relation | None = None


ACCOUNTS = [
    DemoAccount("13800000001", "王秀兰", Role.RESIDENT, ("1栋", "1", "101"), Relation.FAMILY),
    DemoAccount("13800000002", "张建国", Role.OWNER, ("1栋", "1", "201"), Relation.OWNER),
    DemoAccount("13800000003", "李桂芳", Role.BUILDING_LEADER, ("1栋", "2", "301"), Relation.OWNER),
    DemoAccount("13800000004", "吴晓东", Role.GROUP_LEADER, ("2栋", "1", "402"), Relation.OWNER),
    DemoAccount("13800000005", "郑春梅", Role.RESIDENT_REP, ("3栋", "1", "502"), Relation.TENANT),
    DemoAccount("13800000006", "陈志明", Role.PROPERTY_MANAGER, None),
    DemoAccount("13800000007", "刘淑珍", Role.OWNERS_COMMITTEE, ("2栋", "2", "201"), Relation.OWNER),
    DemoAccount("13800000008", "赵丽华", Role.COMMUNITY_STAFF, None),
    DemoAccount("13800000009", "孙海燕", Role.SOCIAL_ORG, None),
    DemoAccount("13800000010", "周文博", Role.EXPERT, None),
    DemoAccount("13800000011", "马德华", OfficeRole.STREET_STAFF, None),
    DemoAccount("13800000012", "黄国华", OfficeRole.DISTRICT_STAFF, None),
    DemoAccount("13800000013", "林玉兰", "unverified", ("1栋", "1", "302"), Relation.FAMILY),
    DemoAccount("13800000014", "育英小学", Role.RESIDENT_UNIT, None),
]


def _owner_name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]


def roster(community: Community, buildings: int = 4) -> dict[tuple[str, str, str], Household]:
    """Buildings of 2 units x 6 floors x 2 rooms, with a co-owned unit, a multi-unit owner
    and unsold developer units, as art. 278 counting needs them."""
    households = {}
    index = 0
    for number in range(1, buildings + 1):
        building = Building(community_id=community.id, name=f"{number}栋", sort_order=number)
        db.session.add(building)
        db.session.flush()
        for unit in ("1", "2"):
            for floor in range(1, 7):
                for door in (1, 2):
                    room = f"{floor}0{door}"
                    area = 8950 if door == 1 else 12035  # 89.50 m² and 120.35 m²
                    household = Household(
                        community_id=community.id,
                        building_id=building.id,
                        unit=unit,
                        room=room,
                        area_centi_m2=area + number * 100,
                    )
                    if number == buildings and unit == "2" and floor == 6:
                        household.developer_unsold = True
                        household.owners = [HouseholdOwner(name="开发商（未售）", is_representative=True)]
                    else:
                        index += 1
                        household.owners = [
                            HouseholdOwner(name=_owner_name(index), phone=f"139{index:08d}", is_representative=True)
                        ]
                    db.session.add(household)
                    households[(building.name, unit, room)] = household
    # 1栋1-102 is co-owned by a couple; 林玉兰's husband owns 1栋1-302 and 1栋1-402.
    if buildings > 1:
        couple = households[("1栋", "1", "102")]
        couple.owners.append(HouseholdOwner(name="钱丽娟", phone="13900009901", is_representative=False))
        multi = households[("1栋", "1", "402")]
        multi.owners[0].name, multi.owners[0].phone = "林德明", "13900009902"
        again = households[("1栋", "1", "302")]
        again.owners[0].name, again.owners[0].phone = "林德明", "13900009902"
    db.session.flush()
    return households


def account_table() -> list[tuple[str, str, str]]:
    """(phone, name, role) for printing."""
    return [(a.phone, a.name, str(a.role)) for a in ACCOUNTS]
