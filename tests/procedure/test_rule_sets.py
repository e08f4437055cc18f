"""The community's rule-set library: staff copy a template and edit the copy; templates stay as shipped."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.communities import access
from app.core.errors import DomainError
from app.extensions import db
from app.procedure import services
from app.procedure.models import RuleSet
from app.procedure.shipped import SHIPPED, ensure_shipped

EVERY_ACTOR = [
    "resident", "owner", "leader_a", "group_leader", "resident_rep", "property_manager", "owners_committee",
    "staff", "social_org", "expert", "unverified", "other_staff", "other_resident", "street_staff",
    "district_staff", "outsider",
]  # fmt: skip

FORM = {
    "name": "翠竹园议事规则",
    "mode": "formal",
    "max_speech_chars": "300",
    "max_speeches_per_motion": "3",
    "floor_seconds": "90",
    "slow_mode_seconds": "10",
    "stance_required": "y",
    "alternate_stances": "y",
    "chair_neutral": "y",
    "second_required": "y",
    "quorum_num": "2",
    "quorum_den": "3",
    "pass_num": "1",
    "pass_den": "2",
    "pass_strict": "y",
    "tie_fails": "y",
    "auto_hide_reports": "3",
    "text": "1. 主持中立",
}


def _own(world):
    return db.session.scalars(select(RuleSet).where(RuleSet.community_id == world.community.id)).all()


def test_templates_ship_once(app):
    first = ensure_shipped()
    second = ensure_shipped()
    assert [r.id for r in first] == [r.id for r in second]
    assert [r.name for r in first] == ["南塘议事规则", "简易规则", "线上协商规则"]
    assert first[2].mode == "slow" and first[2].max_replies_per_day == 10 and first[2].max_reply_chars == 1000
    nantang = first[0].to_rules()
    assert nantang.mode == "formal" and nantang.max_speech_chars == 500 and nantang.max_speeches_per_motion == 2
    assert nantang.floor_seconds == 120 and nantang.chair_neutral and nantang.second_required
    assert len(SHIPPED["nantang"]["text"].splitlines()) == 13
    # rule 2, 无动议不讨论, is in 南塘's text and enforced; 简易规则 has no such rule; neither lets a resident
    # who is not a party speak
    assert "无动议不讨论" in first[0].text and nantang.motion_first
    assert "无动议不讨论" not in first[1].text and not first[1].to_rules().motion_first
    assert not first[0].non_party_may_speak and not first[1].non_party_may_speak


@pytest.mark.parametrize("actor", EVERY_ACTOR)
def test_library_copy_and_edit_are_for_staff(client, auth, world, actor):
    template = ensure_shipped()[0]
    auth.login(world.users[actor])
    allowed = actor == "staff"
    assert client.get("/c/cuizhuyuan/rule-sets").status_code == (200 if allowed else 403)
    response = client.post(f"/c/cuizhuyuan/rule-sets/{template.id}/copy", data={"name": "我们的规则"})
    assert response.status_code == (302 if allowed else 403)
    assert len(_own(world)) == (1 if allowed else 0)


def test_edit_a_copy(client, auth, world):
    auth.login(world.users["staff"])
    template = ensure_shipped()[0]
    client.post(f"/c/cuizhuyuan/rule-sets/{template.id}/copy", data={"name": "我们的规则"})
    copy = _own(world)[0]
    response = client.post(f"/c/cuizhuyuan/rule-sets/{copy.id}", data=FORM)
    assert response.status_code == 302
    db.session.refresh(copy)
    assert (copy.name, copy.max_speech_chars, copy.quorum_num, copy.quorum_den) == ("翠竹园议事规则", 300, 2, 3)
    db.session.refresh(template)
    assert template.max_speech_chars == 500  # the template is untouched


@pytest.mark.parametrize(
    ("field", "value"),
    [("pass_num", "1"), ("pass_den", "0"), ("max_speech_chars", "0"), ("quorum_num", "5"), ("floor_seconds", "x")],
)
def test_bad_parameters_change_nothing(client, auth, world, field, value):
    auth.login(world.users["staff"])
    template = ensure_shipped()[0]
    client.post(f"/c/cuizhuyuan/rule-sets/{template.id}/copy", data={"name": "我们的规则"})
    copy = _own(world)[0]
    data = {**FORM, field: value}
    if field == "pass_num":
        data["pass_den"] = "3"  # 1/3: below one half
    response = client.post(f"/c/cuizhuyuan/rule-sets/{copy.id}", data=data)
    assert response.status_code == 400
    db.session.refresh(copy)
    assert copy.name == "我们的规则" and copy.max_speech_chars == 500


def test_templates_are_read_only(client, auth, world):
    auth.login(world.users["staff"])
    template = ensure_shipped()[0]
    assert client.post(f"/c/cuizhuyuan/rule-sets/{template.id}", data=FORM).status_code == 403
    with pytest.raises(DomainError):
        services.update(access.viewer(world.users["staff"], world.community), template, {}, name="x", text="")


def test_another_communitys_rule_set_is_not_found(client, auth, world):
    template = ensure_shipped()[0]
    theirs = template.copy(community_id=world.other.id, name="南塘社区的规则")
    db.session.add(theirs)
    db.session.commit()
    auth.login(world.users["staff"])
    assert client.get(f"/c/cuizhuyuan/rule-sets/{theirs.id}").status_code == 404
    assert client.post(f"/c/cuizhuyuan/rule-sets/{theirs.id}/copy", data={"name": "偷来的"}).status_code == 404


@pytest.mark.parametrize(("motion_first", "non_party_may_speak"), [(True, False), (False, True)])
def test_the_two_options_of_issue_16_are_edited_like_the_others(client, auth, world, motion_first, non_party_may_speak):
    auth.login(world.users["staff"])
    template = ensure_shipped()[0]
    client.post(f"/c/cuizhuyuan/rule-sets/{template.id}/copy", data={"name": "我们的规则"})
    copy = _own(world)[0]
    form = client.get(f"/c/cuizhuyuan/rule-sets/{copy.id}").get_data(as_text=True)
    assert 'name="motion_first"' in form and 'name="non_party_may_speak"' in form
    assert "No debate without a motion (无动议不讨论)" in form
    data = {**FORM}
    data.update(
        {name: "y" for name, on in (("motion_first", motion_first), ("non_party_may_speak", non_party_may_speak)) if on}
    )
    assert client.post(f"/c/cuizhuyuan/rule-sets/{copy.id}", data=data).status_code == 302
    db.session.refresh(copy)
    assert (copy.motion_first, copy.non_party_may_speak) == (motion_first, non_party_may_speak)
    # a consultation started from it runs on a copy that keeps them
    assert copy.copy(community_id=world.community.id).non_party_may_speak == non_party_may_speak
    assert copy.to_dict()["motion_first"] == motion_first


@pytest.mark.parametrize("name", ["motion_first", "non_party_may_speak"])
@pytest.mark.parametrize("value", ["yes", 1, None])
def test_the_options_are_yes_or_no(app, world, name, value):
    template = ensure_shipped()[0]
    with pytest.raises(DomainError) as refused:
        services.validated_changes(template, {name: value})
    assert (refused.value.code, refused.value.field) == ("bad_request", name)
