"""Service projects and social organisations told what concerns them (the three-socials pipeline, issue 18):

- a call published: the agents of the district's verified organisations whose service areas match its item;
- an award published: each applicant's agents (won / not won, with a link) and the community's residents (公示);
- a milestone whose residents' satisfaction is in: those who sign it off (the community's staff, the panel);
- a payment released: the organisation's agents;
- on the tick: panel experts who have not scored every application on the last day of scoring, and an
  organisation's agents 30 days before a qualification expires; each once (the notification's key).

A flow, like notices.py: procurement and orgs know no notification kind, and every subscriber only adds rows
(notify() flushes and queues the push for after the commit), so a refused use case stores and sends nothing."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.communities.models import MemberRole, Membership, MembershipStatus, Role
from app.core.clock import last_day, local_today
from app.core.money import format_yuan
from app.core.web import path_for as _path
from app.extensions import db
from app.needs.models import Affected
from app.notifications import kinds, schedule
from app.notifications.kinds import Importance
from app.notifications.services import notify
from app.orgs.models import Organisation, OrgStatus, Qualification
from app.procurement import signals
from app.procurement.models import Application, CallStatus, Milestone, Payment, ServiceCall
from app.satisfaction.queries import residents

CALL_PUBLISHED = "procurement_call"
AWARD_RESULT = "procurement_award"
AWARD_PUBLICITY = "procurement_publicity"
SIGN_OFF = "procurement_sign_off"
PAID = "procurement_paid"
SCORING_DUE = "procurement_scoring_due"
QUALIFICATION_EXPIRING = "org_qualification_expiring"
EXPIRY_NOTICE_DAYS = 30

kinds.register(CALL_PUBLISHED, Importance.INFO, _l("A call for service projects in your organisation's areas"))
kinds.register(AWARD_RESULT, Importance.ACTION, _l("The award of a call your organisation applied to"))
kinds.register(AWARD_PUBLICITY, Importance.INFO, _l("A service project's award published for 公示"))
kinds.register(SIGN_OFF, Importance.ACTION, _l("A service project's milestone awaits your sign-off"))
kinds.register(PAID, Importance.INFO, _l("A payment to your organisation was released"))
kinds.register(SCORING_DUE, Importance.ACTION, _l("Scoring ends tomorrow and you have not scored every application"))
kinds.register(QUALIFICATION_EXPIRING, Importance.ACTION, _l("Your organisation's qualification expires soon"))


def _agents(organisation: Organisation) -> list[User]:
    return [a.user for a in organisation.agents if a.user.active]


@signals.call_published.connect
def _call_published(call: ServiceCall, **_):
    """Verified organisations of the call's district whose service areas take in who the item serves (an item
    for everyone: every verified organisation of the district)."""
    affected = call.guidance_item.affected
    organisations = db.session.scalars(
        select(Organisation)
        .where(Organisation.district_id == call.street.district_id, Organisation.status == OrgStatus.VERIFIED)
        .options(selectinload(Organisation.agents))
        .order_by(Organisation.id)
    ).all()
    day = last_day(call.deadline).isoformat()
    for organisation in organisations:
        if affected != Affected.ALL and affected.value not in (organisation.service_areas or []):
            continue
        for user in _agents(organisation):
            notify(
                user,
                CALL_PUBLISHED,
                _l(
                    "A call for “%(title)s” (up to %(ceiling)s) takes applications until %(day)s: %(org)s may apply.",
                    title=call.title,
                    ceiling=format_yuan(call.ceiling_fen),
                    day=day,
                    org=organisation.name,
                ),
                url=_path("procurement.call", call_id=call.id),
                community_id=call.community_id,
                key=f"{CALL_PUBLISHED}:{call.id}",
            )


@signals.call_awarded.connect
def _call_awarded(call: ServiceCall, contract, application: Application, **_):
    """Every applicant hears whether it won, with a link to the scores; the residents see the 公示."""
    url = _path("procurement.call", call_id=call.id)
    for applicant in call.applications:
        won = applicant.id == application.id
        message = (
            _l(
                "“%(title)s” was awarded to %(org)s: your application won.",
                title=call.title,
                org=applicant.organisation.name,
            )
            if won
            else _l(
                "“%(title)s” was awarded to %(winner)s; the application of %(org)s did not win. "
                "The scores are published.",
                title=call.title,
                winner=application.organisation.name,
                org=applicant.organisation.name,
            )
        )
        for user in _agents(applicant.organisation):
            notify(
                user, AWARD_RESULT, message, url=url, community_id=call.community_id, key=f"{AWARD_RESULT}:{call.id}"
            )
    publicity = _path("procurement.publicity", call_id=call.id)
    for user in residents(call.community_id):
        notify(
            user,
            AWARD_PUBLICITY,
            _l(
                "公示: the service project “%(title)s” was awarded to %(org)s, with every score published.",
                title=call.title,
                org=application.organisation.name,
            ),
            url=publicity,
            community_id=call.community_id,
            key=f"{AWARD_PUBLICITY}:{call.id}",
        )


def _community_staff(community_id: int) -> list[User]:
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .join(MemberRole, MemberRole.membership_id == Membership.id)
        .where(
            Membership.community_id == community_id,
            Membership.status == MembershipStatus.VERIFIED,
            MemberRole.role == Role.COMMUNITY_STAFF,
            User.active.is_(True),
        )
        .distinct()
    )
    return list(db.session.scalars(query))


@signals.milestone_ready.connect
def _milestone_ready(milestone: Milestone, **_):
    """Evidence and residents' satisfaction are in: the community's staff and the panel's experts may sign off."""
    call = milestone.contract.call
    people = {u.id: u for u in _community_staff(call.community_id)}
    people.update({p.user_id: db.session.get(User, p.user_id) for p in call.panel})
    for user in people.values():
        if user is None or not user.active:
            continue
        notify(
            user,
            SIGN_OFF,
            _l(
                "The milestone “%(milestone)s” of “%(title)s” has its evidence and residents' satisfaction: "
                "it awaits a sign-off.",
                milestone=milestone.title,
                title=call.title,
            ),
            url=_path("procurement.milestone", milestone_id=milestone.id),
            community_id=call.community_id,
            key=f"{SIGN_OFF}:{milestone.id}",
        )


