"""Deliveries outside the app: planned with the notification, sent after the commit, exactly once at most.

A notification gets one `Delivery` row per channel its recipient chose for its kind (UNIQUE (notification,
channel)). The row is planned inside the use case's transaction, so a refused use case plans nothing:

- queued: sent after the commit, by a job on the RQ queue (`DELIVERY_QUEUE=rq`, `flask yishi worker`), or
  in this process right after the commit (`inline`: development without Redis, the tests);
- held: a text message of a kind that is not urgent, during the quiet hours (21:00–08:00 Beijing time):
  `flask yishi tick` releases it at 08:00;
- digest: the person chose the daily digest for this kind on this channel: one message at DIGEST_HOUR
  for all of them (`flask yishi tick`).

Sending is claim, send, mark: the job moves the row from queued (or failed) to sending in its own committed
transaction, with the send's key (`send_key`, "d<row id>"; "g<first row id>" for a digest), sends with that
key, then marks it sent. A job run twice (an RQ retry, a worker killed and restarted, a staff retry racing a
worker) finds the row claimed and sends nothing. A failed send records the error and the attempt; it is tried
again with back-off (RQ's Retry, and the tick for the inline queue) up to DELIVERY_MAX_ATTEMPTS, then stays
failed for community staff to see and retry.

Exactly once after a killed worker: a row still "sending" DELIVERY_LEASE_SECONDS after its claim (longer
than a send may take: SMS_TIMEOUT_SECONDS, MAIL_TIMEOUT_SECONDS) was left by a worker that died mid-send.
`settle` (when a worker starts, and on every tick) decides it from the key:

- a text message: the provider is asked for the message with that out-id (sms.status). Delivered: the row is
  marked sent, nothing is sent again. Reported undelivered: failed (retried with back-off). Unknown: the
  provider never took it; it is queued and sent again, with the same key.
- an email: SMTP has no status to ask, so the send records its own progress: `handed_at` is committed once
  the message's whole text has reached the server, just before the final "." that asks the server to take
  it (app/notifications/channels.py). Without it the worker died before the server had the message, and an
  SMTP server drops an unfinished transaction: the row is sent again, with the same Message-ID
  ("<d<row id>.<site>@yishi>"). With it the server had the whole message and was asked, or was about to be
  asked, to take it: the row is marked sent, never sent twice. What is left: a worker killed in the
  microseconds between that commit and writing the "." (the email is lost: marked sent, not received), or a
  server that refused the message after its "." (the refusal died with the worker). Should a row be sent
  twice all the same (a staff retry), both copies carry one Message-ID, which mail programs show as one.

A row sending since before this key existed (no send_key) cannot be asked about: it is marked failed for
staff, saying it may have been sent.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

import redis
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.accounts.models import User
from app.core import sms
from app.core.clock import local_time, local_zone
from app.core.models import utcnow
from app.core.realtime import REDIS_TIMEOUTS, call_after_commit
from app.extensions import db
from app.notifications import channels, kinds
from app.notifications.kinds import Channel, Importance, Mode
from app.notifications.models import Delivery, DeliveryStatus, Notification

logger = logging.getLogger(__name__)

CLAIMABLE = (DeliveryStatus.QUEUED, DeliveryStatus.FAILED)
LEASE_SECONDS = 120  # DELIVERY_LEASE_SECONDS by default


def lease() -> timedelta:
    return timedelta(seconds=float(current_app.config.get("DELIVERY_LEASE_SECONDS") or LEASE_SECONDS))


def out_id(send_key: str) -> str:
    """The key given to the SMS provider: the site's prefix, so that sites sharing an account keep apart."""
    return f"{current_app.config.get('REDIS_PREFIX') or 'yishi'}:{send_key}"


def message_id(send_key: str) -> str:
    site = "".join(c for c in (current_app.config.get("REDIS_PREFIX") or "yishi") if c.isalnum() or c in "-_")
    return f"<{send_key}.{site}@yishi>"


