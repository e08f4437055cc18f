"""Every feature's models, so Alembic and `flask shell` see the whole metadata."""

from app.accounts.models import OneTimeCode, User
from app.assessment.models import Assessment, AssessmentCriterion, AssessmentScore, Scheme
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
from app.dashboards import indexes as _dashboard_indexes  # noqa: F401  (the dashboards' indexes on the features' tables)
from app.dashboards.models import DashboardSnapshot
from app.decisions.models import Decision, DecisionRules, PaperEntry, Proxy, RollEntry
from app.documents.models import Attachment
from app.ideas.models import Endorsement, Idea, IdeaComment, IdeaEvent, IdeaPhoto
from app.meetings.models import AgendaItem, Meeting, MeetingAttendance
from app.microprojects.models import BudgetLine, Fund, LedgerEntry, MicroProject, ProgressPhoto, ProgressPost
from app.moderation.models import ModerationAction, Mute, Report
from app.needs.models import GuidanceItem, Need, NeedEvent, NeedPhoto, NeedScore, NeedSupport
from app.neighbours.models import GroupBuilding, GroupConsultation, GroupMember, HelpPost, NeighbourGroup
from app.notices.models import Notice, NoticeRead
from app.notifications.models import Delivery, EmailAddress, Notification, Preference
from app.objections.models import Objection
from app.orgs.models import OrgAgent, Organisation, Qualification
from app.procedure.models import RuleSet, RuleVersion
from app.procurement.models import (
    Application,
    Award,
    Contract,
    Criterion,
    Evaluation,
    Milestone,
    PanelMember,
    Payment,
    PlannedMilestone,
    SatisfactionRecord,
    Score,
    ScoreSheet,
    ServiceBudgetLine,
    ServiceCall,
    ServiceProgress,
    ServiceProgressPhoto,
)
from app.rulebook.models import RuleComment, RuleDraft
from app.satisfaction.models import AssessmentWeight, Campaign, CampaignSubject, StreetCampaign
from app.search.models import SearchDocument
from app.slow.models import Position, Reply, ReplyReaction
from app.surveys.models import (
    Question,
    QuestionOption,
    Survey,
    SurveyAnswer,
    SurveyBuilding,
    SurveyParticipation,
    SurveyResponse,
)
from app.voting.models import Ballot
from app.workitems.models import Department, DepartmentOfficer, ReviewRound, WorkItemObjection, WorkItemRequest

__all__ = [
    "AgendaItem",
    "Application",
    "Assessment",
    "AssessmentCriterion",
    "AssessmentScore",
    "AssessmentWeight",
    "Attachment",
    "Attendance",
    "AuditEntry",
    "Award",
    "Ballot",
    "BudgetLine",
    "Building",
    "Campaign",
    "CampaignSubject",
    "Community",
    "Consultation",
    "Contest",
    "Contract",
    "Criterion",
    "DashboardSnapshot",
    "Decision",
    "DecisionRules",
    "Delivery",
    "Department",
    "DepartmentOfficer",
    "District",
    "EmailAddress",
    "Endorsement",
    "Entry",
    "Evaluation",
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
    "Milestone",
    "ModerationAction",
    "Motion",
    "Mute",
    "Need",
    "NeedEvent",
    "NeedPhoto",
    "NeedScore",
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
    "PanelMember",
    "PaperEntry",
    "Payment",
    "Photo",
    "PlannedMilestone",
    "Position",
    "Preference",
    "ProgressPhoto",
    "ProgressPost",
    "Proxy",
    "Qualification",
    "Question",
    "QuestionOption",
    "Reply",
    "ReplyReaction",
    "Report",
    "ReviewRound",
    "RollEntry",
    "RuleComment",
    "RuleDraft",
    "RuleSet",
    "RuleVersion",
    "SatisfactionRecord",
    "Scheme",
    "Score",
    "ScoreSheet",
    "SearchDocument",
    "ServiceBudgetLine",
    "ServiceCall",
    "ServiceProgress",
    "ServiceProgressPhoto",
    "Speech",
    "Street",
    "StreetCampaign",
    "Survey",
    "SurveyAnswer",
    "SurveyBuilding",
    "SurveyParticipation",
    "SurveyResponse",
    "User",
    "WorkItemObjection",
    "WorkItemRequest",
]
