"""Test data builders. Passwords share one precomputed, cheap scrypt hash to keep the suite fast."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from app.accounts import sessions
from app.accounts.models import User
from app.communities.models import (
    Building,
    Community,
    District,
    Household,
    HouseholdOwner,
    InviteCode,
    MemberRole,
    Membership,
    MembershipStatus,
    OfficeAssignment,
    OfficeRole,
    Relation,
    Role,
    Street,
)
from app.core.phones import normalize_phone
from app.extensions import db

PASSWORD = "correct-horse-9"
# The suite logs in thousands of times, and checking a password costs what hashing it did: werkzeug
# reads the scrypt cost from the stored hash. The site hashes with werkzeug's default (scrypt, N=32768,
# about 70 ms a check); the builders' users carry N=1024, 32 times cheaper. Accounts made through the
# site (registration, the demo) keep the site's hash.
_HASH = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
_seq = itertools.count(1)


def user(name: str | None = None, phone: str | None = None, **kw) -> User:
    """A user who reads English, so tests can assert the English msgids; pass locale="zh_CN" for Chinese."""
    kw.setdefault("locale", "en")
    n = next(_seq)
    u = User(phone=phone or f"137{n:08d}", name=name or f"居民{n}", password_hash=_HASH, **kw)
    db.session.add(u)
    db.session.flush()
    return u


def login_token(user_: User, *, remember: bool = True) -> str:
    """A login of `user_` without a password (fast), committed: its token, what Flask-Login keeps as the
    session's `_user_id`. Committed, unlike the other builders' rows, so that a refused request rolling
    back does not log the test's client out."""
    _login, token = sessions.start(user_, remember=remember, device="Test")
    db.session.commit()
    return token


def district(name: str | None = None) -> District:
    d = District(name=name or f"区{next(_seq)}")
    db.session.add(d)
    db.session.flush()
    return d


def street(district_: District | None = None, name: str | None = None) -> Street:
    s = Street(district=district_ or district(), name=name or f"街道{next(_seq)}")
    db.session.add(s)
    db.session.flush()
    return s


def community(street_: Street | None = None, name: str | None = None, slug: str | None = None) -> Community:
    n = next(_seq)
    c = Community(street=street_ or street(), name=name or f"社区{n}", slug=slug or f"c{n}")
    db.session.add(c)
    db.session.flush()
    return c


def building(community_: Community, name: str | None = None) -> Building:
    b = Building(community_id=community_.id, name=name or f"{next(_seq)}栋")
    db.session.add(b)
    db.session.flush()
    return b


def household(
    building_: Building, unit: str = "1", room: str | None = None, area: int = 8950, owners=None
) -> Household:
    h = Household(
        community_id=building_.community_id,
        building_id=building_.id,
        unit=unit,
        room=room or str(100 + next(_seq)),
        area_centi_m2=area,
    )
    for i, (owner_name, owner_phone) in enumerate(owners or []):
        h.owners.append(HouseholdOwner(name=owner_name, phone=owner_phone, is_representative=i == 0))
    db.session.add(h)
    db.session.flush()
    return h


def membership(
    user_: User,
    community_: Community,
    *roles: Role,
    status: MembershipStatus = MembershipStatus.VERIFIED,
    household_: Household | None = None,
    led_building: Building | None = None,
    relation: Relation | None = None,
) -> Membership:
    m = Membership(
        user_id=user_.id,
        community_id=community_.id,
        household_id=household_.id if household_ else None,
        relation=relation or (Relation.OWNER if household_ else None),
        status=status,
    )
    for role in roles:
        m.roles.append(
            MemberRole(
                role=role, building_id=led_building.id if role == Role.BUILDING_LEADER and led_building else None
            )
        )
    db.session.add(m)
    db.session.flush()
    return m


def office(user_: User, role: OfficeRole, *, street_: Street | None = None, district_: District | None = None):
    o = OfficeAssignment(
        user_id=user_.id,
        role=role,
        street_id=street_.id if street_ else None,
        district_id=district_.id if district_ else None,
    )
    db.session.add(o)
    db.session.flush()
    return o


