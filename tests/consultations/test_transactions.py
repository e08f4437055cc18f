"""The edge owns the transaction: a use case refused part-way leaves nothing written and tells the room
nothing, however much it had written (flushed) or queued for after the commit before the refusal."""

from __future__ import annotations

from app.consultations import services
from app.consultations.models import Consultation, Motion, Phase, Speech
from app.core.web import perform
from app.procedure.models import RuleSet
from tests.consultations.conftest import ack, count, events, make_consultation, viewer_of


def test_a_speech_then_a_refusal_stores_nothing_and_is_heard_by_nobody(app, world, rules_templates, members):
    consultation = make_consultation(world, rules_templates, key="simple", slow_mode_seconds=0)
    listener = members("group_leader")
    assert ack(listener, "join", consultation_id=consultation.id)["ok"]
    owner = viewer_of(world.users["owner"], consultation)

    def speak_then_move_nothing():
        spoken = services.speak(owner, consultation, client_id="t-1", body="先说一句")
        assert spoken.speech.id is not None  # written, and its message queued for the room
        services.move(owner, consultation, client_id="t-2", text="   ")  # refused: a motion needs words

    with app.test_request_context(method="POST"):
        outcome = perform(speak_then_move_nothing)
    assert (outcome.ok, outcome.status) == (False, 400)
    assert count(Speech, consultation_id=consultation.id) == 0
    assert count(Motion, consultation_id=consultation.id) == 0
    assert events(listener, "message") == [] and events(listener, "motion") == []
    # the same speech, not refused, is stored and heard: what was missing above was the refusal's doing
    with app.test_request_context(method="POST"):
        assert perform(lambda: services.speak(owner, consultation, client_id="t-1", body="先说一句")).ok
    assert count(Speech, consultation_id=consultation.id) == 1
    assert [m["client_id"] for m in events(listener, "message")] == ["t-1"]


def test_a_draft_refused_after_it_was_made_leaves_no_draft_and_no_rule_set(app, world, rules_templates):
    staff = viewer_of(world.users["staff"], world.community)
    consultations, rule_sets = count(Consultation), count(RuleSet)

    def draft_then_jump_to_voting():
        draft = services.create_draft(
            staff,
            title="楼道堆物清理",
            background="",
            building_id=None,
            parties=["residents"],
            chair_id=world.users["leader_a"].id,
            rule_set_id=rules_templates["simple"].id,
        )
        services.set_phase(staff, draft, Phase.VOTING)  # refused: a draft opens before it is voted on

    with app.test_request_context(method="POST"):
        outcome = perform(draft_then_jump_to_voting)
    assert outcome.status == 409
    assert (count(Consultation), count(RuleSet)) == (consultations, rule_sets)
