"""`flask yishi ...` commands: migrations, demo data, roster import, first community and staff, closing and
reopening accounts, backup.

The CLI is an edge, like a view: each command that writes commits once, itself.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from app import demo
from app.accounts import services as accounts
from app.accounts.models import User
from app.communities import roster
from app.communities.models import Community, District, MemberRole, Membership, MembershipStatus, Role, Street
from app.core.errors import DomainError
from app.core.phones import normalize_phone
from app.extensions import db
from app.search import index as search_index
from app.voting import services as voting
from app.voting.models import Poll

group = click.Group("yishi", help="Yishi administration commands.")


@group.command("demo")
def demo_command():
    """Load the demo community 翠竹园社区 (idempotent) and print its accounts."""
    password = current_app.config["DEMO_PASSWORD"]
    loaded = demo.load(password)
    db.session.commit()
    click.echo("Demo community loaded." if loaded else "Demo community already present; nothing added.")
    click.echo(f"Demo accounts (password: {password}):")
    for phone, name, role in demo.account_table():
        click.echo(f"  {phone}  {name:<4}  {role}")
    click.echo("Invite codes: CZY2026A (whole community), CZY1DONG … CZY4DONG (per building)")


@group.command("import-roster")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--community", "slug", required=True, help="The community's slug, e.g. cuizhuyuan.")
@click.option("--dry-run", is_flag=True, help="Check the file and report, write nothing.")
def import_roster_command(file: Path, slug: str, dry_run: bool):
    """Import a household roster (CSV or XLSX): all rows, or nothing if any row is bad."""
    community = db.session.scalar(select(Community).where(Community.slug == slug))
    if community is None:
        raise click.ClickException(f"No community with slug {slug!r}.")
    try:
        preview = roster.parse(file.read_bytes(), file.name, max_rows=current_app.config["ROSTER_MAX_ROWS"])
    except DomainError as err:
        raise click.ClickException(str(err.message)) from None
    for error in preview.errors:
        click.echo(f"line {error.line}: {error.message}", err=True)
    if preview.errors:
        raise click.ClickException(f"{len(preview.errors)} row(s) with errors; nothing was imported.")
    click.echo(f"{len(preview.rows)} rows, {preview.household_count} households: OK.")
    if dry_run:
        return
    result = roster.import_roster(None, community, preview, check_permission=False)
    db.session.commit()
    click.echo(
        f"Imported: {result.buildings_created} new buildings, {result.households_created} new households, "
        f"{result.households_updated} updated, {result.owners} owners."
    )


@group.command("create-community")
@click.option("--district", required=True)
@click.option("--street", required=True)
@click.option("--name", required=True)
@click.option("--slug", required=True)
def create_community_command(district: str, street: str, name: str, slug: str):
    """Create a community (and its district and street if new)."""
    if db.session.scalar(select(Community).where(Community.slug == slug)):
        raise click.ClickException(f"A community with slug {slug!r} exists already.")
    district_row = db.session.scalar(select(District).where(District.name == district)) or District(name=district)
    street_row = None
    if district_row.id is not None:
        street_row = db.session.scalar(
            select(Street).where(Street.district_id == district_row.id, Street.name == street)
        )
    street_row = street_row or Street(district=district_row, name=street)
    db.session.add(Community(street=street_row, name=name, slug=slug))
    db.session.commit()
    click.echo(f"Created {district} / {street} / {name} ({slug}).")


@group.command("grant-staff")
@click.option("--phone", required=True, help="A registered user's mobile number.")
@click.option("--community", "slug", required=True)
def grant_staff_command(phone: str, slug: str):
    """Make a registered user verified community staff (the first staff member of a new community)."""
    user = db.session.scalar(select(User).where(User.phone == phone))
    community = db.session.scalar(select(Community).where(Community.slug == slug))
    if user is None or community is None:
        raise click.ClickException("Unknown phone or community.")
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.community_id == community.id)
    ) or Membership(user_id=user.id, community_id=community.id)
    membership.status = MembershipStatus.VERIFIED
    if not any(r.role == Role.COMMUNITY_STAFF for r in membership.roles):
        membership.roles.append(MemberRole(role=Role.COMMUNITY_STAFF))
    db.session.add(membership)
    db.session.commit()
    click.echo(f"{user.name} is community staff of {community.name}.")


users = click.Group("user", help="Close and reopen accounts.")
group.add_command(users)


def _user_by_phone(phone: str) -> User:
    user = db.session.scalar(select(User).where(User.phone == normalize_phone(phone)))
    if user is None:
        raise click.ClickException(f"No account with the mobile number {phone!r}.")
    return user


@users.command("deactivate")
@click.argument("phone")
def deactivate_user_command(phone: str):
    """Close the account of PHONE: it cannot log in, and all its logins end now, its live connections too."""
    user = _user_by_phone(phone)
    ended = accounts.deactivate(user)
    db.session.commit()  # then its sockets are disconnected, in every process (through Redis)
    click.echo(f"{user.name} ({user.phone}) is deactivated; {ended} login(s) ended.")


@users.command("activate")
@click.argument("phone")
def activate_user_command(phone: str):
    """Reopen the account of PHONE: it may log in again."""
    user = _user_by_phone(phone)
    accounts.activate(user)
    db.session.commit()
    click.echo(f"{user.name} ({user.phone}) is active; they may log in again.")


@group.command("verify-count")
@click.argument("poll_id", type=int)
def verify_count_command(poll_id: int):
    """Recompute a poll's hash chain and count from its stored ballots and report any difference."""
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        raise click.ClickException(f"No poll {poll_id}.")
    check = voting.verify(poll)
    click.echo(f"Poll {poll.id} ({poll.poll_type} {poll.subject_id}), {poll.state.value}")
    click.echo(f"  head at opening: {poll.opened_head}")
    click.echo(f"  head at closing: {poll.closed_head or '(still open)'}")
    click.echo(f"  recomputed head: {check.head} over {check.length} ballots")
    click.echo("  recount: " + json.dumps(check.recount["options"], ensure_ascii=False, sort_keys=True))
    click.echo(f"  of which by proxy: {check.recount.get('proxy', 0)}")
    if check.ok:
        click.echo("OK: the chain and the count agree with what was recorded.")
        return
    for problem in check.problems:
        click.echo(f"  DIFFERENCE: {problem}")
    raise click.ClickException(f"{len(check.problems)} difference(s) found.")


