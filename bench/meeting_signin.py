"""A 200-person meeting's sign-in burst: `python -m bench.meeting_signin [--people 200] [--spread 60]`.

Builds (in a scratch schema of the PostgreSQL database given by BENCH_DATABASE_URL, default the meet branch's
own test database) one community with PEOPLE verified residents, an open consultation and a meeting starting
in ten minutes (its hall sign-in open), starts Yishi as in production (gunicorn, one gevent worker, the
production config), and has every resident scan the sheet's QR code: GET the sign-in page (the address in the
QR code), then POST its form, each from their own logged-in session, arriving at random within SPREAD seconds.
Then every resident scans a second time (each must be refused, 409, nothing stored), and a second meeting
takes all PEOPLE scans at once (SPREAD 0). Reports failures (anything but the expected status), the rows
stored, and latency percentiles; writes (replaces) the section "Meeting sign-in burst" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/test_meet"
SCHEMA = "bench_meet"
START = "<!-- meeting-signin:start -->"
END = "<!-- meeting-signin:end -->"
MAX_TRIES = 20  # a person told "busy" taps again, up to this many times
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def schema_url(base: str) -> str:
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{SCHEMA}"


def reset_schema(base: str, *, drop_only: bool = False) -> None:
    import psycopg2

    conn = psycopg2.connect(base)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        if not drop_only:
            cur.execute(f"CREATE SCHEMA {SCHEMA}")
    conn.close()


def server_env(database_url: str) -> dict:
    from bench.servers import RATE_LIMITS, SECRET_KEY

    return {
        **os.environ,
        "YISHI_CONFIG": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "SESSION_COOKIE_SECURE": "0",
        "SOCKETIO_ALLOWED_ORIGINS": "http://127.0.0.1",
        "SMS_BACKEND": "development",
        "SMS_ALLOW_DEVELOPMENT_BACKEND": "1",
        **RATE_LIMITS,
    }


# -- the world: built in its own process, with the server's configuration ----------------------------


def build(people: int) -> dict:
    from datetime import timedelta

    from flask.sessions import SecureCookieSessionInterface

    from app import create_app
    from app.accounts import sessions
    from app.accounts.models import User
    from app.communities.models import Community, District, MemberRole, Membership, MembershipStatus, Role, Street
    from app.consultations.models import Consultation, Phase
    from app.core.models import utcnow
    from app.extensions import db
    from app.meetings import services
    from app.meetings.models import AgendaItem, Meeting, MeetingState
    from app.procedure.shipped import ensure_shipped

    app = create_app()
    with app.app_context():
        db.create_all()
        district = District(name="基准区")
        street = Street(district=district, name="基准街道")
        community = Community(street=street, name="基准社区", slug="bench")
        db.session.add_all([district, street, community])
        db.session.flush()
        users = [User(phone=f"139{n:08d}", name=f"居民{n}", password_hash="!", locale="zh_CN") for n in range(people)]
        staff = User(phone="13899999999", name="社区工作人员", password_hash="!", locale="zh_CN")
        db.session.add_all([staff, *users])
        db.session.flush()
        for user in users:
            m = Membership(user_id=user.id, community_id=community.id, status=MembershipStatus.VERIFIED)
            m.roles.append(MemberRole(role=Role.RESIDENT))
            db.session.add(m)
        m = Membership(user_id=staff.id, community_id=community.id, status=MembershipStatus.VERIFIED)
        m.roles.append(MemberRole(role=Role.COMMUNITY_STAFF))
        db.session.add(m)
        db.session.commit()
        simple = {r.key: r for r in ensure_shipped()}["simple"]
        rules = simple.copy(community_id=community.id, for_consultation=True)
        db.session.add(rules)
        db.session.flush()
        consultation = Consultation(
            community_id=community.id,
            title="基准议题",
            parties=["residents_committee", "residents"],
            chair_id=staff.id,
            rule_set_id=rules.id,
            created_by_id=staff.id,
            phase=Phase.OPEN,
            opened_at=utcnow(),
        )
        db.session.add(consultation)
        db.session.flush()
        meetings = []
        for n in range(2):
            starts = utcnow() + timedelta(minutes=10)
            meeting = Meeting(
                community_id=community.id,
                consultation_id=consultation.id,
                created_by_id=staff.id,
                client_id=f"bench-{n}",
                title=f"基准议事会 {n + 1}",
                place="社区议事厅",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                state=MeetingState.SCHEDULED,
            )
            db.session.add(meeting)
            db.session.flush()
            db.session.add(AgendaItem(meeting_id=meeting.id, position=1, title="议程一", outcome=""))
            meetings.append(meeting)
        db.session.commit()
        serializer = SecureCookieSessionInterface().get_signing_serializer(app)

        def cookie(user) -> str:
            _login, token = sessions.start(user, remember=True, device="Bench")
            return serializer.dumps({"_user_id": token, "_fresh": True})

        data = {
            "cookie_name": app.config.get("SESSION_COOKIE_NAME", "session"),
            "meetings": [{"id": m.id, "code": services.token(m)} for m in meetings],
            "cookies": [cookie(u) for u in users],
        }
        db.session.commit()
        return data


def stored(database_url: str, meeting_id: int) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT count(*) FROM meeting_attendances WHERE meeting_id = :m"), {"m": meeting_id})
        count = found.scalar()
    engine.dispose()
    return count


# -- the scans -------------------------------------------------------------------------------------------


async def one_scan(session, base: str, meeting: dict, delay: float, expect: int, rng: random.Random) -> dict:
    """One person's scan: the GET of the QR code's address, then the POST of its form. A 503 "busy, try again
    in N s" (the server saturated: nothing stored) is what a phone shows: after a GET the page reloads itself
    after N seconds; after a POST the person taps its button again, here after N to 2N seconds; up to
    MAX_TRIES answers in all. The time counted is the whole scan, waits included."""
    import aiohttp

    await asyncio.sleep(delay)
    url = f"{base}/meetings/{meeting['id']}/sign-in"
    started = time.perf_counter()
    busy, form, result = 0, None, {"ok": False, "status": 0, "why": "tries"}
    try:
        for _try in range(MAX_TRIES):
            if form is None:
                async with session.get(url, params={"code": meeting["code"]}) as page:
                    body = await page.text()
                    if page.status == 503:
                        busy += 1
                        await asyncio.sleep(float(page.headers.get("Retry-After", 3)))
                        continue
                    token = CSRF.search(body)
                    if page.status != 200 or token is None:
                        result = {"ok": False, "status": page.status, "why": "page"}
                        break
                    form = {"csrf_token": token.group(1), "code": meeting["code"]}
            posted = time.perf_counter()
            async with session.post(url, data=form, allow_redirects=False) as done:
                await done.read()
                if done.status == 503:
                    busy += 1
                    await asyncio.sleep(float(done.headers.get("Retry-After", 3)) * (1 + rng.random()))
                    continue
                ended = time.perf_counter()
                result = {
                    "ok": done.status == expect,
                    "status": done.status,
                    "post_ms": (ended - posted) * 1000,
                    "scan_ms": (ended - started) * 1000,
                }
                break
    except aiohttp.ClientError as err:
        result = {"ok": False, "status": 0, "why": type(err).__name__}
    result["busy"] = busy
    return result


async def burst(base: str, data: dict, meeting: dict, spread: float, expect: int, seed: int) -> list[dict]:
    import aiohttp
    from yarl import URL

    rng = random.Random(seed)
    sessions = []
    for cookie in data["cookies"]:
        jar = aiohttp.CookieJar(unsafe=True)
        jar.update_cookies({data["cookie_name"]: cookie}, response_url=URL(base))
        sessions.append(aiohttp.ClientSession(cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=60)))
    try:
        tasks = [one_scan(s, base, meeting, rng.uniform(0, spread), expect, rng) for s in sessions]
        return await asyncio.gather(*tasks)
    finally:
        for s in sessions:
            await s.close()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(round(p / 100.0 * len(ordered) + 0.5) - 1, 0)
    return ordered[min(rank, len(ordered) - 1)]


def summary(results: list[dict], wall: float, rows: int) -> dict:
    scans = [r["scan_ms"] for r in results if "scan_ms" in r]
    posts = [r["post_ms"] for r in results if "post_ms" in r]
    statuses: dict[str, int] = {}
    for r in results:
        statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    return {
        "scans": len(results),
        "failures": sum(1 for r in results if not r["ok"]),
        "busy": sum(r.get("busy", 0) for r in results),
        "retried": sum(1 for r in results if r.get("busy")),
        "statuses": statuses,
        "rows": rows,
        "wall_s": wall,
        "scan_p50": percentile(scans, 50),
        "scan_p95": percentile(scans, 95),
        "scan_p99": percentile(scans, 99),
        "scan_max": max(scans) if scans else float("nan"),
        "post_p95": percentile(posts, 95),
    }


def server_errors(log_path: Path | None) -> dict[str, int]:
    """The last line of each traceback in the server's log (its exception), counted."""
    found: dict[str, int] = {}
    if log_path is None or not log_path.exists():
        return found
    lines = log_path.read_text(errors="replace").splitlines()
    for n, line in enumerate(lines):
        if line.startswith("Traceback"):
            tail = next((t for t in lines[n + 1 :] if t and not t.startswith((" ", "\t", "Traceback"))), "")
            key = tail.split(" (Background")[0][:160]
            found[key] = found.get(key, 0) + 1
    return found


