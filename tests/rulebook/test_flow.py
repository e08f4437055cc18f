"""A draft from a template to adoption: comments, the vote with receipts and verify-count, the result in exact
fractions, the adopted version as the community's default, the version history, and consultations recording
which version governed them."""

from __future__ import annotations

import re
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from app.accounts.models import User
from app.communities.models import Community
from app.consultations import services as consultations
from app.consultations.models import Party, Phase
from app.core.errors import DomainError
from app.extensions import db
from app.procedure import services as rule_sets
from app.procedure import versions
from app.procedure.models import RuleVersion
from app.procedure.shipped import ensure_shipped
from app.rulebook import services
from app.rulebook.models import DraftState, RuleComment, RuleDraft
from app.voting import services as voting
from app.voting.models import Ballot
from tests.rulebook import DAY, count, draft_in, logged_in, viewer

YES = [("resident", "yes"), ("owner", "yes"), ("leader_a", "yes"), ("leader_b", "no"), ("group_leader", "abstain")]


def test_adopted_by_the_vote_becomes_the_default(app, world):
    draft, _now = draft_in(world, DraftState.ADOPTED, votes=YES)
    # 7 verified residents; 5 voted (5/7 >= the template's quorum 1/2); for 3 of 4 decided (3/4 > 1/2)
    assert (draft.eligible, draft.votes_for, draft.votes_against, draft.abstentions) == (7, 3, 1, 1)
    result = services.result(draft)
    assert result.turnout == Fraction(5, 7) and result.share_for == Fraction(3, 4)
    assert result.quorum == Fraction(1, 2) and result.threshold == Fraction(1, 2) and result.outcome.carried
    version = versions.current(world.community.id)
    assert version.number == 1 and version.rule_set_id == draft.rule_set_id and draft.version_id == version.id
    assert version.poll_id == draft.poll_id
    check = voting.verify(services.poll_of(draft))
    assert check.ok, check.problems
    assert check.recount["options"] == {"abstain": 1, "no": 1, "yes": 3}
    # the default for new consultations: first among the choices
    assert consultations.rule_set_choices(world.community)[0].id == version.rule_set_id
    # the adopted rules never change, nor are they in the library
    _templates, own = rule_sets.library(world.community)
    assert version.rule_set not in own
    with pytest.raises(DomainError):
        rule_sets.update(viewer(world, "staff"), version.rule_set, {}, name="改", text="1. 改")
    with pytest.raises(DomainError):
        services.update(viewer(world, "staff"), draft, {}, name="改", text="1. 改")


def test_a_consultation_records_the_version_that_governed_it(app, world):
    draft, _now = draft_in(world, DraftState.ADOPTED, votes=YES)
    staff = viewer(world, "staff")
    consultation = consultations.create_draft(
        staff,
        title="电动车充电桩选址",
        background="",
        building_id=None,
        parties=[Party.RESIDENTS.value],
        chair_id=world.users["staff"].id,
        rule_set_id=draft.rule_set_id,
    )
    db.session.commit()
    assert versions.version_of(consultation.rule_set).number == 1
    day = draft.decided_at.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    label = f"翠竹园社区议事规则 (version 1, adopted {day})"
    http = logged_in(app, world.users["staff"])
    assert label in http.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert label in http.get(f"/consultations/{consultation.id}/rules").get_data(as_text=True)
    # and its minutes name the version
    consultations.set_phase(staff, consultation, Phase.OPEN)
    consultations.set_phase(staff, consultation, Phase.CONCLUDED)
    db.session.commit()
    assert label in http.get(f"/consultations/{consultation.id}/minutes").get_data(as_text=True)
    # a consultation on a template records no version
    template = rule_sets.library(world.community)[0][0]
    assert versions.version_of(template) is None and versions.governing_label(template) == template.name


def test_the_rules_page_shows_the_history_with_its_vote(app, world):
    first, _ = draft_in(world, DraftState.ADOPTED, votes=YES)
    second, _ = draft_in(world, DraftState.ADOPTED, votes=YES, name="翠竹园社区议事规则（修订）", change=False)
    second_rules = second.rule_set
    assert versions.current(world.community.id).number == 2
    html = logged_in(app, world.users["street_staff"]).get("/c/cuizhuyuan/rules").get_data(as_text=True)
    assert "Version 2" in html and "Version 1" in html
    # what version 1 changed from the template it was drafted from, in words
    assert "Longest speech (characters): 500 → 300" in html
    assert "Quorum: 1/2 → 1/3" in html
    assert "Added: 14. 每次议事会前三天公布议题。" in html
    # version 2 changed only its name
    assert "Name: 翠竹园社区议事规则 → 翠竹园社区议事规则（修订）" in html
    assert f"/rules/drafts/{first.id}#check" in html and f"/rules/drafts/{second.id}#check" in html
    assert second_rules.name in html
    page = logged_in(app, world.users["resident"]).get(f"/rules/drafts/{first.id}").get_data(as_text=True)
    assert f"flask yishi verify-count {first.poll_id}" in page and "The chain and the count verify." in page
    assert "Compared with “南塘议事规则”:" in page  # the first version, against the template it came from
    page = logged_in(app, world.users["resident"]).get(f"/rules/drafts/{second.id}").get_data(as_text=True)
    assert "Compared with “翠竹园社区议事规则”:" in page  # the second, against the first


def test_not_adopted_without_quorum(app, world):
    draft, _now = draft_in(world, DraftState.REJECTED, votes=[("resident", "yes")])
    assert services.result(draft).outcome.quorum_met is False
    assert versions.current(world.community.id) is None
    assert count(RuleVersion) == 0


