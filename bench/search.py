"""Search latency: `python -m bench --only search` (or `python -m bench.search` alone).

Builds 10,000 ideas and 100,000 speeches in one community (the worst case: every document in the scope of
every query), indexes them with `app.search.index.rebuild` (timed), then times `app.search.services.search`
(the SQL, the access check of each result, the highlighting: everything of a request but HTTP) for 1-, 2- and
4-character queries, common and rare, with and without filters, on PostgreSQL and SQLite. Beside them, in the
same run: the same LIKE conditions without the gram index (a plain scan: what the GIN index saves) and a
primary-key lookup (the floor of one query). The section "Search" of bench/RESULTS.md is written (replaced)
from the figures; the load average before and after is recorded, as other work on the machine moves them.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

IDEAS = 10_000
SPEECHES = 100_000
CONSULTATIONS = 200
RANKED = 1000  # app.search.services.RANKED: a count above it means "more than"
REPEATS = 40  # timed runs of each query (after one untimed, to warm the caches)
TARGET_P95_MS = 100.0

# Phrases residents write; "小区" is in many (a common 2-character term), "电梯" in some, "消防通道" only in
# the rare phrase (0.2 % of documents).
PHRASES = [
    "小区门口停车太乱",
    "建议在小区里加装充电桩",
    "电梯经常坏，老人上下楼很难",
    "电梯维修要尽快安排",
    "楼道灯不亮，晚上看不清",
    "垃圾分类点的味道很大",
    "希望增加老年人活动室",
    "孩子放学后没有地方玩",
    "小区绿化需要修剪",
    "快递柜不够用",
    "物业费的账目要公开",
    "外墙渗水，屋里发霉",
    "非机动车乱停影响通行",
    "小区广场舞声音太大",
    "健身器材坏了没人修",
    "雨天地下车库积水",
    "同意这个方案",
    "我反对，费用太高",
    "能不能先做个调查",
    "支持加装WiFi，方便老人视频通话",
    "3号楼的情况更严重",
    "周末可以组织志愿者",
    "预算要控制在五万元以内",
    "请业委会出个说明",
]
RARE = "消防通道被杂物堵塞"
RARE_SHARE = 0.002

QUERIES = [
    ("1 char, common", "梯", {}),
    ("2 chars, common (小区)", "小区", {}),
    ("2 chars, common (电梯)", "电梯", {}),
    ("2 chars, rare (消防)", "消防", {}),
    ("4 chars, common (电梯维修)", "电梯维修", {}),
    ("4 chars, rare (消防通道)", "消防通道", {}),
    ("2 chars + kind=idea, status", "电梯", {"kind": "idea", "status": "submitted"}),
    ("2 chars + last 30 days", "停车", {"since_days": 30}),
    ("4 chars + kind=consultation", "电梯维修", {"kind": "consultation"}),
    ("2 words (电梯 3号楼)", "电梯 3号楼", {}),
    ("mixed (wifi)", "wifi", {}),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(round(p / 100.0 * len(ordered) + 0.5) - 1, 0)
    return ordered[min(rank, len(ordered) - 1)]


def _text(rng: random.Random, low: int, high: int) -> str:
    parts = [rng.choice(PHRASES) for _ in range(rng.randint(low, high))]
    if rng.random() < RARE_SHARE:
        parts.insert(rng.randrange(len(parts) + 1), RARE)
    return "，".join(parts) + "。"


def _app(url: str):
    from app import create_app
    from config import TestingConfig

    config = type("BenchSearchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "localhost"})
    return create_app(config)


def build(url: str, ideas_n: int = IDEAS, speeches_n: int = SPEECHES) -> dict:
    """The schema by the migrations, one community, its documents; returns what the timings need."""
    import flask_migrate
    from sqlalchemy import insert

    from app.accounts.models import User
    from app.communities.models import Community, District, MemberRole, Membership, MembershipStatus, Role, Street
    from app.consultations.models import Consultation, Phase, Speech
    from app.core.models import utcnow
    from app.extensions import db
    from app.ideas.models import Category, Idea
    from app.procedure.shipped import ensure_shipped
    from app.search import index

    app = _app(url)
    with app.app_context():
        flask_migrate.upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        district = District(name="基准区")
        street = Street(district=district, name="基准街道")
        community = Community(street=street, name="基准社区", slug="bench")
        user = User(phone="13900000001", name="居民", password_hash="!bench", locale="zh_CN")
        db.session.add_all([district, street, community, user])
        db.session.flush()
        membership = Membership(user_id=user.id, community_id=community.id, status=MembershipStatus.VERIFIED)
        membership.roles.append(MemberRole(role=Role.RESIDENT))
        db.session.add(membership)
        rules = ensure_shipped()[0]
        db.session.commit()
        rng = random.Random(20261205)
        now = utcnow()
        categories = list(Category)
        ideas = [
            {
                "community_id": community.id,
                "author_id": user.id,
                "client_id": uuid.uuid4().hex,
                "title": rng.choice(PHRASES)[:30],
                "description": _text(rng, 2, 6),
                "category": rng.choice(categories).value,
                "status": "submitted",
                "endorsement_count": 0,
                "comment_count": 0,
                "created_at": now - timedelta(minutes=rng.randrange(400 * 24 * 60)),
                "updated_at": now,
            }
            for _ in range(ideas_n)
        ]
        db.session.execute(insert(Idea), ideas)
        consultations = [
            {
                "community_id": community.id,
                "title": f"{rng.choice(PHRASES)[:20]}（第{n}次协商）",
                "background": _text(rng, 3, 8),
                "background_html": "",
                "parties": ["residents"],
                "chair_id": user.id,
                "rule_set_id": rules.id,
                "phase": Phase.OPEN.value,
                "locked": False,
                "created_by_id": user.id,
                "last_activity_at": now,
                "participant_count": 0,
                "created_at": now - timedelta(days=rng.randrange(400)),
                "updated_at": now,
            }
            for n in range(CONSULTATIONS)
        ]
        db.session.execute(insert(Consultation), consultations)
        consultation_ids = [c.id for c in db.session.query(Consultation.id)]
        for start in range(0, speeches_n, 10_000):
            speeches = [
                {
                    "consultation_id": rng.choice(consultation_ids),
                    "author_id": user.id,
                    "client_id": uuid.uuid4().hex,
                    "body": _text(rng, 1, 4),
                    "by_chair": False,
                    "created_at": now - timedelta(minutes=rng.randrange(400 * 24 * 60)),
                }
                for _ in range(min(10_000, speeches_n - start))
            ]
            db.session.execute(insert(Speech), speeches)
        db.session.commit()
        started = time.perf_counter()
        written = index.rebuild()
        db.session.commit()
        reindex_s = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE search_documents")
                conn.commit()
        return {"community_id": community.id, "user_id": user.id, "documents": written, "reindex_s": reindex_s}


def _timed(call, repeats: int) -> dict:
    call()  # warm
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000.0)
    return {
        "p50": percentile(samples, 50),
        "p95": percentile(samples, 95),
        "p99": percentile(samples, 99),
        "max": max(samples),
    }


def measure(url: str, built: dict, repeats: int) -> dict:
    from sqlalchemy import select

    from app.accounts.models import User
    from app.communities import access
    from app.communities.models import Community
    from app.core.clock import local_today
    from app.extensions import db
    from app.ideas.models import Idea
    from app.search import services

    app = _app(url)
    rows = {}
    with app.app_context(), app.test_request_context():
        dialect = db.engine.dialect.name

        def viewer():
            return access.viewer(
                db.session.get(User, built["user_id"]), db.session.get(Community, built["community_id"])
            )

        for label, query, extra in QUERIES:
            extra = dict(extra)
            since_days = extra.pop("since_days", None)
            if since_days:
                extra["since"] = local_today() - timedelta(days=since_days)
            filters = services.Filters(**extra)
            results: dict = {}

            def full(query=query, filters=filters, results=results):
                found = services.search(viewer(), query, filters)
                results["total"] = found.total
                db.session.rollback()

            row = _timed(full, repeats)
            row["matches"] = results["total"]
            if dialect == "postgresql":  # the same LIKEs without the gram index: a plain scan of the community
                terms = services.parse(query)

                def scan(terms=terms, filters=filters):
                    services.find(built["community_id"], terms, filters, dialect="scan")
                    db.session.rollback()

                row["scan"] = _timed(scan, max(5, repeats // 4))
            rows[label] = row
        ids = [i for (i,) in db.session.execute(select(Idea.id).limit(1000))]
        rng = random.Random(1)

        def pk():
            db.session.execute(select(Idea.title).where(Idea.id == rng.choice(ids))).one()
            db.session.rollback()

        rows["baseline: one idea by primary key"] = _timed(pk, repeats * 5)
    return rows


def run(admin_url: str | None, *, repeats: int = REPEATS, quick: bool = False) -> dict:
    """Both databases (PostgreSQL when admin_url reaches one), with the load average around the run."""
    from bench.servers import ScratchDatabase

    ideas_n, speeches_n = (IDEAS // 100, SPEECHES // 100) if quick else (IDEAS, SPEECHES)
    repeats = 5 if quick else repeats
    out = {"load_before": os.getloadavg(), "ideas": ideas_n, "speeches": speeches_n, "repeats": repeats, "runs": {}}
    workdir = Path(tempfile.mkdtemp(prefix="yishi-bench-search-"))
    for kind in ("postgresql", "sqlite"):
        scratch = ScratchDatabase(admin_url if kind == "postgresql" else None, workdir)
        if scratch.kind != kind:
            out["runs"][kind] = {"error": scratch.note or "not available"}
            continue
        try:
            started = time.perf_counter()
            built = build(scratch.url, ideas_n, speeches_n)
            built["build_s"] = time.perf_counter() - started
            out["runs"][kind] = {"version": scratch.version, **built, "queries": measure(scratch.url, built, repeats)}
        finally:
            scratch.drop()
    out["load_after"] = os.getloadavg()
    return out


def _ms(value) -> str:
    return f"{value:.1f}"


def render(results: dict) -> str:
    """The "Search" section of RESULTS.md."""
    lines = [
        f"## Search: {results['ideas']:,} ideas and {results['speeches']:,} speeches in one community",
        "",
        f"Written by `python -m bench --only search` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"load average {results['load_before'][0]:.2f} before, {results['load_after'][0]:.2f} after "
        "(a shared 2-core machine: others' work moves single figures). Each query timed "
        f"{results['repeats']} times after one warm-up, through `app.search.services.search` (SQL, the access "
        'check of each result, highlighting; no HTTP). "scan": the same LIKE conditions without the gram '
        "index (PostgreSQL). Target: p95 ≤ 100 ms on PostgreSQL.",
        "",
    ]
    for kind, run in results["runs"].items():
        if "error" in run:
            lines += [f"### {kind}: not run ({run['error']})", ""]
            continue
        lines += [
            f"### {kind} {run.get('version', '')}".rstrip(),
            "",
            f"{run['documents']:,} documents indexed; building the data took {run['build_s']:.0f} s, of which "
            f"`search-reindex` (app.search.index.rebuild) {run['reindex_s']:.1f} s.",
            "",
            "| query | matches | p50 ms | p95 ms | p99 ms | max ms | target | scan p50 ms | scan p95 ms |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for label, row in run["queries"].items():
            verdict = ""
            if kind == "postgresql" and "matches" in row:
                verdict = "PASS" if row["p95"] <= TARGET_P95_MS else f"MISS (+{row['p95'] - TARGET_P95_MS:.0f} ms)"
            scan = row.get("scan") or {}
            matches = row.get("matches", "")
            if isinstance(matches, int) and matches > RANKED:
                matches = f"> {RANKED:,} (newest {RANKED:,} ranked)"
            lines.append(
                f"| {label} | {matches} | {_ms(row['p50'])} | {_ms(row['p95'])} | {_ms(row['p99'])} "
                f"| {_ms(row['max'])} | {verdict} | {_ms(scan['p50']) if scan else ''} "
                f"| {_ms(scan['p95']) if scan else ''} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


START, END = "<!-- search:start -->", "<!-- search:end -->"


def write_section(path: Path, results: dict) -> None:
    """Replace (or append) the Search section of RESULTS.md, leaving the rest as it is."""
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
    import json
    import sys

    args = [a for a in sys.argv[1:] if a != "--quick"]
    admin = args[0] if args else "postgresql://postgres@127.0.0.1:5432/postgres"
    figures = run(None if admin == "sqlite" else admin, quick="--quick" in sys.argv)
    print(json.dumps(figures, indent=1, default=str))
    write_section(Path(__file__).resolve().parent / "RESULTS.md", figures)
