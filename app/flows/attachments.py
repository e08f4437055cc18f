"""The features' objects that carry attached files (app.documents), each with its own feature's checks."""

from __future__ import annotations

from flask import url_for

from app.assessment import permissions as assessment_rules
from app.assessment.models import Assessment
from app.consultations import permissions as consultation_rules
from app.consultations.models import Consultation
from app.contests import permissions as contest_rules
from app.contests.models import Entry
from app.decisions import permissions as decision_rules
from app.decisions.models import Decision
from app.documents.registry import OwnerKind, register
from app.microprojects import permissions as project_rules
from app.microprojects.models import MicroProject
from app.notices import permissions as notice_rules
from app.notices.models import Notice
from app.procurement import permissions as procurement_rules
from app.procurement.models import Milestone
from app.workitems import permissions as workitem_rules
from app.workitems.models import WorkItemObjection

register(
    OwnerKind(
        name="decision",
        model=Decision,
        can_view=decision_rules.can_view,
        can_attach=decision_rules.can_attach,
        can_remove=decision_rules.can_remove_attachment,
        url=lambda d: url_for("decisions.show", decision_id=d.id),
    )
)
register(
    OwnerKind(
        name="consultation",
        model=Consultation,
        can_view=consultation_rules.can_view,
        can_attach=consultation_rules.can_attach,
        can_remove=consultation_rules.can_remove_attachment,
        url=lambda c: url_for("consultations.room", consultation_id=c.id),
    )
)
register(
    OwnerKind(
        name="project",
        model=MicroProject,
        can_view=project_rules.can_view,
        can_attach=project_rules.can_attach,
        can_remove=project_rules.can_remove_attachment,
        url=lambda p: url_for("microprojects.show", project_id=p.id),
    )
)
register(
    OwnerKind(
        name="entry",
        model=Entry,
        can_view=contest_rules.can_view,
        can_attach=contest_rules.can_attach,
        can_remove=contest_rules.can_remove_attachment,
        url=lambda e: url_for("contests.entry", entry_id=e.id),
    )
)
register(
    OwnerKind(
        name="notice",
        model=Notice,
        can_view=notice_rules.can_view,
        can_attach=notice_rules.can_attach,
        can_remove=notice_rules.can_remove_attachment,
        url=lambda n: url_for("notices.show", notice_id=n.id),
    )
)
register(
    OwnerKind(
        name="milestone",  # a service contract's milestone: the organisation's evidence for its evaluation
        model=Milestone,
        can_view=procurement_rules.can_view_evidence,
        can_attach=procurement_rules.can_attach_evidence,
        can_remove=procurement_rules.can_remove_evidence,
        url=lambda m: url_for("procurement.milestone", milestone_id=m.id),
        community_of=lambda m: m.contract.community_id,
        admits=procurement_rules.admits_to_evidence,  # the panel's experts and the organisation's agents
    )
)
register(
    OwnerKind(
        name="work_objection",  # evidence of work placed on a community outside the admitted list
        model=WorkItemObjection,
        can_view=workitem_rules.can_view_objection,
        can_attach=workitem_rules.can_attach,
        can_remove=workitem_rules.can_remove_attachment,
        url=lambda o: url_for("workitems.show_objection", work_objection_id=o.id),
    )
)
register(
    OwnerKind(
        name="assessment",  # a community's 精品社区 assessment: the evidence behind its scores
        model=Assessment,
        can_view=assessment_rules.can_view_evidence,
        can_attach=assessment_rules.can_attach_evidence,
        can_remove=assessment_rules.can_remove_evidence,
        url=lambda a: url_for("assessment.community", scheme_id=a.scheme_id, slug=a.community.slug),
    )
)
