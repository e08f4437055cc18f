"""The providers of "需要您处理", one per feature: each asks its feature's `queries` (which decide, through
the access rule and the feature's permissions, what counts) and words the items in plain language."""

from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_date, format_skeleton
from flask import url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from app.communities import permissions as community_permissions
from app.communities import services as community_services
from app.consultations import queries as consultation_queries
from app.contests import queries as contest_queries
from app.core.clock import last_day, local_time, local_today
from app.decisions import queries as decision_queries
from app.home.needs import Need, provider
from app.meetings import queries as meeting_queries
from app.microprojects import queries as project_queries
from app.needs import queries as need_queries
from app.neighbours import queries as neighbour_queries
from app.notices import queries as notice_queries
from app.notifications import services as notifications
from app.procurement import queries as procurement_queries
from app.rulebook import queries as rules_queries
from app.satisfaction import queries as satisfaction_queries
from app.slow import queries as slow_queries

# notifications that say one of the viewer's own things changed (an idea's status, a proposal screened,
# a draft application made from their idea, their membership decided)
CHANGED_KINDS = (
    "idea_status",
    "contest_entry_screened",
    "project_drafted",
    "membership_verified",
    "membership_rejected",
    "role_changed",
)


def closing(day: date) -> tuple[str, bool]:
    """("周三 12月10日 截止", urgent): the last day to act, in words; today and tomorrow are urgent."""
    today = local_today()
    if day == today:
        return _("closes today"), True
    if day == today + timedelta(days=1):
        return _("closes tomorrow"), True
    locale = get_locale()
    when = f"{format_date(day, 'EEE', locale=locale)} {format_skeleton('MMMd', day, locale=locale)}"
    return _("closes %(day)s", day=when), False


@provider(10)
def _decision_votes(viewer) -> list[Need]:
    needs = []
    for decision in decision_queries.awaiting_vote(viewer):
        detail, urgent = closing(decision.voting_ends_on)
        url = url_for("decisions.show", decision_id=decision.id)
        needs.append(Need(_("Vote on the owners' decision “%(title)s”", title=decision.title), url, detail, urgent))
    return needs


@provider(20)
def _contest_ballots(viewer) -> list[Need]:
    needs = []
    for contest in contest_queries.awaiting_ballot(viewer):
        detail, urgent = closing(last_day(contest.voting_ends))
        url = url_for("contests.vote", contest_id=contest.id)
        needs.append(Need(_("Vote in the proposal contest “%(title)s”", title=contest.title), url, detail, urgent))
    return needs


@provider(22)
def _contest_org_entries(viewer) -> list[Need]:
    """An organisation's agent: a contest that admits organisations takes entries, and theirs has not entered."""
    needs = []
    for contest, orgs in contest_queries.open_to_my_organisations(viewer):
        last_day = local_time(contest.submission_ends - timedelta(microseconds=1)).date()
        detail, urgent = closing(last_day)
        url = url_for("flows.new_contest_entry", contest_id=contest.id)
        names = "、".join(o.name for o in orgs)
        needs.append(
            Need(
                _("Enter a proposal for %(orgs)s in “%(title)s”", orgs=names, title=contest.title), url, detail, urgent
            )
        )
    return needs


@provider(25)
def _slow_positions(viewer) -> list[Need]:
    needs = []
    for motion in slow_queries.awaiting_position(viewer):
        detail, urgent = closing(local_time(motion.closes_at).date())
        url = url_for("slow.show", consultation_id=motion.consultation_id) + "#proposal"
        needs.append(Need(_("State your position on the proposal “%(text)s”", text=motion.text), url, detail, urgent))
    return needs


@provider(30)
def _motions_to_second(viewer) -> list[Need]:
    return [
        Need(
            _("A motion waits for a second: “%(text)s”", text=motion.text),
            url_for("consultations.room", consultation_id=motion.consultation_id),
            motion.consultation.title,
        )
        for motion in consultation_queries.awaiting_second(viewer)
    ]


@provider(40)
def _live_consultations(viewer) -> list[Need]:
    return [
        Need(
            _("Consultation under way: “%(title)s”", title=consultation.title),
            url_for("consultations.room", consultation_id=consultation.id),
            _("You take part in it") if party else _("Open to read and follow"),
        )
        for consultation, party in consultation_queries.live(viewer)
    ]


@provider(50)
def _things_that_changed(viewer) -> list[Need]:
    return [
        Need(item.text, item.url or url_for("notifications.inbox"), _("New for you"))
        for item in notifications.unread_of_kinds(viewer.user, viewer.community_id, CHANGED_KINDS)
    ]


@provider(55)
def _applications_sent_back(viewer) -> list[Need]:
    return [
        Need(
            _("Your application “%(title)s” was sent back for changes", title=project.title),
            url_for("microprojects.edit", project_id=project.id),
            _("Revise it and send it again"),
        )
        for project in project_queries.sent_back(viewer)
    ]


@provider(60)
def _members_to_verify(viewer) -> list[Need]:
    if not community_permissions.can_review_queue(viewer):
        return []
    waiting = len(community_services.review_queue(viewer))
    if not waiting:
        return []
    text = ngettext(
        "%(num)d person is waiting for verification", "%(num)d people are waiting for verification", waiting
    )
    return [Need(text, url_for("communities.verifications", slug=viewer.community.slug), _("Check them now"))]


@provider(70)
def _reports_to_review(viewer) -> list[Need]:
    return [
        Need(
            ngettext("%(num)d report to review", "%(num)d reports to review", count),
            url_for("consultations.room", consultation_id=consultation.id),
            consultation.title,
        )
        for consultation, count in consultation_queries.reports_to_review(viewer)
    ]