# -- planning (inside the use case's transaction) -------------------------------------------------------


def quiet_hours(config=None) -> tuple[int, int]:
    start, end = (config or current_app.config).get("QUIET_HOURS", "21-8").split("-")
    return int(start), int(end)


def in_quiet_hours(now: datetime) -> bool:
    start, end = quiet_hours()
    hour = local_time(now).hour
    return hour >= start or hour < end if start > end else start <= hour < end


def next_local_hour(now: datetime, hour: int) -> datetime:
    """The next moment (after now) the Beijing clock shows hour:00, in UTC."""
    local = local_time(now)
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate.astimezone(local_zone()).astimezone(now.tzinfo)


def plan(item: Notification, user: User, modes: dict[Channel, Mode], has_email: bool) -> list[Delivery]:
    """The delivery rows of a new notification, from the recipient's modes; queued ones go after the commit."""
    kind = kinds.get(item.kind)
    now = utcnow()
    rows = []
    for channel, mode in modes.items():
        if mode == Mode.OFF or (channel == Channel.EMAIL and not has_email):
            continue
        status, due = DeliveryStatus.QUEUED, now
        if mode == Mode.DIGEST:
            status, due = DeliveryStatus.DIGEST, next_local_hour(now, current_app.config["DIGEST_HOUR"])
        elif channel == Channel.SMS and kind.importance != Importance.URGENT and in_quiet_hours(now):
            status, due = DeliveryStatus.HELD, next_local_hour(now, quiet_hours()[1])
        row = Delivery(
            notification_id=item.id, community_id=item.community_id, channel=channel, status=status, due_at=due
        )
        db.session.add(row)
        rows.append(row)
    if rows:
        db.session.flush()
        queued = [row.id for row in rows if row.status == DeliveryStatus.QUEUED]
        if queued:
            call_after_commit(lambda: enqueue(queued))
    return rows


# -- the queue --------------------------------------------------------------------------------------------


@functools.cache
def rq_classes(prefix: str) -> tuple[type, type, type]:
    """RQ's Job, Queue and Worker with their keys under the site's prefix ("<prefix>:rq:job:<id>", the queue
    "<prefix>:rq:queue:<prefix>-deliveries"): sites sharing one Redis keep apart, as everything else of
    theirs in Redis does. (The worker's registries, "rq:wip:<queue>" and the like, carry the queue's name.)"""
    from rq import Queue, SimpleWorker  # the worker's library, loaded only where jobs are queued or run
    from rq.job import Job

    job = type("SiteJob", (Job,), {"redis_job_namespace_prefix": f"{prefix}:rq:job:"})
    site_queue = type(
        "SiteQueue",
        (Queue,),
        {
            "job_class": job,
            "redis_queue_namespace_prefix": f"{prefix}:rq:queue:",
            "redis_queues_keys": f"{prefix}:rq:queues",
        },
    )
    worker = type(
        "SiteWorker",
        (SimpleWorker,),
        {"redis_worker_namespace_prefix": f"{prefix}:rq:worker:", "redis_workers_keys": f"{prefix}:rq:workers"},
    )
    return job, site_queue, worker


def queue():
    config = current_app.config
    job, site_queue, _worker = rq_classes(config["REDIS_PREFIX"])
    connection = redis.Redis.from_url(config["REDIS_URL"], **REDIS_TIMEOUTS)
    return site_queue(f"{config['REDIS_PREFIX']}-deliveries", connection=connection, job_class=job)


