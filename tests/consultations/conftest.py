"""A consultation in the world fixture's community, and socket clients for its members."""

from __future__ import annotations

import pytest

from app.communities import access
from app.communities.access import Viewer
from app.communities.models import Community
from app.consultations import services
from app.consultations.models import Consultation, Phase
from app.extensions import db, socketio
from app.procedure.shipped import ensure_shipped
from tests import factories


@pytest.fixture
def rules_templates(app):
    return {r.key: r for r in ensure_shipped()}


def viewer_of(user, where) -> Viewer:
    """How `user` stands in the community of `where` (a community, a consultation, or a motion or speech
    in one): what an edge hands the services."""
    if not isinstance(where, Community):
        where = where if isinstance(where, Consultation) else where.consultation
        where = where.community
    return access.viewer(user, where)


def committed(result):
    """What a service returned, once committed as its edge (a view, a socket handler) would commit it."""
    db.session.commit()
    return result


def make_consultation(
    world,
    rules_templates,
    *,
    key="nantang",
    building=None,
    phase=Phase.OPEN,
    chair="leader_a",
    creator="staff",
    parties=("residents_committee", "property_manager", "residents"),
    **rule_changes,
):
    consultation = services.create_draft(
        viewer_of(world.users[creator], world.community),
        title="电动车充电桩安装位置",
        background="**背景**：1栋门口常有电动车<script>alert(1)</script>飞线充电。",
        building_id=building.id if building is not None else None,
        parties=list(parties),
        chair_id=world.users[chair].id,
        rule_set_id=rules_templates[key].id,
    )
    for name, value in rule_changes.items():
        setattr(consultation.rule_set, name, value)
    if phase != Phase.DRAFT:
        services.set_phase(viewer_of(world.users[creator], consultation), consultation, Phase.OPEN)
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


# -- Shared by the permission, rules, moderation, motion and HTTP tests ------------------------------

# Every member key of the root `world` fixture (test_socket_permissions checks this stays complete).
WORLD_KEYS = (
    "resident",
    "owner",
    "leader_a",
    "leader_b",
    "group_leader",
    "resident_rep",
    "property_manager",
    "owners_committee",
    "staff",
    "social_org",
    "expert",
    "other_staff",
    "other_resident",
    "pending_a",
    "pending_b",
    "unverified",
    "street_staff",
    "district_staff",
    "outsider",
)


def logged_in(app, user, language: str = "en"):
    """An HTTP test client whose session is logged in as `user` (no password check: fast)."""
    http = app.test_client()
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    if user is not None:
        with http.session_transaction() as session:
            session["_user_id"] = factories.login_token(user)
            session["_fresh"] = True
    return http


@pytest.fixture
def members(app, world):
    """members('resident') -> a /consultations socket client logged in through the session cookie
    (like `sockets`, without hashing a password per client)."""
    made = []

    def connect(key: str):
        client = socketio.test_client(
            app, namespace="/consultations", flask_test_client=logged_in(app, world.users[key])
        )
        assert client.is_connected("/consultations"), key
        made.append(client)
        return client

    yield connect
    for client in made:
        for namespace, connected in list(client.connected.items()):
            if connected:
                client.disconnect(namespace)


def count(model, **filters) -> int:
    """Rows of a model matching column == value filters."""
    from sqlalchemy import func, select

    query = select(func.count()).select_from(model)
    for name, value in filters.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def code(result: dict) -> str:
    """'ok' for an accepted acknowledgement, else its error code."""
    return "ok" if result.get("ok") else result["error"]["code"]


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory):
    """One application and database for a whole module (as the root `app` fixture, built once).

    A module that overrides `app` and `world` with `shared_app` and `shared_world` runs its many
    small parametrized cases against one world; each case makes its own consultation.
    """
    from tests.conftest import running_app

    with running_app(tmp_path_factory.mktemp("imports")) as application:
        yield application


@pytest.fixture(scope="module")
def shared_world(shared_app):
    """The root `world`, built once per module on `shared_app`."""
    from tests import conftest as root

    return root.world.__wrapped__(shared_app)


def inbox(client) -> dict[str, list]:
    """Everything received so far, by event name (drains the client, like `events`)."""
    found: dict[str, list] = {}
    for event in client.get_received("/consultations"):
        args = event["args"]
        found.setdefault(event["name"], []).append(args[0] if isinstance(args, list) else args)
    return found
