"""A slow consultation's page (异步协商) under load of content: `python -m bench.slow [postgres url]`.

Builds, in a scratch schema of the given PostgreSQL database, one community with 300 verified residents, a slow
consultation with 500 replies (100 threads, 400 answers, reactions) and an open proposal with 300 positions
(each with a reason), and beside it, in the same run, the baselines: `/healthz` (the app with no query), the
community's consultation list (a light page through the access rule) and a live consultation (南塘 rules)
with 500 speeches, whose room page is today's heaviest. Each page is fetched through the Flask test client as
a resident (the whole request: the access rule, the queries, the template; no network), once to warm, then
REPEATS times, the pages taking turns (one of each per round, the order rotating), so that the machine's load
of the moment weighs on the slow page and its baselines alike; the slow page's p95 is given over the list's.
Page weight: the HTML's bytes, uncompressed and gzipped (what nginx sends). Target: the slow page ≤ 100 KB and
p95 ≤ 300 ms on PostgreSQL. The section "Slow consultation page" of bench/RESULTS.md is written (replaced).
"""

from __future__ import annotations

import gzip
import os
import random
import time
import uuid
from datetime import timedelta
from pathlib import Path

RESIDENTS = 300
THREADS = 100
ANSWERS = 400
SPEECHES = 500
REPEATS = 60
TARGET_BYTES = 100 * 1024
TARGET_P95_MS = 300.0
BASE_HEALTH = "baseline: /healthz (no query)"
BASE_LIST = "baseline: the consultation list"
SLOW = "slow page: 500 replies, 300 positions"