def invite(community_: Community, building_: Building | None = None, code: str | None = None) -> InviteCode:
    i = InviteCode(
        community_id=community_.id,
        building_id=building_.id if building_ else None,
        code=code or f"INV{next(_seq):05d}",
    )
    db.session.add(i)
    db.session.flush()
    return i


def register(
    client, *, phone: str = "13812345678", name: str = "王秀兰", password: str = PASSWORD, confirm=None, **extra
):
    """Register through the two pages as a resident does: the number (a code is texted, on the development
    backend), then the code, name and password. Returns the last response (step 1's if it was refused)."""
    from app.core import sms

    first = client.post("/account/register", data={"phone": phone, **extra})
    if first.status_code != 303:
        return first
    texted = [m for m in sms.backend().recent() if m.template == "register_code" and m.phone == normalize_phone(phone)]
    code = texted[0].params["code"] if texted else "000000"  # a registered number is texted nothing
    data = {"phone": phone, "code": code, "name": name, "password": password, "confirm": confirm or password}
    return client.post("/account/register/verify", data={**data, **extra})


# --- surveys ---
SURVEY_QUESTIONS = [
    {"kind": "single", "text": "Is the lift clean?", "options": ["Yes", "No"]},
    {"kind": "multiple", "text": "What should we fix?", "options": ["Lights", "Benches", "Paths"], "required": False},
    {"kind": "scale", "text": "Overall satisfaction", "min": 1, "max": 5},
    {"kind": "text", "text": "Anything else?", "required": False},
]


def survey(community_, *, questions=None, open_=True, respondent="household", anonymous=True, **kw):
    """A survey of the community (opened unless `open_=False`), with SURVEY_QUESTIONS by default."""
    from app.surveys import services as survey_services

    made = survey_services.create_survey(
        community_,
        title=kw.pop("title", "Lift survey"),
        questions=SURVEY_QUESTIONS if questions is None else questions,
        respondent=respondent,
        anonymous=anonymous,
        owner_kind=kw.pop("owner_kind", None),
        owner_id=kw.pop("owner_id", None),
        closes_at=kw.pop("closes_at", None),
        created_by=kw.pop("created_by", None),
        **kw,
    )
    if open_:
        survey_services.open_survey(made)
    return made


def survey_answers(made, *, single=0, multiple=(), scale=None, text=""):
    """A submission's fields for `made` (built with SURVEY_QUESTIONS): option positions (0-based), a value."""
    q = made.questions
    data = {f"q{q[0].id}": [str(q[0].options[single].id)], f"q{q[1].id}": [str(q[1].options[i].id) for i in multiple]}
    data[f"q{q[2].id}"] = [str(scale)] if scale is not None else []
    data[f"q{q[3].id}"] = [text] if text else []
    return data


# --- needs ---


def need(community_: Community, author: User | None = None, *, title: str = "老年人助餐", status=None, **kw):
    """A need of the community (submitted, unless `status` says otherwise), with its first history step."""
    from app.needs.models import Affected, Need, NeedEvent, NeedStatus

    n = Need(
        community_id=community_.id,
        author_id=author.id if author else None,
        client_id=f"need-{next(_seq)}",
        title=title,
        description=kw.pop("description", "独居老人中午吃饭不方便。"),
        affected=kw.pop("affected", Affected.ELDERLY),
        status=status or NeedStatus.SUBMITTED,
        **kw,
    )
    n.events.append(NeedEvent(actor_id=author.id if author else None, to_status=n.status))
    db.session.add(n)
    db.session.flush()
    return n


def need_expert(user_: User, *, street_: Street | None = None, district_: District | None = None):
    """An expert appointment (专家组) of a street or a district."""
    from app.communities.models import ExpertAppointment

    a = ExpertAppointment(
        user_id=user_.id, street_id=street_.id if street_ else None, district_id=district_.id if district_ else None
    )
    db.session.add(a)
    db.session.flush()
    return a


def need_score(need_, expert: User, *, grades=(4, 4, 3, 4), reason: str = "需求迫切，可行。"):
    from app.needs.models import NeedScore

    urgency, households, feasibility, cost = grades
    s = NeedScore(
        need_id=need_.id,
        expert_id=expert.id,
        urgency=urgency,
        households=households,
        feasibility=feasibility,
        cost=cost,
        reason=reason,
    )
    db.session.add(s)
    db.session.flush()
    db.session.refresh(need_, ["scores"])
    return s


