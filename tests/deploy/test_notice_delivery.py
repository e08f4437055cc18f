"""A notice delivered on the shipped deployment: nginx in front of two gunicorn processes, one
`flask yishi worker` and `flask yishi tick` as deploy/yishi-worker.service and yishi-tick.service run them
(FLASK_APP=wsgi.py, the environment file), text messages to the Tencent API stand-in (signatures checked),
email to a real SMTP server (aiosmtpd). Staff post one notice to one building through each process; each
home of that building gets exactly one text and one email of each, the other building none, and staff
read the counts on the notice's page."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from email import message_from_string, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.core import tencent_standin
from tests.deploy.conftest import start_deployment
from tests.notifications.conftest import Inbox, free_port
from tests.serving.conftest import STAFF, csrf_token

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask"]  # the unit's /srv/yishi/app/.venv/bin/flask, in this virtualenv
TEMPLATE_IDS = {f"10000{n:02d}": (2 if n <= 5 else 1) for n in range(1, 9)}  # deploy/yishi.env.example's
HOMES_A, HOMES_B = 4, 2


@pytest.fixture(scope="module")
def providers():
    standin = tencent_standin.StandIn(templates=TEMPLATE_IDS)
    http = tencent_standin.start(standin)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    yield standin, inbox, smtp.port
    smtp.stop()
    http.shutdown()
    http.server_close()


@pytest.fixture(scope="module")
def site(tmp_path_factory, providers):
    standin, _inbox, smtp_port = providers
    yield from start_deployment(
        tmp_path_factory.mktemp("deliver"),
        REDIS_PREFIX=f"yishi-test-{uuid.uuid4().hex[:8]}",
        TENCENT_SMS_SECRET_ID=standin.secret_id,
        TENCENT_SMS_SECRET_KEY=standin.secret_key,
        TENCENT_SMS_SDK_APP_ID=standin.sdk_app_id,
        TENCENT_SMS_ENDPOINT=standin.url,
        MAIL_SERVER=f"127.0.0.1:{smtp_port}",
        MAIL_USE_TLS="0",
        MAIL_USERNAME="",
        MAIL_PASSWORD="",
        QUIET_HOURS="0-0",  # the test is about delivery, not the clock
    )


def make_residents(homes_a: int, homes_b: int) -> None:
    """Run in a process with the site's environment: one verified resident per home for the first homes of
    two buildings, each choosing text and email for notices (a confirmed address). Prints what was made."""
    from sqlalchemy import select

    from app import create_app
    from app.accounts.models import User
    from app.communities.models import Community, Household, MemberRole, Membership, MembershipStatus, Role
    from app.core.models import utcnow
    from app.demo import SLUG
    from app.extensions import db
    from app.notifications.kinds import Channel, Mode
    from app.notifications.models import EmailAddress, Preference

    with create_app().app_context():
        community = db.session.scalar(select(Community).where(Community.slug == SLUG))
        building_a, building_b = community.buildings[:2]
        made = {"slug": SLUG, "building": building_a.id, "a": [], "b": []}
        for building, count, name in ((building_a, homes_a, "a"), (building_b, homes_b, "b")):
            homes = db.session.scalars(select(Household).where(Household.building_id == building.id).limit(count))
            for home in homes:
                n = len(made["a"]) + len(made["b"])
                user = User(phone=f"1860000{n:04d}", name=f"住户{n}", locale="zh_CN", password_hash="!")
                db.session.add(user)
                db.session.flush()
                membership = Membership(
                    user_id=user.id, community_id=community.id, household_id=home.id, status=MembershipStatus.VERIFIED
                )
                membership.roles = [MemberRole(role=Role.RESIDENT)]
                db.session.add(membership)
                address = f"home{n}@example.com"
                db.session.add(EmailAddress(user_id=user.id, address=address, confirmed_at=utcnow()))
                for channel in Channel:
                    db.session.add(Preference(user_id=user.id, kind="notice", channel=channel, mode=Mode.NOW))
                made[name].append([user.phone, address])
        db.session.commit()
        print(json.dumps(made))


def run(site, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    done = subprocess.run([*FLASK, *args], cwd=ROOT, env=site.env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def post_notice(site, address: str, slug: str, building: int, title: str) -> str:
    http = site.logged_in(address, STAFF)
    page = http.get(f"{site.base_url}/c/{slug}/notices/new", timeout=10)
    assert page.status_code == 200
    client_id = re.search(r'name="client_id"[^>]*value="([^"]+)"', page.text).group(1)
    posted = http.post(
        f"{site.base_url}/c/{slug}/notices/new",
        data={
            "csrf_token": csrf_token(page.text),
            "client_id": client_id,
            "title": title,
            "body": f"{title}：请各位住户留意。",
            "scope": str(building),
        },
        headers={"Origin": site.base_url, "Referer": page.url},
        allow_redirects=False,
        timeout=10,
    )
    assert posted.status_code in (302, 303), posted.text[:2000]
    return posted.headers["Location"]


def test_two_processes_one_worker_and_the_tick_deliver_each_notice_once(site, providers):
    standin, inbox, _port = providers
    made = json.loads(
        subprocess.run(
            [sys.executable, "-c", f"from {__name__} import make_residents; make_residents({HOMES_A}, {HOMES_B})"],
            cwd=ROOT,
            env=site.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    run(site, "yishi", "worker", "--burst")  # the demo's own queued deliveries out of the way
    base_sms, base_mail = len(standin.sent()), len(inbox.messages)
    one, two = site.addresses_on_each_app(60).values()  # a notice through each gunicorn process
    locations = [
        post_notice(site, one, made["slug"], made["building"], "电梯年检通知"),
        post_notice(site, two, made["slug"], made["building"], "停水通知"),
    ]
    worker = subprocess.Popen([*FLASK, "yishi", "worker"], cwd=ROOT, env=site.env, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if len(standin.sent()) - base_sms >= 2 * HOMES_A and len(inbox.messages) - base_mail >= 2 * HOMES_A:
                break
            time.sleep(0.2)
        time.sleep(1)  # anything more would come now
    finally:
        worker.send_signal(signal.SIGTERM)  # systemd's stop: RQ's warm shutdown
        out, _err = worker.communicate(timeout=30)
    assert worker.returncode == 0 and "Worker on" in out
    ticked = run(site, "yishi", "tick").stdout
    assert re.search(r"settled=0 .*retried=0", ticked), ticked  # nothing left for the tick
    run(site, "yishi", "worker", "--burst")
    texts = Counter(
        (r.body["PhoneNumberSet"][0], r.body["TemplateParamSet"][0][:4], r.body.get("SessionContext"))
        for r in standin.sent()[base_sms:]
    )
    mails = Counter(
        (tuple(to), message_from_string(raw, policy=policy.default)["Message-ID"])
        for to, raw in inbox.messages[base_mail:]
    )
    phones_a = {f"+86{phone}" for phone, _ in made["a"]}
    assert {phone for phone, _t, _k in texts} == phones_a  # building B's homes got nothing
    assert len(texts) == 2 * HOMES_A and set(texts.values()) == {1}  # each notice once per number
    assert len({key for _p, _t, key in texts}) == 2 * HOMES_A  # each its own out-id
    assert {to[0] for to, _id in mails} == {address for _phone, address in made["a"]}
    assert len(mails) == 2 * HOMES_A and set(mails.values()) == {1}
    staff = site.logged_in(one, STAFF)
    for location in locations:
        page = staff.get(f"{site.base_url}{location}" if location.startswith("/") else location, timeout=10)
        assert page.status_code == 200
        delivered = re.findall(
            r"已送达 (\d+)，失败 (\d+)，待发送 (\d+)|(\d+) delivered, (\d+) failed, (\d+) waiting", page.text
        )
        counts = [tuple(int(x) for x in found if x) for found in delivered]
        assert counts == [(HOMES_A, 0, 0), (HOMES_A, 0, 0)], page.text[-3000:]  # SMS, then email