PHRASES = [
    "车棚建在2栋东侧比较方便",
    "担心晚上有噪音影响一楼住户",
    "充电桩按度计费比较公平",
    "建议先征求一楼住户的意见",
    "消防通道必须留出来",
    "费用从公共收益里出可以吗",
    "老人的三轮车也要有地方停",
    "同意，越快越好",
    "希望装上监控，防止偷车",
    "入口朝东，避开窗户",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(round(p / 100.0 * len(ordered) + 0.5) - 1, 0)
    return ordered[min(rank, len(ordered) - 1)]


def _text(rng: random.Random, low: int, high: int) -> str:
    return "，".join(rng.choice(PHRASES) for _ in range(rng.randint(low, high))) + "。"


def _app(url: str, schema: str):
    from app import create_app
    from config import TestingConfig

    config = type(
        "BenchSlowConfig",
        (TestingConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
            "WTF_CSRF_ENABLED": False,
        },
    )
    return create_app(config)


def build(app) -> dict:
    """The community, its residents, the slow consultation and the live baseline."""
    from sqlalchemy import insert

    from app.accounts import sessions
    from app.accounts.models import User
    from app.communities.models import Community, District, MemberRole, Membership, MembershipStatus, Role, Street
    from app.consultations.models import Consultation, Motion, MotionState, Phase, Speech
    from app.core.models import utcnow
    from app.extensions import db
    from app.procedure.engine import Choice
    from app.procedure.shipped import ensure_shipped
    from app.slow.models import Position, Reaction, Reply, ReplyReaction, ReplyStance

    rng = random.Random(20261206)
    now = utcnow()
    district = District(name="基准区")
    street = Street(district=district, name="基准街道")
    community = Community(street=street, name="基准社区", slug="bench-slow")
    db.session.add_all([district, street, community])
    db.session.flush()
    users = []
    for n in range(RESIDENTS + 1):
        user = User(phone=f"1390000{n:04d}", name=f"居民{n}", password_hash="!bench", locale="zh_CN")
        membership = Membership(user=user, community_id=community.id, status=MembershipStatus.VERIFIED)
        membership.roles.append(MemberRole(role=Role.COMMUNITY_STAFF if n == 0 else Role.RESIDENT))
        db.session.add_all([user, membership])
        users.append(user)
    db.session.flush()
    templates = {r.key: r for r in ensure_shipped()}
    made = {}
    for key in ("slow", "nantang"):
        rules = templates[key].copy(community_id=community.id, for_consultation=True)
        db.session.add(rules)
        db.session.flush()
        made[key] = Consultation(
            community_id=community.id, title=f"新建非机动车棚的位置（{key}）", background=_text(rng, 6, 10),
            background_html=f"<p>{_text(rng, 6, 10)}</p>", parties=["residents_committee", "residents"],
            chair_id=users[0].id, rule_set_id=rules.id, created_by_id=users[0].id, phase=Phase.OPEN, opened_at=now,
        )  # fmt: skip
        db.session.add(made[key])
    db.session.flush()
    slow, live = made["slow"], made["nantang"]
    stances = [*ReplyStance, None]
    tops = [
        {"consultation_id": slow.id, "author_id": rng.choice(users[1:]).id, "client_id": uuid.uuid4().hex,
         "body": _text(rng, 2, 6), "stance": (s.value if (s := rng.choice(stances)) else None),
         "created_at": now - timedelta(hours=THREADS - n), "agree_count": 0, "useful_count": 0}
        for n in range(THREADS)
    ]  # fmt: skip
    db.session.execute(insert(Reply), tops)
    top_ids = [r.id for r in db.session.query(Reply.id).filter(Reply.consultation_id == slow.id)]
    answers = [
        {"consultation_id": slow.id, "parent_id": rng.choice(top_ids), "author_id": rng.choice(users[1:]).id,
         "client_id": uuid.uuid4().hex, "body": _text(rng, 1, 4), "stance": None,
         "created_at": now - timedelta(minutes=rng.randrange(THREADS * 60)), "agree_count": 0, "useful_count": 0}
        for _ in range(ANSWERS)
    ]  # fmt: skip
    db.session.execute(insert(Reply), answers)
    all_ids = [r.id for r in db.session.query(Reply.id).filter(Reply.consultation_id == slow.id)]
    reactions = {(rng.choice(all_ids), rng.choice(users[1:]).id) for _ in range(800)}
    db.session.execute(
        insert(ReplyReaction),
        [
            {"reply_id": r, "user_id": u, "kind": rng.choice(list(Reaction)).value, "created_at": now}
            for r, u in reactions
        ],
    )
    proposal = Motion(
        consultation_id=slow.id, mover_id=users[1].id, client_id="bench", text="在2栋东侧空地新建非机动车棚。",
        state=MotionState.DEBATE, created_at=now - timedelta(days=1), closes_at=now + timedelta(days=2),
    )  # fmt: skip
    db.session.add(proposal)
    db.session.flush()
    db.session.execute(
        insert(Position),
        [
            {"consultation_id": slow.id, "motion_id": proposal.id, "user_id": u.id,
             "choice": rng.choice(list(Choice)).value, "reason": _text(rng, 1, 2), "changes": 0,
             "created_at": now - timedelta(minutes=n), "updated_at": now - timedelta(minutes=n)}
            for n, u in enumerate(users[1 : RESIDENTS + 1])
        ],
    )  # fmt: skip
    db.session.execute(
        insert(Speech),
        [
            {"consultation_id": live.id, "author_id": rng.choice(users[1:]).id, "client_id": uuid.uuid4().hex,
             "body": _text(rng, 2, 6), "by_chair": False, "created_at": now - timedelta(minutes=SPEECHES - n)}
            for n in range(SPEECHES)
        ],
    )  # fmt: skip
    db.session.commit()
    viewer = users[RESIDENTS]  # a resident who has stated a position (the page shows theirs)
    _login, token = sessions.start(viewer, remember=True, device="bench")
    db.session.commit()
    return {"slow": slow.id, "live": live.id, "token": token}


def _timed(client, pages: dict[str, str], repeats: int) -> dict[str, dict]:
    """Each page once to warm, then `repeats` rounds of one fetch of each (the order rotating each round)."""
    labels = list(pages)
    first = {}
    for label in labels:
        response = client.get(pages[label])
        assert response.status_code == 200, (pages[label], response.status_code)
        first[label] = response.get_data()
    samples: dict[str, list[float]] = {label: [] for label in labels}
    cpu: dict[str, list[float]] = {label: [] for label in labels}
    for n in range(repeats):
        for label in labels[n % len(labels) :] + labels[: n % len(labels)]:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(pages[label])
            samples[label].append((time.perf_counter() - started) * 1000.0)
            cpu[label].append((time.process_time() - started_cpu) * 1000.0)  # this process's own work
            assert response.status_code == 200
    return {
        label: {
            "bytes": len(first[label]),
            "gzip_bytes": len(gzip.compress(first[label], 6)),
            "p50": percentile(samples[label], 50),
            "p95": percentile(samples[label], 95),
            "max": max(samples[label]),
            "cpu_p50": percentile(cpu[label], 50),
            "cpu_p95": percentile(cpu[label], 95),
        }
        for label in labels
    }


def run(url: str, repeats: int = REPEATS) -> dict:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from app.extensions import db

    schema = f"bench_slow_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    out: dict = {"load_before": os.getloadavg(), "repeats": repeats}
    try:
        app = _app(url, schema)
        with app.app_context():
            db.create_all()
            with db.engine.connect() as conn:
                out["version"] = conn.exec_driver_sql("SHOW server_version").scalar()
            started = time.perf_counter()
            built = build(app)
            out["build_s"] = time.perf_counter() - started
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
            client = app.test_client()
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
            with client.session_transaction() as session:
                session["_user_id"] = built["token"]
                session["_fresh"] = True
            out["rows"] = _timed(
                client,
                {
                    BASE_HEALTH: "/healthz",
                    BASE_LIST: "/c/bench-slow/consultations",
                    "baseline: live room, 500 speeches (南塘 rules)": f"/consultations/{built['live']}",
                    SLOW: f"/consultations/{built['slow']}/slow",
                    "slow page, 5th page of reasons": f"/consultations/{built['slow']}/slow?reasons=5",
                },
                repeats,
            )
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    out["load_after"] = os.getloadavg()
    return out


def render(results: dict) -> str:
    lines = [
        "## Slow consultation page: 500 replies and 300 positions",
        "",
        f"Written by `python -m bench.slow` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, PostgreSQL "
        f"{results.get('version', '')}; load average {results['load_before'][0]:.2f} before, "
        f"{results['load_after'][0]:.2f} after (a shared 2-core machine). Each page fetched "
        f"{results['repeats']} times after one warm-up through the Flask test client as a resident (the whole "
        "request, no network), the pages taking turns (one of each per round) so that the load of the moment "
        "weighs on all alike; KB: the HTML uncompressed and gzipped. The page shows the latest 10 threads with their "
        "latest 3 answers each and 20 reasons (the rest a link away). CPU: this process's time per request (Python "
        "and the driver; the database server's own work is in the wall time only), which the run queue of a loaded "
        "machine moves less. Target: ≤ 100 KB and p95 ≤ 300 ms (wall).",
        "",
        "| page | KB | KB gzip | p50 ms | p95 ms | max ms | CPU p50 ms | CPU p95 ms | p95 ÷ list's p95 | target |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    base = results["rows"][BASE_LIST]["p95"]
    for label, row in results["rows"].items():
        verdict = ""
        if label.startswith("slow page"):
            ok = row["bytes"] <= TARGET_BYTES and row["p95"] <= TARGET_P95_MS
            verdict = "PASS" if ok else "MISS"
        lines.append(
            f"| {label} | {row['bytes'] / 1024:.1f} | {row['gzip_bytes'] / 1024:.1f} | {row['p50']:.1f} "
            f"| {row['p95']:.1f} | {row['max']:.1f} | {row['cpu_p50']:.1f} | {row['cpu_p95']:.1f} "
            f"| {row['p95'] / base:.1f} | {verdict} |"
        )
    slow = results["rows"][SLOW]
    lines += [
        "",
        f"In this run the slow page's p50 / p95 were {slow['p50']:.1f} / {slow['p95']:.1f} ms beside "
        f"{results['rows'][BASE_LIST]['p50']:.1f} / {base:.1f} ms for the consultation list and "
        f"{results['rows'][BASE_HEALTH]['p50']:.1f} / {results['rows'][BASE_HEALTH]['p95']:.1f} ms for /healthz; "
        f"it weighs {slow['bytes'] / 1024:.1f} KB ({slow['gzip_bytes'] / 1024:.1f} KB gzipped).",
    ]
    return "\n".join(lines) + "\n"


START, END = "<!-- slow:start -->", "<!-- slow:end -->"


def write_section(path: Path, results: dict) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    section = f"{START}\n{render(results)}{END}\n"
    if START in text and END in text:
        before, _, rest = text.partition(START)
        _, _, after = rest.partition(END)
        text = before + section + after.lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description="The slow consultation page: 500 replies and 300 positions.")
    parser.add_argument(
        "url",
        nargs="?",
        default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test_slow"),
        help="PostgreSQL URL (default TEST_DATABASE_URL); a scratch schema in it is made and dropped",
    )
    parser.add_argument("--repeats", type=int, default=REPEATS, help="fetches of each page after one warm-up")
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave RESULTS.md alone")
    args = parser.parse_args()
    figures = run(args.url, repeats=args.repeats)
    print(json.dumps(figures, indent=1, default=str))
    if not args.no_write:
        write_section(Path(__file__).resolve().parent / "RESULTS.md", figures)