# --- procure ---


def procure_org(district_, *, name=None, agents=(), expires=None, status=None, street_=None):
    """A social organisation (verified, qualified until `expires`, 2099 by default) with these agents."""
    from datetime import date

    from app.orgs.models import OrgAgent, Organisation, OrgKind, OrgStatus, Qualification

    n = next(_seq)
    org = Organisation(
        district_id=district_.id,
        street_id=street_.id if street_ else None,
        name=name or f"社工机构{n}",
        registration_number=f"5232{n:014d}",
        kind=OrgKind.SOCIAL_SERVICE,
        service_areas=["elderly"],
        status=status or OrgStatus.VERIFIED,
    )
    org.qualifications.append(Qualification(name="社会组织等级评估", expires_on=expires or date(2099, 12, 31)))
    for agent in agents:
        org.agents.append(OrgAgent(user_id=agent.id))
    db.session.add(org)
    db.session.flush()
    return org


def procure_expert(user_: User, street_: Street):
    from app.communities.models import ExpertAppointment

    appointment = ExpertAppointment(user_id=user_.id, street_id=street_.id, field="养老")
    db.session.add(appointment)
    db.session.flush()
    return appointment


def procure_item(community_: Community, *, street_wide: bool = False, title: str = "老年人助餐服务"):
    """A published guidance item of the community (or street-wide)."""
    from app.needs.models import GuidanceItem, GuidanceStatus

    item = GuidanceItem(
        street_id=community_.street_id,
        community_id=None if street_wide else community_.id,
        year=2026,
        title=title,
        summary="为社区老年人提供助餐",
        status=GuidanceStatus.PUBLISHED,
    )
    db.session.add(item)
    db.session.flush()
    return item


def procure_call(community_: Community, item, creator: User, panel=(), *, ceiling_fen=20_000_000, days=10):
    """An open call with two criteria (3/5 and 2/5) and the given panel, its deadline `days` from now."""
    from datetime import timedelta

    from app.core.models import utcnow
    from app.procurement.models import Criterion, PanelMember, ServiceCall

    call = ServiceCall(
        street_id=community_.street_id,
        community_id=community_.id,
        guidance_item_id=item.id,
        created_by_id=creator.id,
        client_id=f"call{next(_seq)}",
        title="老年人助餐服务项目",
        scope="为60岁以上老人提供每日午餐",
        ceiling_fen=ceiling_fen,
        deadline=utcnow() + timedelta(days=days),
        scoring_ends=utcnow() + timedelta(days=days + 14),
    )
    call.criteria.append(Criterion(position=0, name="服务方案", weight_num=3, weight_den=5))
    call.criteria.append(Criterion(position=1, name="预算合理性", weight_num=2, weight_den=5))
    for user_ in panel:
        call.panel.append(PanelMember(user_id=user_.id))
    db.session.add(call)
    db.session.flush()
    return call


# --- orgs ---


def organisation(
    district_: District,
    *agents: User,
    street_: Street | None = None,
    name: str | None = None,
    number: str | None = None,
    status: str = "verified",
    qualified_until=None,
):
    """A social organisation in `district_` (under `street_` if given), acting through `agents`; verified
    unless told, with one qualification valid until `qualified_until` if given. `number` defaults to a
    valid unified social credit code of its own."""
    from app.orgs import credit_code
    from app.orgs.models import OrgAgent, Organisation, OrgKind, OrgStatus, Qualification

    n = next(_seq)
    if number is None:
        first17 = f"5232011{n % 10}MJ{n:07d}"[:17]
        number = first17 + credit_code.check_character(first17)
    org = Organisation(
        district_id=district_.id,
        street_id=street_.id if street_ else None,
        name=name or f"社会组织{n}",
        registration_number=number,
        kind=OrgKind.SOCIAL_SERVICE,
        service_areas=["elderly"],
        status=OrgStatus(status),
    )
    for agent in agents:
        org.agents.append(OrgAgent(user_id=agent.id))
    if qualified_until is not None:
        org.qualifications.append(Qualification(name="等级评估 4A", number="A-1", expires_on=qualified_until))
    db.session.add(org)
    db.session.flush()
    return org
