"""A milestone's evidence reaches people who are not the community's: the experts of the call's panel and the
contracted organisation's agents, through the documents kernel's owner-kind rule (`admits`), and nobody else."""

from __future__ import annotations

import io
import uuid

import pytest

from app.communities.access import viewer
from app.documents.models import Attachment
from app.extensions import db
from app.notices import services as notice_services
from app.orgs.models import OrgAgent
from tests import factories as f
from tests.documents import samples
from tests.procurement.test_routes import awarded


@pytest.fixture
def outsiders(pw):
    """An agent of the contracted organisation and one of the other organisation, neither a member."""
    pw.users["org_outside"] = f.user(name="org_outside")
    pw.users["org2_outside"] = f.user(name="org2_outside")
    pw.org.agents.append(OrgAgent(user_id=pw.users["org_outside"].id))
    pw.org2.agents.append(OrgAgent(user_id=pw.users["org2_outside"].id))
    db.session.commit()
    return pw


def upload(http, milestone, client_id="ev1"):
    return http.post(
        f"/attachments/milestone/{milestone.id}",
        data={"client_id": client_id, "file": (io.BytesIO(samples.pdf()), "验收报告.pdf")},
    )


def fetched(http, attachment) -> bytes:
    response = http.get(f"/attachments/{attachment.id}")
    data = response.data if response.status_code == 200 else b""
    response.close()
    return data


def test_the_outside_agent_attaches_and_the_panel_downloads(as_, outsiders):
    pw = outsiders
    contract = awarded(pw)
    milestone = contract.milestones[0]
    assert upload(as_("org2_outside"), milestone).status_code == 404  # another organisation: not even seen
    assert upload(as_("expert_panel"), milestone).status_code == 403  # sees it, attaches nothing
    assert upload(as_("org_outside"), milestone).status_code == 303
    attachment = db.session.query(Attachment).one()
    for key in ("expert_panel", "expert_conflicted", "org_outside", "social_org", "resident", "staff", "street_staff"):
        assert fetched(as_(key), attachment).startswith(b"%PDF"), key
        assert as_(key).get(f"/attachments/milestone/{milestone.id}").status_code == 200, key
    for key in ("expert_off", "org2_outside", "agent_far", "outsider", "other_staff", "far_street_staff"):
        assert as_(key).get(f"/attachments/{attachment.id}").status_code == 404, key
        assert as_(key).get(f"/attachments/milestone/{milestone.id}").status_code == 404, key


def test_the_milestone_page_lists_the_evidence_to_the_panel(as_, outsiders):
    pw = outsiders
    contract = awarded(pw)
    milestone = contract.milestones[0]
    upload(as_("org_outside"), milestone)
    attachment = db.session.query(Attachment).one()
    page = as_("expert_panel").get(f"/procurement/milestones/{milestone.id}").get_data(as_text=True)
    assert f"/attachments/{attachment.id}" in page


def test_another_kind_keeps_the_community_rule(as_, outsiders):
    """`admits` is the milestone's alone: the panel's expert and the organisation's outside agent reach no
    other owner's files in the community (a notice's), which its members do."""
    pw = outsiders
    awarded(pw)
    notice = notice_services.post(
        viewer(pw.users["property_manager"], pw.world.community), client_id=uuid.uuid4().hex,
        title="本周六停水", body="因管道检修，本周六 8:00–12:00 停水。",
    )  # fmt: skip
    db.session.commit()
    assert as_("resident").get(f"/attachments/notice/{notice.id}").status_code == 200
    for key in ("expert_panel", "org_outside"):
        assert as_(key).get(f"/attachments/notice/{notice.id}").status_code == 404, key


def test_admission_ends_with_the_agency(as_, outsiders):
    """The rule is asked on every request: an agent removed from the organisation no longer reaches it."""
    pw = outsiders
    contract = awarded(pw)
    milestone = contract.milestones[0]
    upload(as_("org_outside"), milestone)
    attachment = db.session.query(Attachment).one()
    assert fetched(as_("org_outside"), attachment).startswith(b"%PDF")
    for agent in [a for a in pw.org.agents if a.user_id == pw.users["org_outside"].id]:
        db.session.delete(agent)
    db.session.commit()
    assert as_("org_outside").get(f"/attachments/{attachment.id}").status_code == 404
