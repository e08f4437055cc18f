"""Build the benchmark's world in a scratch database, run as its own process (it imports the app).

    python -m bench.setup_data OUT.json MEMBERS [STORM_ROOMS [VOTE_ROUNDS]]

Creates the schema, one community with MEMBERS verified residents (no password hashing: the
load logs in by a signed session cookie made here with the server's SECRET_KEY, carrying the token of
a login recorded here), a staff member,
a chair, an open consultation on the open-mode rules (slow mode off) for the fan-out, STORM_ROOMS rooms
with a history for the join storm, and for each of VOTE_ROUNDS rounds of the vote benchmark two
consultations whose motion is put to the vote. Writes ids and cookies to OUT.json.
"""

from __future__ import annotations

import json
import sys

from flask.sessions import SecureCookieSessionInterface

from app import create_app
from app.accounts import sessions
from app.accounts.models import User
from app.communities import access
from app.communities.models import Community, District, MemberRole, Membership, MembershipStatus, Role, Street
from app.consultations import services
from app.consultations.models import Phase
from app.extensions import db
from app.procedure.shipped import ensure_shipped

NO_LOGIN = "!bench-no-password"  # not a werkzeug hash: nobody logs in with a password


def _user(n: int, name: str) -> User:
    return User(phone=f"139{n:08d}", name=name, password_hash=NO_LOGIN, locale="zh_CN")


def _history(room, authors: list[User], count: int) -> None:
    """`count` speeches in a room, written at once (the join storm's rooms have a history to send)."""
    from app.consultations.models import Speech

    db.session.add_all(
        Speech(
            consultation_id=room.id,
            author_id=authors[i % len(authors)].id,
            client_id=f"bench-h{room.id}-{i}",
            body=f"第{i}条发言：" + "关于电动车充电桩的位置，我有几点想法想和大家商量一下。" * 3,
        )
        for i in range(count)
    )


def build(app, members: int, storm_rooms: int = 0, vote_rounds: int = 1) -> dict:
    district = District(name="基准区")
    street = Street(district=district, name="基准街道")
    community = Community(street=street, name="基准社区", slug="bench")
    db.session.add_all([district, street, community])
    db.session.flush()
    staff, chair = _user(1, "社区工作人员"), _user(2, "主持人")
    residents = [_user(100 + i, f"居民{i}") for i in range(members)]
    db.session.add_all([staff, chair, *residents])
    db.session.flush()

    def member(user: User, *roles: Role) -> None:
        m = Membership(user_id=user.id, community_id=community.id, status=MembershipStatus.VERIFIED)
        m.roles.extend(MemberRole(role=role) for role in roles)
        db.session.add(m)

    member(staff, Role.COMMUNITY_STAFF)
    member(chair, Role.RESIDENT, Role.GROUP_LEADER)
    for user in residents:
        member(user, Role.RESIDENT)
    db.session.commit()

    simple = {r.key: r for r in ensure_shipped()}["simple"]

    def as_(user: User):
        return access.viewer(user, community)

    def consultation(title: str):
        c = services.create_draft(
            as_(staff),
            title=title,
            background="基准测试用的议事。",
            building_id=None,
            parties=["residents_committee", "residents"],
            chair_id=chair.id,
            rule_set_id=simple.id,
        )
        c.rule_set.slow_mode_seconds = 0
        c.rule_set.max_speech_chars = 2000
        db.session.commit()
        services.set_phase(as_(staff), c, Phase.OPEN)
        db.session.commit()
        return c

    room = consultation("电动车充电桩安装位置（基准测试）")

    def put_to_vote(title: str, text: str, key: str):
        motion = services.move(as_(residents[0]), consultation(title), client_id=key, text=text)
        motion = services.second(as_(residents[1]), motion)
        return services.call_vote(as_(chair), motion)

    # each round of the vote benchmark (bench/run.py votes): a motion for the burst, one for the steady stream,
    # each in a consultation of its own (a voter votes once: every round needs motions nobody has voted on)
    rounds = []
    for i in range(vote_rounds):
        burst = put_to_vote(f"是否更换物业公司（基准测试表决 {i + 1}）", "同意启动更换物业公司的程序", f"bench-m{i}")
        paced = put_to_vote(f"小区停车收费标准（基准测试表决 {i + 1}）", "同意停车收费标准调整方案", f"bench-p{i}")
        rounds.append({"motion_id": burst.id, "paced_motion_id": paced.id})
    db.session.commit()  # this script is the edge: the services only flush
    # the join storm's rooms (bench/run.py join): each run joins a room nobody has attended yet
    storms = [consultation(f"更换物业公司（基准测试：同时进入 {i + 1}）") for i in range(storm_rooms)]
    for storm in storms:
        _history(storm, residents[:50], 200)
    db.session.commit()

    serializer = SecureCookieSessionInterface().get_signing_serializer(app)

    def cookie(user: User) -> str:
        _login, token = sessions.start(user, remember=True, device="Bench")
        return serializer.dumps({"_user_id": token, "_fresh": True})

    data = {
        "community_id": community.id,
        "consultation_id": room.id,
        "vote_rounds": rounds,
        "storm_rooms": [storm.id for storm in storms],
        "session_cookie_name": app.config.get("SESSION_COOKIE_NAME", "session"),
        "chair": cookie(chair),
        "staff": cookie(staff),
        "members": [cookie(u) for u in residents],
    }
    db.session.commit()  # the logins the cookies carry
    return data


def main() -> None:
    out, members = sys.argv[1], int(sys.argv[2])
    storm_rooms = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    vote_rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    app = create_app()
    with app.app_context():
        db.create_all()
        data = build(app, members, storm_rooms, vote_rounds)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(data, fh)


if __name__ == "__main__":
    main()