def enqueue(delivery_ids: list[int]) -> None:
    """Hand deliveries to the queue (after a commit: the rows exist for the worker to read)."""
    if not delivery_ids:
        return
    if current_app.config["DELIVERY_QUEUE"] != "rq":
        for delivery_id in delivery_ids:
            deliver_inline(delivery_id)
        return
    from rq import Retry

    intervals = [int(s) for s in current_app.config["DELIVERY_RETRY_SECONDS"]]
    retries = max(0, current_app.config["DELIVERY_MAX_ATTEMPTS"] - 1)
    try:
        target = queue()
        with target.connection.pipeline() as pipe:
            for delivery_id in delivery_ids:
                target.enqueue(
                    "app.notifications.delivery.job",
                    delivery_id,
                    retry=Retry(max=retries, interval=intervals),
                    pipeline=pipe,
                )
            pipe.execute()
    except (redis.RedisError, OSError) as err:
        # the rows stay queued: the next tick hands them to the queue again
        logger.warning("delivery queue unreachable (%s): %d deliveries wait for the tick", err, len(delivery_ids))


def deliver_inline(delivery_id: int) -> None:
    """Send in this process; a failure is recorded on the row (the tick retries it), never raised."""
    try:
        deliver(delivery_id)
    except Exception:  # recorded on the row by deliver()
        logger.exception("delivery %s failed", delivery_id)


def job(delivery_id: int) -> str:
    """The RQ job (run by `flask yishi worker` in the app's context): raises on failure, so RQ retries."""
    try:
        return deliver(delivery_id)
    finally:
        db.session.remove()


# -- sending ----------------------------------------------------------------------------------------------


def claim(delivery_ids: list[int], statuses=CLAIMABLE, send_key: str | None = None) -> list[int]:
    """Move the rows to sending, committed before anything is sent; returns those this caller claimed.
    Each row's send key is "d<its id>", or `send_key` for all (a digest)."""
    now = utcnow()
    claimed = []
    for delivery_id in delivery_ids:
        result = db.session.execute(
            update(Delivery)
            .where(
                Delivery.id == delivery_id,
                Delivery.status.in_(statuses),
                Delivery.attempts < current_app.config["DELIVERY_MAX_ATTEMPTS"],
            )
            .values(
                status=DeliveryStatus.SENDING,
                attempts=Delivery.attempts + 1,
                claimed_at=now,
                send_key=send_key or f"d{delivery_id}",
                handed_at=None,
            )
        )
        if result.rowcount:
            claimed.append(delivery_id)
    db.session.commit()
    return claimed


def deliver(delivery_id: int) -> str:
    """Read, claim, send, mark. Returns "sent" or "skipped" (someone else has it, or it is done).

    Everything the message needs is read before the claim, so that between the claim's commit and the send
    nothing else happens: a worker killed there leaves as few rows "sending" (unsent) as can be."""
    row = db.session.get(Delivery, delivery_id)
    if row is None or row.status not in CLAIMABLE:
        db.session.commit()
        return "skipped"
    item = row.notification
    problem, send = None, None
    try:
        send = prepare(row.channel, db.session.get(User, item.user_id), item, f"d{delivery_id}")
    except Exception as err:  # recorded on the row once it is claimed (a try that failed)
        problem = err
    if not claim([delivery_id]):
        db.session.commit()
        return "skipped"
    try:
        if problem is not None:
            raise problem
        send()
    except Exception as err:
        _failed([row], err)
        raise
    db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(status=DeliveryStatus.SENT, sent_at=utcnow(), last_error="")
    )
    db.session.commit()
    return "sent"


def _failed(rows: list[Delivery], err: Exception) -> None:
    db.session.rollback()
    for row in rows:
        row = db.session.get(Delivery, row.id)
        row.status = DeliveryStatus.FAILED
        row.last_error = f"{type(err).__name__}: {getattr(err, 'message', err)}"[:300]
    db.session.commit()


