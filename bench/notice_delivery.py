"""A notice to all 96 demo households by SMS and email, through the real queue: how long until every delivery
is recorded, and that each goes out exactly once, also when the worker is killed (SIGKILL) mid-run.

    .venv/bin/python -m bench.notice_delivery [--database postgresql://postgres@127.0.0.1:5432/postgres]
                                              [--redis redis://127.0.0.1:6379/12] [--kill-runs 9]
                                              [--homes 96] [--lease 10] [--sms-delay 0.03]
                                              [--smtp-delay 0.03] [--json FILE]
    .venv/bin/python -m bench.notice_delivery --quick     # CI: 6 homes, a 2 s lease

It makes a scratch database (dropped at the end), migrates it, loads the demo and gives each of the 96 homes
one verified resident who chose text messages and email for notices (a confirmed address). SMS go to the
Tencent Cloud API stand-in of the tests (tests/core/tencent_standin.py: signatures checked), email to a real
local SMTP server (aiosmtpd). Workers are `flask yishi worker --burst` processes. Run 1: one worker from the
notice's commit until every row is sent. Run 2: a second notice; the worker is SIGKILLed once a third of the
rows are sent, then new workers and ticks finish. Counted from what the stand-in and the SMTP server received.

Run 2 is repeated --kill-runs times, each with a new notice: SIGKILL once a third of the rows are sent, in the
middle of sending a text in odd runs and an email in even ones (--kill-in: once the next row of that channel
is claimed, up to --kill-jitter seconds into its send, so before or after the provider or server has it), then
`flask yishi worker --burst` (it settles rows left "sending" past DELIVERY_LEASE_SECONDS, --lease) and, until
every row is sent, `flask yishi tick` once the lease has passed and another worker, as production's timer
would. A run is "exactly once" on a channel when every home's number (address) received exactly one text
(email) of that notice. The stand-in answers each SendSms after --sms-delay seconds (a provider's round trip),
the SMTP server its "250 OK" --smtp-delay seconds after it has the message (a mail server's queueing).
BENCH_WORKER_LOG=<file> keeps the workers' logs.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from email import policy
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEMPLATES = {"notify_action": "2000001", "notify_info": "2000002", "notify_digest": "2000003"}


def scratch_database(base: str) -> str:
    name = f"bench_deliver_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def environment(database: str, redis_url: str, standin, smtp_port: int, lease: float) -> dict:
    return {
        **os.environ,
        "YISHI_CONFIG": "development",
        "SECRET_KEY": "bench-secret-key-0123456789abcdef0123456789",
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
        "DELIVERY_QUEUE": "rq",
        "SMS_BACKEND": "tencent",
        "TENCENT_SMS_SECRET_ID": standin.secret_id,
        "TENCENT_SMS_SECRET_KEY": standin.secret_key,
        "TENCENT_SMS_SDK_APP_ID": standin.sdk_app_id,
        "TENCENT_SMS_SIGN_NAME": "议事",
        "TENCENT_SMS_ENDPOINT": standin.url,
        **{f"SMS_TEMPLATE_{key.upper()}": value for key, value in TEMPLATES.items()},
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "DELIVERY_LEASE_SECONDS": str(lease),
        "QUIET_HOURS": "0-0",  # the run is about delivery, not the clock: no quiet hours
        "LOG_LEVEL": "WARNING",
    }


def setup(app, limit: int) -> tuple[object, list[int]]:
    """The demo, one verified resident per home choosing SMS and email for notices; returns staff's viewer."""
    from app import demo
    from app.accounts.models import User
    from app.communities import access
    from app.communities.models import Community, Household, MemberRole, Membership, MembershipStatus, Role
    from app.core.models import utcnow
    from app.extensions import db
    from app.notifications.kinds import Channel, Mode
    from app.notifications.models import EmailAddress, Preference

    demo.load("bench-password-1")
    community = db.session.scalar(select(Community).where(Community.slug == demo.SLUG))
    homes = list(db.session.scalars(select(Household).where(Household.community_id == community.id)))[:limit]
    user_ids = []
    for n, home in enumerate(homes):
        user = User(phone=f"186{n:08d}", name=f"住户{n}", locale="zh_CN", password_hash="!")
        db.session.add(user)
        db.session.flush()
        membership = Membership(
            user_id=user.id, community_id=community.id, household_id=home.id, status=MembershipStatus.VERIFIED
        )
        membership.roles = [MemberRole(role=Role.RESIDENT)]
        db.session.add(membership)
        db.session.add(EmailAddress(user_id=user.id, address=f"home{n}@example.com", confirmed_at=utcnow()))
        for channel in Channel:
            db.session.add(Preference(user_id=user.id, kind="notice", channel=channel, mode=Mode.NOW))
        user_ids.append(user.id)
    db.session.commit()
    staff = db.session.scalar(select(User).where(User.phone == "13800000008"))
    return access.community_viewer(demo.SLUG, staff), user_ids