@group.command("search-reindex")
@click.option("--community", "slug", default=None, help="Only this community (its slug); all if omitted.")
def search_reindex_command(slug: str | None):
    """Write the search index again from the ideas, consultations, speeches, projects, entries and decisions."""
    community_id = None
    if slug is not None:
        community = db.session.scalar(select(Community).where(Community.slug == slug))
        if community is None:
            raise click.ClickException(f"No community {slug}.")
        community_id = community.id
    written = search_index.rebuild(community_id)
    db.session.commit()
    click.echo(f"Search index rebuilt: {written} documents.")


@group.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(dest: Path):
    """Copy the SQLite database to DEST while the site runs (SQLite's online backup API)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            f"`flask yishi backup` copies SQLite databases only; this site uses {url.get_backend_name()}. "
            'Back up PostgreSQL with pg_dump, e.g. pg_dump --format=custom --file=yishi.dump "$DATABASE_URL" '
            "(docs/deploy.md)."
        )
    if not url.database or url.database == ":memory:":
        raise click.ClickException("The database is in memory: there is no file to back up.")
    if dest.exists():
        raise click.ClickException(f"{dest} exists already; choose a new file name.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(Path(url.database).resolve().as_uri() + "?mode=ro", uri=True)
    target = sqlite3.connect(dest)
    try:
        # Copies a consistent snapshot page by page; writers are held up only for each step.
        source.backup(target, pages=1024)
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if check != "ok":
        raise click.ClickException(f"The copy at {dest} failed its integrity check: {check}")
    click.echo(f"Backed up {url.database} to {dest} ({dest.stat().st_size} bytes).")


@group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (tests, benchmarks).")
def worker_command(burst: bool):
    """Send the queued notifications (email, SMS): the RQ worker of DELIVERY_QUEUE=rq, on REDIS_URL.

    One process, jobs run in it one after another (RQ's SimpleWorker, in this app's context); retries with
    back-off need its scheduler, which it runs. Several workers may run at once: a delivery is claimed in the
    database before it is sent, so none is sent twice. On start it settles the deliveries a stopped worker
    left "sending" past DELIVERY_LEASE_SECONDS (asks the SMS provider; sends again what never went)."""
    from app.notifications import delivery

    if current_app.config["DELIVERY_QUEUE"] != "rq" or not current_app.config.get("REDIS_URL"):
        raise click.ClickException("The worker needs REDIS_URL (and DELIVERY_QUEUE=rq, its default with Redis).")
    queue = delivery.queue()
    job, site_queue, worker = delivery.rq_classes(current_app.config["REDIS_PREFIX"])
    settled = delivery.settle(delivery.utcnow())  # sends a stopped worker left unfinished, past their lease
    click.echo(f"Worker on {queue.name} ({settled} unfinished deliveries settled).")
    worker([queue], connection=queue.connection, job_class=job, queue_class=site_queue).work(
        burst=burst, with_scheduler=True
    )


@group.command("tick")
def tick_command():
    """What is due now: held messages after the quiet hours, digests, retries, vote reminders (every minute)."""
    from app.core.models import utcnow
    from app.notifications import schedule

    done = schedule.tick(utcnow())
    click.echo(" ".join(f"{name}={n}" for name, n in done.items()))


# pg_advisory_lock's key for migrations: any constant, the same in every process of the site
MIGRATION_LOCK_KEY = 0x59495348_49_4D47  # "YISHI" "MG"


@group.command("migrate")
def migrate_command():
    """Bring the database schema to the latest migration, once however many processes ask together.

    On PostgreSQL the upgrade runs under an advisory lock: a second process asking meanwhile waits for
    the first to finish, then finds nothing left to do. Deploy runs it once before starting processes.
    """
    from flask_migrate import upgrade
    from sqlalchemy import text

    if db.engine.url.get_backend_name() != "postgresql":
        upgrade()
        click.echo("The database schema is up to date.")
        return
    with db.engine.connect() as lock:
        lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        lock.commit()  # the lock belongs to the session, not a transaction: no transaction left open
        try:
            upgrade()
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
            lock.commit()
    click.echo("The database schema is up to date.")


def register(app) -> None:
    app.cli.add_command(group)
