"""Every feature's models, so Alembic and `flask shell` see the whole metadata."""

from app.accounts.models import OneTimeCode, User
from app.communities.models import (
    Building,
    Community,
    District,
    ExpertAppointment,
    Household,
    HouseholdOwner,
    InviteCode,
    MemberRole,
    Membership,
    OfficeAssignment,
    Street,
)
from app.consultations.models import Attendance, Consultation, HandRaise, Motion, Speech
from app.contests.models import Contest, Entry
from app.core.models import AuditEntry
from app.core.uploads import Photo
from app.decisions.models import Decision, DecisionRules, PaperEntry, Proxy, RollEntry
from app.documents.models import Attachment
from app.ideas.models import Endorsement, Idea, IdeaComment, IdeaEvent, IdeaPhoto
from app.meetings.models import AgendaItem, Meeting, MeetingAttendance
from app.microprojects.models import BudgetLine, Fund, LedgerEntry, MicroProject, ProgressPhoto, ProgressPost
from app.moderation.models import ModerationAction, Mute, Report
from app.needs.models import GuidanceItem, Need, NeedSupport
from app.neighbours.models import GroupBuilding, GroupConsultation, GroupMember, HelpPost, NeighbourGroup
from app.notices.models import Notice, NoticeRead
from app.notifications.models import Delivery, EmailAddress, Notification, Preference
from app.objections.models import Objection
from app.orgs.models import OrgAgent, Organisation, Qualification
from app.procedure.models import RuleSet, RuleVersion
from app.rulebook.models import RuleComment, RuleDraft
from app.search.models import SearchDocument
from app.slow.models import Position, Reply, ReplyReaction
from app.surveys.models import Survey
from app.voting.models import Ballot

__all__ = [
    "AgendaItem",
    "Attachment",
    "Attendance",
    "AuditEntry",
    "Ballot",
    "BudgetLine",
    "Building",
    "Community",
    "Consultation",
    "Contest",
    "Decision",
    "DecisionRules",
    "Delivery",
    "District",
    "EmailAddress",
    "Endorsement",
    "Entry",
    "ExpertAppointment",
    "Fund",
    "GroupBuilding",
    "GroupConsultation",
    "GroupMember",
    "GuidanceItem",
    "HandRaise",
    "HelpPost",
    "Household",
    "HouseholdOwner",
    "Idea",
    "IdeaComment",
    "IdeaEvent",
    "IdeaPhoto",
    "InviteCode",
    "LedgerEntry",
    "Meeting",
    "MeetingAttendance",
    "MemberRole",
    "Membership",
    "MicroProject",
    "ModerationAction",
    "Motion",
    "Mute",
    "Need",
    "NeedSupport",
    "NeighbourGroup",
    "Notice",
    "NoticeRead",
    "Notification",
    "Objection",
    "OfficeAssignment",
    "OneTimeCode",
    "OrgAgent",
    "Organisation",
    "PaperEntry",
    "Photo",
    "Position",
    "Preference",
    "ProgressPhoto",
    "ProgressPost",
    "Proxy",
    "Qualification",
    "Reply",
    "ReplyReaction",
    "Report",
    "RollEntry",
    "RuleComment",
    "RuleDraft",
    "RuleSet",
    "RuleVersion",
    "SearchDocument",
    "Speech",
    "Street",
    "Survey",
    "User",
]