def post_notice(app, viewer, title: str) -> tuple[int, float]:
    from app.extensions import db
    from app.notices import services

    with app.test_request_context():
        notice = services.post(viewer, client_id=uuid.uuid4().hex, title=title, body="压测公告：" + title)
        db.session.commit()  # the edge's commit: the deliveries are queued now
        return notice.id, time.perf_counter()


def counts(app, notice_id: int) -> Counter:
    from app.extensions import db
    from app.notifications.models import Delivery, Notification

    with app.app_context():
        rows = db.session.execute(
            select(Delivery.channel, Delivery.status, func.count())
            .join(Notification, Delivery.notification_id == Notification.id)
            .where(Notification.key == f"notice:{notice_id}")
            .group_by(Delivery.channel, Delivery.status)
        )
        found = Counter({(str(c), str(s)): n for c, s, n in rows})
        db.session.remove()
        return found


def handed_at_kill(app, notice_id: int) -> int:
    """Email rows left sending whose whole text had reached the SMTP server (handed_at set)."""
    from app.extensions import db
    from app.notifications.models import Delivery, DeliveryStatus, Notification

    with app.app_context():
        found = db.session.scalar(
            select(func.count())
            .select_from(Delivery)
            .join(Notification, Delivery.notification_id == Notification.id)
            .where(
                Notification.key == f"notice:{notice_id}",
                Delivery.status == DeliveryStatus.SENDING,
                Delivery.handed_at.is_not(None),
            )
        )
        db.session.remove()
        return found


def sent_total(found: Counter) -> int:
    return sum(n for (channel, status), n in found.items() if status == "sent")


def worker(env) -> subprocess.Popen:
    log = os.environ.get("BENCH_WORKER_LOG")
    out = open(log, "a") if log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi.py", "yishi", "worker", "--burst"],
        cwd=ROOT,
        env={**env, "LOG_LEVEL": "INFO"} if log else env,
        stdout=out,
        stderr=out,
    )