def test_a_tie_fails(app, world):
    votes = [("resident", "yes"), ("owner", "no"), ("leader_a", "yes"), ("leader_b", "no")]
    draft, _now = draft_in(world, DraftState.REJECTED, votes=votes)
    assert services.result(draft).share_for == Fraction(1, 2)
    assert versions.current(world.community.id) is None


def test_the_vote_is_decided_by_the_rules_in_force(app, world):
    """The second vote is decided by version 1's quorum (1/3), not by the template's (1/2)."""
    draft_in(world, DraftState.ADOPTED, votes=YES)
    votes = [("resident", "yes"), ("owner", "yes"), ("leader_a", "yes")]  # 3 of 7: under 1/2, over 1/3
    second, _ = draft_in(world, DraftState.ADOPTED, votes=votes, name="第二版", change=False)
    assert (second.vote_quorum_num, second.vote_quorum_den) == (1, 3)


def test_a_ballot_is_one_per_resident_and_keeps_its_receipt(app, world):
    draft, now = draft_in(world, DraftState.VOTING)
    resident = viewer(world, "resident")
    first = services.vote(resident, draft, "yes", now=now)
    again = services.vote(resident, draft, "yes", now=now)
    assert first.receipt == again.receipt
    with pytest.raises(DomainError) as refused:
        services.vote(resident, draft, "no", now=now)
    assert refused.value.code == "already_voted"
    db.session.commit()
    assert count(Ballot, poll_type="rules") == 1
    assert services.my_receipt(resident, draft) == first.receipt
    found = voting.lookup_receipt(first.receipt)
    assert found is not None


@pytest.mark.parametrize("choice", ["maybe", "", None, 1, "YES"])
def test_a_bad_choice_is_refused(app, world, choice):
    draft, now = draft_in(world, DraftState.VOTING)
    with pytest.raises(DomainError) as refused:
        services.vote(viewer(world, "resident"), draft, choice, now=now)
    assert refused.value.field == "choice"
    db.session.rollback()
    assert count(Ballot) == 0


def test_the_draft_is_idempotent_per_client_id(app, world):
    staff = viewer(world, "staff")
    source = rule_sets.library(world.community)[0][1]
    made = [
        services.create(staff, client_id="same", source_id=source.id, name="规则", explanation="") for _ in range(2)
    ]
    db.session.commit()
    assert made[0].id == made[1].id and count(RuleDraft) == 1
    assert made[0].rule_set.for_adoption and made[0].rule_set.based_on_id == source.id
    assert made[0].rule_set.text == source.text


def test_a_second_open_draft_waits(app, world):
    draft_in(world, DraftState.COMMENTING)
    other, now = draft_in(world, DraftState.DRAFTING, name="另一版")
    with pytest.raises(DomainError) as refused:
        services.open_comments(viewer(world, "staff"), other, now + DAY)
    assert refused.value.status_code == 409


def test_comments_are_idempotent_and_plain(app, world):
    draft, now = draft_in(world, DraftState.COMMENTING)
    resident = viewer(world, "resident")
    body = "<script>alert(1)</script>发言时间太短"
    first = services.comment(resident, draft, client_id="c1", body=body, now=now)
    again = services.comment(resident, draft, client_id="c1", body="别的", now=now)
    db.session.commit()
    assert first.id == again.id and count(RuleComment) == 1
    html = logged_in(app, world.users["owner"]).get(f"/rules/drafts/{draft.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_set_changes_in_words(app):
    nantang, simple = (next(r for r in ensure_shipped() if r.key == key) for key in ("nantang", "simple"))
    with force_locale("en"):
        words = versions.differences(nantang, simple)
    with force_locale("zh_CN"):
        assert "名称：南塘议事规则 → 简易规则" in versions.differences(nantang, simple)
    assert "Name: 南塘议事规则 → 简易规则" in words
    assert "Longest speech (characters): 500 → 300" in words
    assert "A tie fails: Yes → Yes" not in words
    assert any(w.startswith("Removed: 1. 主持中立") for w in words)
    assert any(w.startswith("Added: 1. 已认证的居民") for w in words)
    with force_locale("en"):
        assert versions.differences(nantang, nantang) == ["No change to the rules."]
    # the same fraction written differently is no change
    other = nantang.copy(community_id=None)
    other.quorum_num, other.quorum_den = 2, 4
    assert not any("Quorum" in w for w in versions.differences(nantang, other))
    db.session.rollback()


def test_the_demo_has_adopted_rules_with_their_vote(app):
    result = app.test_cli_runner().invoke(args=["yishi", "demo"])
    assert result.exit_code == 0, result.output
    community = db.session.scalar(db.select(Community).where(Community.slug == "cuizhuyuan"))
    version = versions.current(community.id)
    assert version.number == 1 and version.rule_set.name == "翠竹园社区议事规则"
    draft = db.session.scalar(db.select(RuleDraft).where(RuleDraft.version_id == version.id))
    assert draft.state == DraftState.ADOPTED and count(RuleComment) == 3
    assert (draft.eligible, draft.votes_for, draft.votes_against) == (6, 4, 1)
    assert voting.verify(services.poll_of(draft)).ok
    staff = db.session.scalar(db.select(User).where(User.phone == "13800000011"))  # street staff read it
    html = logged_in(app, staff).get("/c/cuizhuyuan/rules").get_data(as_text=True)
    assert "：120 → 180" in html and "第1版" in html and f"/rules/drafts/{draft.id}#check" in html


def test_the_consultation_form_offers_the_adopted_rules_first(app, world):
    draft, _now = draft_in(world, DraftState.ADOPTED, votes=YES)
    html = logged_in(app, world.users["staff"]).get("/c/cuizhuyuan/consultations/new").get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>', html)
    rule_options = [(int(v), text) for v, text in options if "规则" in text]
    assert rule_options[0][0] == draft.rule_set_id and "version 1" in rule_options[0][1]