def render(figures: dict) -> str:
    lines = [
        START,
        "## Meeting sign-in burst (`bench/meeting_signin.py`)",
        "",
        f"Run {figures['when']} on PostgreSQL {figures['pg']}, Yishi under gunicorn (one gevent worker, production "
        f"config), {figures['people']} verified residents each with their own logged-in session; a scan is the GET "
        "of the QR code's address and the POST of its form. Load average "
        f"{figures['load_before']:.1f} before, {figures['load_after']:.1f} after (the machine is shared).",
        "",
        "| burst | scans | failures | answers | busy (people told to retry) | rows stored | wall (s) "
        "| scan p50 (ms) | scan p95 (ms) | scan p99 (ms) | scan max (ms) | POST p95 (ms) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, s in figures["runs"]:
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(s["statuses"].items()))
        lines.append(
            f"| {label} | {s['scans']} | {s['failures']} | {answers} | {s['busy']} ({s['retried']}) | {s['rows']} "
            f"| {s['wall_s']:.1f} | {s['scan_p50']:.0f} | {s['scan_p95']:.0f} | {s['scan_p99']:.0f} "
            f"| {s['scan_max']:.0f} | {s['post_p95']:.0f} |"
        )
    if figures.get("errors"):
        found = "; ".join(f"{n} × `{line}`" for line, n in figures["errors"].items())
        lines += ["", f"Server errors in its log (the cause of any 500): {found}."]
    lines += [
        "",
        "Target: 200 scans within a minute, no failure (each first scan 302 and one row; each second scan 409 "
        "“already signed in” and nothing stored). A scan's time runs from its first GET to its final answer, waits "
        "after a 503 “busy, try again in N s” included (the page reloads itself after N seconds; a busy POST is "
        "tapped again after N to 2N); a 503 is not a failure, anything else unexpected (a 500, a timeout) is.",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in text and END in text:
        before, _s, rest = text.partition(START)
        _m, _e, after = rest.partition(END)
        text = before + section.rstrip("\n") + after
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--spread", type=float, default=60.0)
    parser.add_argument("--build", metavar="OUT_JSON", help=argparse.SUPPRESS)  # the world, in its own process
    parser.add_argument("--no-write", action="store_true", help="print the section, leave RESULTS.md alone")
    parser.add_argument("--only-storm", action="store_true", help="only the all-at-once burst")
    args = parser.parse_args()
    base_db = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    database_url = schema_url(base_db)
    if args.build:
        Path(args.build).write_text(json.dumps(build(args.people)), encoding="utf-8")
        return

    from bench import servers

    reset_schema(base_db)
    workdir = Path(tempfile.mkdtemp(prefix="bench-meet-"))
    out = workdir / "world.json"
    env = server_env(database_url)
    subprocess.run(
        [sys.executable, "-m", "bench.meeting_signin", "--build", str(out), "--people", str(args.people)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    load_before = os.getloadavg()[0]
    os.environ.update({k: v for k, v in env.items() if k in ("SECRET_KEY",)})
    server = servers.start("yishi", "gunicorn", workdir, database_url=database_url, redis_url=None, pin=False)
    if server.error:
        sys.exit(f"the server did not start: {server.error}")
    runs = []
    try:
        first, second = data["meetings"]
        plan = [
            (f"{args.people} scans at random within {args.spread:.0f} s", first, args.spread, 302),
            ("the same people scan again (refused)", first, args.spread, 409),
            (f"{args.people} scans at once (another meeting)", second, 0.0, 302),
        ]
        if args.only_storm:
            plan = plan[2:]
        for n, (label, meeting, spread, expect) in enumerate(plan):
            began = time.perf_counter()
            results = asyncio.run(burst(server.url, data, meeting, spread, expect, seed=n))
            wall = time.perf_counter() - began
            runs.append((label, summary(results, wall, stored(database_url, meeting["id"]))))
            print(label, json.dumps(runs[-1][1], ensure_ascii=False), flush=True)
    finally:
        server.stop()
        reset_schema(base_db, drop_only=True)
    errors = server_errors(server.log_path)
    import psycopg2

    conn = psycopg2.connect(base_db)
    with conn.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    conn.close()
    figures = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "pg": pg,
        "people": args.people,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "runs": runs,
        "errors": errors,
    }
    section = render(figures)
    print(section)
    if not args.no_write:
        write_section(ROOT / "bench" / "RESULTS.md", section)


if __name__ == "__main__":
    main()