def prepare(channel: Channel, user: User, item: Notification, send_key: str) -> Callable[[], object]:
    """The send of one notification on one channel, its text and address read now (no query when called)."""
    kind = kinds.get(item.kind)
    if channel == Channel.SMS:
        template = "notify_action" if kind.importance == Importance.ACTION else "notify_info"
        phone, params, key = user.phone, {"text": channels.shorten(item.text)}, out_id(send_key)
        return lambda: channels.send_text(phone, template, params, out_id=key)
    address = _email_of(user)
    with force_locale(user.locale or "zh_CN"):
        subject = _("Yishi: %(text)s", text=channels.shorten(item.text, 60))
        body = _("%(text)s\n\nOpen Yishi to read more: %(url)s", text=item.text, url=_absolute(item.url))
    stable_id = message_id(send_key)
    return lambda: channels.send_email(
        address, subject, body, message_id=stable_id, handed=functools.partial(_handed, send_key)
    )


def _handed(send_key: str) -> None:
    """The email's whole text is at the SMTP server: committed before it is asked to take it."""
    db.session.execute(
        update(Delivery)
        .where(Delivery.send_key == send_key, Delivery.status == DeliveryStatus.SENDING)
        .values(handed_at=utcnow())
    )
    db.session.commit()


def _email_of(user: User) -> str:
    from app.notifications.models import EmailAddress

    found = db.session.get(EmailAddress, user.id)
    if found is None or found.confirmed_at is None:
        raise RuntimeError("no confirmed email address")
    return found.address


def _absolute(url: str) -> str:
    base = current_app.config.get("SITE_URL") or ""
    return f"{base.rstrip('/')}{url}" if url.startswith("/") else url


# -- the scheduler's tick ----------------------------------------------------------------------------------


def release_held(now: datetime) -> int:
    """Quiet hours over: the held text messages are queued."""
    ids = list(
        db.session.scalars(select(Delivery.id).where(Delivery.status == DeliveryStatus.HELD, Delivery.due_at <= now))
    )
    if ids:
        db.session.execute(update(Delivery).where(Delivery.id.in_(ids)).values(status=DeliveryStatus.QUEUED))
        db.session.commit()
        enqueue(ids)
    return len(ids)


def retry_failed(now: datetime) -> int:
    """Failed rows with tries left, whose back-off has passed; and queued rows the queue never got."""
    intervals = [int(s) for s in current_app.config["DELIVERY_RETRY_SECONDS"]] or [60]
    rows = db.session.scalars(
        select(Delivery).where(
            Delivery.status.in_(CLAIMABLE),
            Delivery.due_at <= now,
            Delivery.attempts < current_app.config["DELIVERY_MAX_ATTEMPTS"],
        )
    )
    due = []
    for row in rows:
        wait = timedelta(seconds=intervals[min(max(row.attempts - 1, 0), len(intervals) - 1)])
        last = row.claimed_at or row.created_at
        if row.status == DeliveryStatus.QUEUED and row.attempts == 0:
            wait = lease()  # queued a lease ago: the queue lost its job (a worker killed before the claim);
            # a second job for a row the queue still has is harmless: the claim lets one of them send
            last = row.due_at
        if last + wait <= now:
            due.append(row.id)
    db.session.commit()
    enqueue(due)
    return len(due)


UNKEYED = "interrupted while sending: it may have been sent; retry only if the person did not get it"


def settle(now: datetime) -> int:
    """Rows left "sending" past the lease by a worker that died mid-send: asked of the provider (SMS) and marked
    sent, or sent again with the same key (see the module's docstring). Returns how many rows were settled."""
    rows = list(
        db.session.scalars(
            select(Delivery)
            .where(Delivery.status == DeliveryStatus.SENDING, Delivery.claimed_at < now - lease())
            .order_by(Delivery.id)
        )
    )
    sends: dict[str, list[Delivery]] = defaultdict(list)
    for row in rows:
        sends[row.send_key or ""].append(row)
    db.session.commit()
    settled, again = 0, []
    for key, group in sends.items():
        verdict = _verdict(key, group)
        if verdict is None:
            continue  # the provider could not be asked: the next tick asks again
        for row in group:
            values = _settled(row, key, verdict, now)
            done = db.session.execute(
                update(Delivery)
                .where(
                    Delivery.id == row.id,
                    Delivery.status == DeliveryStatus.SENDING,
                    Delivery.claimed_at == row.claimed_at,
                )
                .values(**values)
            )
            if done.rowcount:
                settled += 1
                if values["status"] == DeliveryStatus.QUEUED:
                    again.append(row.id)
        db.session.commit()
    if again:
        logger.warning("%d deliveries left unsent by a stopped worker are sent again", len(again))
        enqueue(again)
    return settled