@provider(80)
def _counting(viewer) -> list[Need]:
    needs = []
    for decision, task, waiting in decision_queries.counting_tasks(viewer):
        if task == "paper":
            text = ngettext(
                "%(num)d paper ballot to enter or reconcile", "%(num)d paper ballots to enter or reconcile", waiting
            )
            url = url_for("decisions.paper", decision_id=decision.id)
        else:
            text, url = _("The count waits for its signatures"), url_for("decisions.show", decision_id=decision.id)
        needs.append(Need(text, url, decision.title))
    for contest in contest_queries.to_certify(viewer):
        needs.append(
            Need(
                _("The count waits for its signatures"), url_for("contests.count", contest_id=contest.id), contest.title
            )
        )
    return needs


@provider(5)
def _urgent_notices(viewer) -> list[Need]:
    """An urgent notice the viewer has not opened (a water cut tonight): first on the page until read."""
    urgent = [n for n in notice_queries.active_for(viewer, limit=20) if n.urgent]
    unread = {n.id for n in urgent} - notice_queries.read_ids(viewer, urgent)
    return [
        Need(_("Urgent notice: %(title)s", title=n.title), url_for("notices.show", notice_id=n.id), urgent=True)
        for n in urgent
        if n.id in unread
    ]


@provider(25)
def _neighbours_help(viewer) -> list[Need]:
    """睦邻互助会: a neighbour took your request (meet them), a thank-you to say, requests waiting in your group,
    reports on a board you lead."""
    mine = neighbour_queries.needs(viewer)
    needs = [
        Need(
            _("%(name)s will help you: “%(title)s”", name=post.taker.name, title=post.title)
            if post.kind == "request"
            else _("%(name)s took up your offer: “%(title)s”", name=post.taker.name, title=post.title),
            url_for("neighbours.post", post_id=post.id),
            _("Open it to agree how to meet"),
        )
        for post in mine.taken
        if post.taker is not None
    ]
    needs += [
        Need(
            _("Say thank you for “%(title)s”", title=post.title),
            url_for("neighbours.post", post_id=post.id),
            _("Done"),
        )
        for post in mine.to_thank
    ]
    for group_id, group_name, waiting in mine.waiting:
        text = ngettext(
            "%(num)d neighbour in your group is asking for help",
            "%(num)d neighbours in your group are asking for help",
            waiting,
        )
        needs.append(Need(text, url_for("neighbours.show", group_id=group_id), group_name))
    for group, count in neighbour_queries.reports_to_review(viewer):
        text = ngettext("%(num)d report to review", "%(num)d reports to review", count)
        needs.append(Need(text, url_for("neighbours.show", group_id=group.id), group.name))
    return needs


@provider(12)
def _rules_ballots(viewer) -> list[Need]:
    """A vote on the community's rules of procedure that the resident has not cast."""
    needs = []
    for draft in rules_queries.awaiting_ballot(viewer):
        detail, urgent = closing(last_day(draft.vote_closes_at))
        url = url_for("rulebook.show", draft_id=draft.id, _anchor="vote")
        needs.append(Need(_("Vote on the community's rules “%(title)s”", title=draft.title), url, detail, urgent))
    return needs


@provider(15)
def _meetings(viewer) -> list[Need]:
    """A meeting (议事会) within the week that the viewer has not signed in to: when and where; today is urgent."""
    needs = []
    today = local_today()
    for meeting in meeting_queries.upcoming(viewer):
        at = local_time(meeting.starts_at)
        detail = f"{at:%m-%d %H:%M} · {meeting.place}"
        text = _("Meeting “%(title)s”: come and sign in", title=meeting.title)
        needs.append(Need(text, url_for("meetings.show", meeting_id=meeting.id), detail, at.date() == today))
    return needs


@provider(27)
def _satisfaction_answers(viewer) -> list[Need]:
    """An open satisfaction campaign the viewer's household has not answered in full."""
    needs = []
    for campaign in satisfaction_queries.awaiting_answer(viewer):
        detail, urgent = closing(local_time(campaign.closes_at - timedelta(microseconds=1)).date())
        url = url_for("satisfaction.show", campaign_id=campaign.id)
        needs.append(Need(_("Answer the satisfaction survey “%(title)s”", title=campaign.title), url, detail, urgent))
    return needs


@provider(35)
def _needs_waiting(viewer) -> list[Need]:
    """需求清单: for community staff, needs waiting for review; for an expert covering the community, needs
    before the experts that they have not scored."""
    needs = []
    waiting = need_queries.awaiting_review(viewer)
    if waiting:
        text = ngettext("%(num)d need waits for your review", "%(num)d needs wait for your review", len(waiting))
        needs.append(Need(text, url_for("needs.index", slug=viewer.community.slug, status="submitted")))
    to_score = need_queries.awaiting_score(viewer)
    if to_score:
        text = ngettext(
            "%(num)d need waits for your expert scores", "%(num)d needs wait for your expert scores", len(to_score)
        )
        needs.append(Need(text, url_for("needs.screening")))
    return needs


@provider(65)
def _service_projects(viewer) -> list[Need]:
    """公益服务项目: a panel expert's applications to score; staff's milestones to sign off or pay."""
    needs = [
        Need(
            _("Score the applications to the call “%(title)s”", title=call.title),
            url_for("procurement.call", call_id=call.id),
        )
        for call in procurement_queries.scoring_waiting(viewer)
    ]
    for milestone in procurement_queries.milestones_to_act_on(viewer):
        if milestone.status.value == "evaluated":
            text = _("Release the payment of the milestone “%(title)s”", title=milestone.title)
        else:
            text = _("Evaluate the milestone “%(title)s”", title=milestone.title)
        needs.append(
            Need(text, url_for("procurement.milestone", milestone_id=milestone.id), milestone.contract.call.title)
        )
    return needs