def tick(env) -> str:
    command = [sys.executable, "-m", "flask", "--app", "wsgi.py", "yishi", "tick"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.strip()


def received(standin, smtp, since_sms: int, since_mail: int) -> tuple[Counter, Counter, Counter]:
    """Texts per number, emails per address, and emails per (address, Message-ID), since the marks."""
    # the homes' residents only (+86186…): the demo's own notifications (its owners' vote) are not counted
    phones = Counter(n for r in standin.sent()[since_sms:] if (n := r.body["PhoneNumberSet"][0]).startswith("+86186"))
    mails, ids = Counter(), Counter()
    for to, raw in smtp.messages[since_mail:]:
        if not to[0].startswith("home"):
            continue
        mails[tuple(to)] += 1
        ids[(tuple(to), email.message_from_string(raw, policy=policy.default)["Message-ID"])] += 1
    return phones, mails, ids


def exactly_once(found: Counter, homes: int) -> bool:
    return len(found) == homes and set(found.values()) == {1}


def sending(found: Counter, channel: str) -> int:
    return found.get((channel, "sending"), 0)


def kill_run(app, viewer, env, standin, smtp, homes: int, lease: float, jitter: float, number: int, target: str):
    """A notice; the worker SIGKILLed once a third is sent (`target` "sms" or "email": while a row of that
    channel is being sent, up to `jitter` seconds into it; "any": up to `jitter` seconds after the third);
    then workers and ticks until every row is sent."""
    base_sms, base_mail = len(standin.sent()), len(smtp.messages)
    notice_id, committed = post_notice(app, viewer, f"停水通知（第{number}次）")
    process = worker(env)
    while sent_total(counts(app, notice_id)) < (2 * homes) // 3 and process.poll() is None:
        time.sleep(0.005)
    if target != "any":
        while not sending(counts(app, notice_id), target) and process.poll() is None:
            time.sleep(0.002)
    time.sleep(random.uniform(0, jitter))  # anywhere in the send (or between two)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed = time.perf_counter()
    at_kill, handed = counts(app, notice_id), handed_at_kill(app, notice_id)
    steps = ["worker"]
    worker(env).wait(timeout=300)  # settles nothing yet: the lease has not passed since the kill
    while sent_total(counts(app, notice_id)) < 2 * homes and time.perf_counter() - committed < 600:
        time.sleep(max(0.0, killed + lease + 1 - time.perf_counter()))
        steps.append(f"tick ({tick(env)})")
        worker(env).wait(timeout=300)
        steps.append("worker")
    elapsed = time.perf_counter() - committed
    final = counts(app, notice_id)
    phones, mails, ids = received(standin, smtp, base_sms, base_mail)
    return {
        "run": number,
        "kill_in": target,
        "at_kill": {f"{c} {s}": n for (c, s), n in sorted(at_kill.items())},
        "final": {f"{c} {s}": n for (c, s), n in sorted(final.items())},
        "steps": steps,
        "seconds": round(elapsed, 2),
        "sms_received": sum(phones.values()),
        "sms_numbers": len(phones),
        "sms_most_to_one": max(phones.values(), default=0),
        "email_received": sum(mails.values()),
        "email_addresses": len(mails),
        "email_most_to_one": max(mails.values(), default=0),
        "email_most_per_message_id": max(ids.values(), default=0),
        "sms_exactly_once": exactly_once(phones, homes),
        "email_exactly_once": exactly_once(mails, homes),
        "left_sending_at_kill": {c: n for (c, s), n in at_kill.items() if s == "sending"},
        "email_left_sending_after_its_text_reached_the_server": handed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--homes", type=int, default=96, help="how many homes get a resident (the demo has 96)")
    parser.add_argument("--kill-runs", type=int, default=1, help="how many times the kill scenario runs")
    parser.add_argument("--lease", type=float, default=10.0, help="DELIVERY_LEASE_SECONDS for the workers")
    parser.add_argument("--sms-delay", type=float, default=0.03, help="the stand-in's answer delay, seconds")
    parser.add_argument("--smtp-delay", type=float, default=0.03, help="the SMTP server's delay before 250 OK")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--kill-jitter", type=float, default=0.03, help="kill up to this long into the send")
    parser.add_argument(
        "--kill-in",
        choices=["alternate", "sms", "email", "any"],
        default="alternate",
        help="kill while a text (sms) or an email is being sent, the two in turn (alternate), or anywhere",
    )
    parser.add_argument("--quick", action="store_true", help="CI: 6 homes, a 2 s lease")
    args = parser.parse_args()
    if args.quick:
        args.homes, args.lease = 6, 2.0

    from aiosmtpd.controller import Controller

    from tests.core import tencent_standin
    from tests.notifications.conftest import Inbox, free_port

    standin = tencent_standin.StandIn(templates=dict.fromkeys(TEMPLATES.values(), 1), delay=args.sms_delay)
    http = tencent_standin.start(standin)
    smtp = Inbox(delay=args.smtp_delay)
    controller = Controller(smtp, hostname="127.0.0.1", port=free_port())
    controller.start()
    database = scratch_database(args.database)
    env = environment(database, args.redis, standin, controller.port, args.lease)
    os.environ.update(env)
    figures: dict = {
        "homes": 0,
        "lease": args.lease,
        "sms_delay": args.sms_delay,
        "smtp_delay": args.smtp_delay,
        "kill_runs": [],
    }
    try:
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi.py", "yishi", "migrate"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        from app import create_app

        app = create_app()
        with app.app_context():
            viewer, homes = setup(app, args.homes)
            from app.notifications import delivery

            delivery.queue().empty()
        n = figures["homes"] = len(homes)
        name = make_url(database).database
        print(f"database {name} (PostgreSQL), {n} homes, each a resident choosing SMS and email")

        # Run 1: one worker, from the commit until every row is recorded sent.
        notice_id, committed = post_notice(app, viewer, "电梯年检通知")
        process = worker(env)
        while sent_total(counts(app, notice_id)) < 2 * n and time.perf_counter() - committed < 300:
            time.sleep(0.05)
        elapsed = time.perf_counter() - committed
        process.wait(timeout=60)
        phones, mails, _ids = received(standin, smtp, 0, 0)
        figures["run1"] = {
            "seconds": round(elapsed, 2),
            "sms_exactly_once": exactly_once(phones, n),
            "email_exactly_once": exactly_once(mails, n),
        }
        print(f"run 1: {dict(counts(app, notice_id))}")
        print(f"run 1: every delivery recorded {elapsed:.2f} s after the commit (worker start included)")
        print(
            f"run 1: SMS received {sum(phones.values())} by {len(phones)} numbers, most to one {max(phones.values())}; "
            f"email received {sum(mails.values())} by {len(mails)} addresses, most to one {max(mails.values())}"
        )

        # Run 2, --kill-runs times: the worker is killed once a third is sent; workers and ticks finish.
        for number in range(1, args.kill_runs + 1):
            target = args.kill_in if args.kill_in != "alternate" else ("sms", "email")[(number - 1) % 2]
            run = kill_run(app, viewer, env, standin, smtp, n, args.lease, args.kill_jitter, number, target)
            handed = run["email_left_sending_after_its_text_reached_the_server"]
            figures["kill_runs"].append(run)
            print(
                f"run 2.{number}: killed in {target} at {run['at_kill']} (email handed over: {handed}); "
                f"{' → '.join(run['steps'])}; {run['final']} "
                f"after {run['seconds']} s; SMS {run['sms_received']} to {run['sms_numbers']} numbers "
                f"(most {run['sms_most_to_one']}), email {run['email_received']} to {run['email_addresses']} "
                f"addresses (most {run['email_most_to_one']}, per Message-ID {run['email_most_per_message_id']})"
            )
        runs = figures["kill_runs"]
        figures["sms_exactly_once_runs"] = sum(r["sms_exactly_once"] for r in runs)
        figures["email_exactly_once_runs"] = sum(r["email_exactly_once"] for r in runs)
        print(
            f"kill runs reaching every home exactly once: SMS {figures['sms_exactly_once_runs']}/{len(runs)}, "
            f"email {figures['email_exactly_once_runs']}/{len(runs)}; a row left sending at the kill in "
            f"{sum(bool(r['left_sending_at_kill']) for r in runs)} of them"
        )
        if args.json:
            Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    finally:
        controller.stop()
        http.shutdown()
        from app.extensions import db

        with contextlib.suppress(Exception):  # no app was made
            db.engine.dispose()
        drop_database(database)


if __name__ == "__main__":
    main()
