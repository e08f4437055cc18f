"""A consultation in the world fixture's community, and socket clients for its members."""

from __future__ import annotations

import pytest

from app.consultations import services
from app.consultations.models import Phase
from app.extensions import db, socketio
from app.procedure.shipped import ensure_shipped


@pytest.fixture
def rules_templates(app):
    return {r.key: r for r in ensure_shipped()}


def make_consultation(
    world,
    rules_templates,
    *,
    key="nantang",
    building=None,
    phase=Phase.OPEN,
    chair="leader_a",
    creator="staff",
    **rule_changes,
):
    consultation = services.create(
        world.users[creator],
        world.community,
        title="电动车充电桩安装位置",
        background="**背景**：1栋门口常有电动车<script>alert(1)</script>飞线充电。",
        building_id=building.id if building is not None else None,
        parties=["residents_committee", "property_manager", "residents"],
        chair_id=world.users[chair].id,
        rule_set_id=rules_templates[key].id,
    )
    for name, value in rule_changes.items():
        setattr(consultation.rule_set, name, value)
    if phase != Phase.DRAFT:
        services.set_phase(world.users[creator], consultation, Phase.OPEN)
        if phase != Phase.OPEN:
            consultation.phase = phase
    db.session.commit()
    return consultation


@pytest.fixture
def consultation(world, rules_templates):
    """An open formal consultation (南塘议事规则) for the whole community, chaired by 1栋's leader."""
    return make_consultation(world, rules_templates)


@pytest.fixture
def open_mode(world, rules_templates):
    """An open consultation on 简易规则 (open mode), slow mode off."""
    return make_consultation(world, rules_templates, key="simple", slow_mode_seconds=0)


@pytest.fixture
def sockets(app, world):
    """sockets('resident') -> a /consultations test client logged in as that member."""
    made = []

    def connect(key: str):
        http = app.test_client()
        http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = http.post("/account/login", data={"phone": world.users[key].phone, "password": "correct-horse-9"})
        assert response.status_code == 302, key
        client = socketio.test_client(app, namespace="/consultations", flask_test_client=http)
        made.append(client)
        return client

    yield connect
    for client in made:
        for namespace, connected in list(client.connected.items()):
            if connected:
                client.disconnect(namespace)


def ack(client, event: str, **data) -> dict:
    """Emit with an acknowledgement and return it."""
    return client.emit(event, data, namespace="/consultations", callback=True)


def events(client, name: str) -> list:
    """Payloads of the named event received so far (the test client gives a `message` event's
    payload bare, other events' as an argument list)."""
    found = []
    for event in client.get_received("/consultations"):
        if event["name"] == name:
            args = event["args"]
            found.append(args[0] if isinstance(args, list) else args)
    return found