@signals.payment_released.connect
def _payment_released(payment: Payment, milestone: Milestone, **_):
    contract = milestone.contract
    for user in _agents(contract.organisation):
        notify(
            user,
            PAID,
            _l(
                "%(amount)s was released to %(org)s for the milestone “%(milestone)s” of “%(title)s”.",
                amount=format_yuan(payment.amount_fen),
                org=contract.organisation.name,
                milestone=milestone.title,
                title=contract.call.title,
            ),
            url=_path("procurement.milestone", milestone_id=milestone.id),
            community_id=contract.community_id,
            key=f"{PAID}:{payment.id}",
        )


def _has_scored_all(call: ServiceCall, user_id: int) -> bool:
    """Every application has this expert's submitted sheet or declared conflict."""
    for application in call.applications:
        sheet = next((s for s in application.sheets if s.expert_id == user_id), None)
        if sheet is None or not (sheet.conflicted or sheet.submitted_at is not None):
            return False
    return True


def _scoring_ends_tomorrow(now) -> int:
    """The scheduler's reminder: on the day before the scoring ends (Beijing day), panel experts of a call whose
    applications are closed who have not scored every application hear it, once."""
    tomorrow = local_today(now) + timedelta(days=1)
    sent = 0
    calls = select(ServiceCall).where(
        ServiceCall.status == CallStatus.OPEN,
        ServiceCall.deadline <= now,
        ServiceCall.scoring_ends.is_not(None),
        ServiceCall.scoring_ends > now,
        ServiceCall.scoring_ends <= now + timedelta(days=2),
    )
    for call in db.session.scalars(calls).all():
        if last_day(call.scoring_ends) != tomorrow or not call.applications:
            continue
        for member in call.panel:
            user = db.session.get(User, member.user_id)
            if user is None or not user.active or _has_scored_all(call, user.id):
                continue
            item = notify(
                user,
                SCORING_DUE,
                _l(
                    "Scoring of “%(title)s” ends tomorrow (%(day)s) and you have not scored every application.",
                    title=call.title,
                    day=tomorrow.isoformat(),
                ),
                url=_path("procurement.call", call_id=call.id),
                community_id=call.community_id,
                key=f"{SCORING_DUE}:{call.id}",
            )
            sent += item is not None
    return sent


def _qualifications_expiring(now) -> int:
    """The scheduler's reminder: the agents of an organisation (not suspended) whose qualification expires within
    30 days hear it once per qualification."""
    today = local_today(now)
    soon = select(Qualification).where(
        Qualification.expires_on >= today, Qualification.expires_on <= today + timedelta(days=EXPIRY_NOTICE_DAYS)
    )
    sent = 0
    for qualification in db.session.scalars(soon).all():
        organisation = qualification.organisation
        if organisation.status == OrgStatus.SUSPENDED:
            continue
        for user in _agents(organisation):
            item = notify(
                user,
                QUALIFICATION_EXPIRING,
                _l(
                    "The qualification “%(name)s” of %(org)s expires on %(day)s: renew it and add the new one, "
                    "or the organisation may not be awarded.",
                    name=qualification.name,
                    org=organisation.name,
                    day=qualification.expires_on.isoformat(),
                ),
                url=_path("orgs.show", org_id=organisation.id),
                key=f"{QUALIFICATION_EXPIRING}:{qualification.id}",
            )
            sent += item is not None
    return sent


schedule.register("procurement_scoring_due", _scoring_ends_tomorrow)
schedule.register("org_qualifications_expiring", _qualifications_expiring)
