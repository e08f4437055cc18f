"""A notice to all 96 demo households by SMS and email, through the real queue: how long until every delivery
is recorded, and that each goes out exactly once, also when the worker is killed (SIGKILL) mid-run.

    .venv/bin/python -m bench.notice_delivery [--database postgresql://postgres@127.0.0.1:5432/postgres]
                                              [--redis redis://127.0.0.1:6379/12]

It makes a scratch database (dropped at the end), migrates it, loads the demo and gives each of the 96 homes
one verified resident who chose text messages and email for notices (a confirmed address). SMS go to the
Tencent Cloud API stand-in of the tests (tests/core/tencent_standin.py: signatures checked), email to a real
local SMTP server (aiosmtpd). Workers are `flask yishi worker --burst` processes. Run 1: one worker from the
notice's commit until every row is sent. Run 2: a second notice; the worker is SIGKILLed once a third of the
rows are sent, then a new worker finishes (and, if a row is left, `flask yishi tick` a minute on and one more
worker, as production's timer would). Counted from what the stand-in and the SMTP server received.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
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


def environment(database: str, redis_url: str, standin, smtp_port: int) -> dict:
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
        "QUIET_HOURS": "0-0",  # the run is about delivery, not the clock: no quiet hours
        "LOG_LEVEL": "WARNING",
    }


def setup(app) -> tuple[object, list[int]]:
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
    homes = list(db.session.scalars(select(Household).where(Household.community_id == community.id)))
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


def sent_total(found: Counter) -> int:
    return sum(n for (channel, status), n in found.items() if status == "sent")


def worker(env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi.py", "yishi", "worker", "--burst"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def received(standin, smtp, since_sms: int, since_mail: int) -> tuple[Counter, Counter]:
    # the homes' residents only (+86186…): the demo's own notifications (its owners' vote) are not counted
    phones = Counter(n for r in standin.sent()[since_sms:] if (n := r.body["PhoneNumberSet"][0]).startswith("+86186"))
    mails = Counter(tuple(to) for to, _raw in smtp.messages[since_mail:])
    return phones, mails


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    from tests.core import tencent_standin
    from tests.notifications.conftest import Inbox, free_port

    standin = tencent_standin.StandIn(templates=dict.fromkeys(TEMPLATES.values(), 1))
    http = tencent_standin.start(standin)
    smtp = Inbox()
    controller = Controller(smtp, hostname="127.0.0.1", port=free_port())
    controller.start()
    database = scratch_database(args.database)
    env = environment(database, args.redis, standin, controller.port)
    os.environ.update(env)
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
            viewer, homes = setup(app)
            from app.notifications import delivery

            delivery.queue().empty()
        name = make_url(database).database
        print(f"database {name} (PostgreSQL), {len(homes)} homes, each a resident choosing SMS and email")

        # Run 1: one worker, from the commit until every row is recorded sent.
        notice_id, committed = post_notice(app, viewer, "电梯年检通知")
        process = worker(env)
        while sent_total(counts(app, notice_id)) < 2 * len(homes) and time.perf_counter() - committed < 300:
            time.sleep(0.05)
        elapsed = time.perf_counter() - committed
        process.wait(timeout=60)
        phones, mails = received(standin, smtp, 0, 0)
        print(f"run 1: {dict(counts(app, notice_id))}")
        print(f"run 1: every delivery recorded {elapsed:.2f} s after the commit (worker start included)")
        print(
            f"run 1: SMS received {sum(phones.values())} by {len(phones)} numbers, most to one {max(phones.values())}; "
            f"email received {sum(mails.values())} by {len(mails)} addresses, most to one {max(mails.values())}"
        )

        # Run 2: the worker is killed once a third is sent; a new one finishes.
        base_sms, base_mail = len(standin.sent()), len(smtp.messages)
        notice_id, committed = post_notice(app, viewer, "停水通知")
        process = worker(env)
        while sent_total(counts(app, notice_id)) < (2 * len(homes)) // 3:
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait()
        at_kill = counts(app, notice_id)
        print(f"run 2: killed (SIGKILL) at {dict(at_kill)}")
        process = worker(env)
        process.wait(timeout=300)
        elapsed = time.perf_counter() - committed
        final = counts(app, notice_id)
        print(f"run 2: after a new worker: {dict(final)} ({elapsed:.2f} s after the commit)")
        if sent_total(final) < 2 * len(homes):
            # as production's timer would: the tick (a minute on) hands rows the queue lost to it again
            time.sleep(max(0.0, committed + 65 - time.perf_counter()))
            tick = [sys.executable, "-m", "flask", "--app", "wsgi.py", "yishi", "tick"]
            done = subprocess.run(tick, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
            print(f"run 2: flask yishi tick: {done.stdout.strip()}")
            worker(env).wait(timeout=300)
            print(f"run 2: after the tick and a worker: {dict(counts(app, notice_id))}")
        phones, mails = received(standin, smtp, base_sms, base_mail)
        print(
            f"run 2: SMS received {sum(phones.values())} by {len(phones)} numbers, most to one {max(phones.values())}; "
            f"email received {sum(mails.values())} by {len(mails)} addresses, most to one {max(mails.values())}"
        )
    finally:
        controller.stop()
        http.shutdown()
        from app.extensions import db

        with contextlib.suppress(Exception):  # no app was made
            db.engine.dispose()
        drop_database(database)


if __name__ == "__main__":
    main()