def _verdict(key: str, group: list[Delivery]) -> str | None:
    if not key:
        return "unkeyed"
    if group[0].channel != Channel.SMS:  # no status to ask of an SMTP server: how far the send went
        return sms.DELIVERED if any(row.handed_at is not None for row in group) else sms.UNKNOWN
    user = db.session.get(User, group[0].notification.user_id)
    try:
        return sms.status(user.phone, out_id(key), group[0].claimed_at)
    except sms.SmsFailed:
        logger.warning("the SMS provider's status of %s could not be read; asked again at the next tick", key)
        return None
    finally:
        db.session.commit()


def _settled(row: Delivery, key: str, verdict: str, now: datetime) -> dict:
    max_attempts = current_app.config["DELIVERY_MAX_ATTEMPTS"]
    if verdict == sms.DELIVERED:
        return {"status": DeliveryStatus.SENT, "sent_at": now, "last_error": ""}
    if verdict == "unkeyed":
        return {"status": DeliveryStatus.FAILED, "attempts": max_attempts, "last_error": UNKEYED}
    if verdict == sms.FAILED:
        return {"status": DeliveryStatus.FAILED, "last_error": "the provider reports the text undelivered"}
    if row.attempts >= max_attempts:
        return {"status": DeliveryStatus.FAILED, "last_error": "interrupted while sending, not sent; no tries left"}
    if key.startswith("g"):  # a digest: back among the digest rows, sent by the tick's digest step
        return {"status": DeliveryStatus.DIGEST, "last_error": ""}
    return {"status": DeliveryStatus.QUEUED, "last_error": "", "due_at": now}


def send_digests(now: datetime) -> int:
    """One message per person and channel for every digest row that is due; returns messages sent."""
    rows = list(
        db.session.scalars(select(Delivery).where(Delivery.status == DeliveryStatus.DIGEST, Delivery.due_at <= now))
    )
    groups: dict[tuple[int, Channel], list[int]] = defaultdict(list)
    for row in rows:
        groups[(row.notification.user_id, row.channel)].append(row.id)
    db.session.commit()
    sent = 0
    for (user_id, channel), ids in groups.items():
        key = f"g{min(ids)}"
        claimed = claim(ids, statuses=(DeliveryStatus.DIGEST,), send_key=key)
        if not claimed:
            continue
        claimed_rows = list(db.session.scalars(select(Delivery).where(Delivery.id.in_(claimed))))
        user = db.session.get(User, user_id)
        try:
            _send_digest(channel, user, [row.notification for row in claimed_rows], key)
        except Exception as err:  # recorded on the rows: failed, visible to staff
            logger.exception("digest to user %s by %s failed", user_id, channel)
            _failed(claimed_rows, err)
            continue
        for row in claimed_rows:
            row.status, row.sent_at = DeliveryStatus.SENT, utcnow()
        db.session.commit()
        sent += 1
    return sent


def _send_digest(channel: Channel, user: User, items: list[Notification], key: str) -> None:
    if channel == Channel.SMS:
        channels.send_text(user.phone, "notify_digest", {"count": len(items)}, out_id=out_id(key))
        return
    with force_locale(user.locale or "zh_CN"):
        subject = _("Yishi: %(n)d new messages", n=len(items))
        body = "\n\n".join(f"• {item.text}\n  {_absolute(item.url)}" for item in items)
    channels.send_email(
        _email_of(user), subject, body, message_id=message_id(key), handed=functools.partial(_handed, key)
    )
