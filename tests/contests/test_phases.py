"""The phase machine: every allowed and every refused transition, by staff and by the dates, and
creation's checks. Counting → 公示 happens only by publication."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.contests import services
from app.contests.models import Contest, Phase
from app.core.errors import DomainError, Forbidden
from app.core.models import AuditEntry, utcnow
from app.extensions import db
from app.voting.models import CertifierRole, PollState
from tests.contests import DAY, contest_in, make_contest, make_entry, second_staff, viewer

PHASES = list(Phase)
# the one explicit move staff may make from each phase (counting moves on by publication only)
ALLOWED = {
    Phase.SUBMISSION: Phase.SCREENING,
    Phase.SCREENING: Phase.VOTING,
    Phase.VOTING: Phase.COUNTING,
}


def english(err: DomainError) -> str:
    with force_locale("en"):
        return str(err.message)


def _audits(contest, action="contest.phase"):
    return list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == action, AuditEntry.target_id == contest.id))
    )


@pytest.mark.parametrize("start", PHASES)
@pytest.mark.parametrize("to", PHASES)
def test_every_explicit_transition(world, start, to):
    contest, entries = contest_in(world, start, entries=2, votes=[("resident", [0])] if start == Phase.VOTING else ())
    if start == Phase.SCREENING:
        for entry in entries:
            services.screen(viewer(world.users["expert"], entry), entry, eligible=True, reason="符合要求")
    before = len(_audits(contest))
    if ALLOWED.get(start) == to:
        services.advance(viewer(world.users["staff"], contest), contest, to.value)
        assert contest.phase == to
        (last,) = _audits(contest)[before:]
        assert last.actor_id == world.users["staff"].id
        assert last.detail == {"old": start.value, "new": to.value, "by": "staff"}
    else:
        with pytest.raises(DomainError) as refused:
            services.advance(viewer(world.users["staff"], contest), contest, to.value)
        assert refused.value.code == "wrong_phase"
        assert refused.value.status_code == 409
        db.session.expire_all()
        assert contest.phase == start
        assert len(_audits(contest)) == before


def test_counting_to_announced_needs_both_certifiers(world):
    contest, _ = contest_in(world, Phase.COUNTING, entries=2, votes=[("resident", [0])])
    with pytest.raises(DomainError) as refused:
        services.advance(viewer(world.users["staff"], contest), contest, "announced")
    assert "certify" in english(refused.value)
    services.certify(viewer(world.users["staff"], contest), contest, CertifierRole.COUNTER)
    assert contest.phase == Phase.COUNTING
    # the same person cannot sign twice, in either role
    for role in CertifierRole:
        with pytest.raises(DomainError) as twice:
            services.certify(viewer(world.users["staff"], contest), contest, role)
        assert twice.value.code in ("same_certifier", "role_taken")
    with pytest.raises(DomainError) as taken:
        services.certify(viewer(second_staff(world), contest), contest, CertifierRole.COUNTER)
    assert taken.value.code == "role_taken"
    assert contest.phase == Phase.COUNTING
    services.certify(viewer(second_staff(world), contest), contest, CertifierRole.SCRUTINEER)
    assert contest.phase == Phase.ANNOUNCED
    assert services.poll_of(contest).state == PollState.PUBLISHED
    # 公示 lasts at least seven days from publication
    assert contest.announced_ends >= utcnow() + timedelta(days=7)
    assert _audits(contest)[-1].detail == {"old": "counting", "new": "announced", "by": "publication"}


def test_certifying_outside_counting_is_refused(world):
    for phase in (Phase.VOTING, Phase.ANNOUNCED):
        contest, _ = contest_in(world, phase, entries=2, votes=[("resident", [0])])
        with pytest.raises(DomainError) as refused:
            services.certify(viewer(world.users["staff"], contest), contest, "counter")
        assert refused.value.code == "wrong_phase"


@pytest.mark.parametrize("key", ["expert", "resident", "owner", "unverified", "street_staff"])
def test_only_staff_move_phases_or_certify(world, key):
    contest, _ = contest_in(world, Phase.SUBMISSION, entries=1)
    with pytest.raises(Forbidden):
        services.advance(viewer(world.users[key], contest), contest, "screening")
    counting, _ = contest_in(world, Phase.COUNTING, entries=1, votes=[("resident", [0])])
    with pytest.raises(Forbidden):
        services.certify(viewer(world.users[key], counting), counting, "counter")
    assert (contest.phase, counting.phase) == (Phase.SUBMISSION, Phase.COUNTING)


def test_other_community_staff_cannot_touch_it(world):
    contest, _ = contest_in(world, Phase.SUBMISSION, entries=1)
    with pytest.raises(DomainError) as hidden:
        services.advance(viewer(world.users["other_staff"], contest), contest, "screening")
    assert hidden.value.code == "not_found"


def test_a_bad_phase_name_is_refused(world):
    contest, _ = contest_in(world, Phase.SUBMISSION, entries=1)
    with pytest.raises(DomainError) as bad:
        services.advance(viewer(world.users["staff"], contest), contest, "finished")
    assert bad.value.code == "bad_request"


def test_voting_waits_for_screening(world):
    contest, entries = contest_in(world, Phase.SCREENING, entries=2)
    with pytest.raises(DomainError) as unscreened:
        services.advance(viewer(world.users["staff"], contest), contest, "voting")
    assert english(unscreened.value) == "Screen every entry before voting opens."
    for entry in entries:
        services.screen(viewer(world.users["expert"], entry), entry, eligible=False, reason="不符合要求")
    with pytest.raises(DomainError) as none:
        services.advance(viewer(world.users["staff"], contest), contest, "voting")
    assert english(none.value) == "No entry is eligible: voting cannot open."
    services.screen(viewer(world.users["staff"], entries[0]), entries[0], eligible=True, reason="复核后符合要求")
    services.advance(viewer(world.users["staff"], contest), contest, "voting")
    assert contest.phase == Phase.VOTING
    poll = services.poll_of(contest)
    assert poll.state == PollState.OPEN and poll.secret and poll.opened_head == poll.head


def test_the_phase_follows_the_dates(world):
    contest = make_contest(world)
    entry = make_entry(world, contest)
    staff = world.users["staff"]
    services.sync(contest, now=contest.submission_ends - timedelta(seconds=1))
    assert contest.phase == Phase.SUBMISSION
    services.sync(contest, now=contest.submission_ends)
    assert contest.phase == Phase.SCREENING
    # past the screening date, voting still waits for an entry to be screened
    services.sync(contest, now=contest.voting_ends + DAY)
    assert contest.phase == Phase.SCREENING
    services.screen(viewer(world.users["expert"], entry), entry, eligible=True, reason="符合要求")
    services.sync(contest, now=contest.screening_ends + timedelta(seconds=1))
    assert contest.phase == Phase.VOTING
    services.vote(viewer(world.users["owner"], contest), contest, [entry.id])
    # past every date at once: counting, and no further (publication ends counting)
    services.sync(contest, now=contest.announced_ends + DAY)
    assert contest.phase == Phase.COUNTING
    assert services.poll_of(contest).state == PollState.CLOSED
    services.certify(viewer(staff, contest), contest, CertifierRole.COUNTER)
    services.certify(viewer(second_staff(world), contest), contest, CertifierRole.SCRUTINEER)
    assert contest.phase == Phase.ANNOUNCED
    services.sync(contest, now=contest.announced_ends - timedelta(seconds=1))
    assert contest.phase == Phase.ANNOUNCED
    services.sync(contest, now=contest.announced_ends)
    assert contest.phase == Phase.CLOSED
    moves = [(a.detail["new"], a.detail["by"], a.actor_id) for a in _audits(contest)]
    assert moves == [
        ("screening", "dates", None),
        ("voting", "dates", None),
        ("counting", "dates", None),
        ("announced", "publication", second_staff(world).id),
        ("closed", "dates", None),
    ]


def test_a_vote_after_the_date_is_refused_and_closes_the_poll(world):
    contest, entries = contest_in(world, Phase.VOTING, entries=1)
    contest.voting_ends = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(DomainError) as late:
        services.vote(viewer(world.users["resident"], contest), contest, [entries[0].id])
    assert late.value.code == "wrong_phase"
    assert contest.phase == Phase.COUNTING
    assert services.poll_of(contest).state == PollState.CLOSED


def _create(world, **changes):
    now = utcnow()
    fields = {
        "client_id": uuid.uuid4().hex,
        "title": "2027年幸福提案大赛",
        "max_choices": 3,
        "winner_count": 2,
        "ballot_unit": "resident",
        "fund_year": now.year,
        "submission_ends": now + DAY,
        "screening_ends": now + 2 * DAY,
        "voting_ends": now + 3 * DAY,
        "announced_ends": now + 4 * DAY,
    }
    fields.update(changes)
    return services.create(viewer(world.users["staff"], world.community), **fields)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "x"}, "title"),
        ({"max_choices": 0}, "max_choices"),
        ({"max_choices": 21}, "max_choices"),
        ({"max_choices": "3"}, "max_choices"),
        ({"winner_count": 0}, "winner_count"),
        ({"ballot_unit": "building"}, "ballot_unit"),
        ({"fund_year": 1999}, "fund_year"),
        ({"submission_ends": utcnow() - DAY}, "submission_ends"),
        ({"screening_ends": utcnow() + DAY / 2}, "screening_ends"),
        ({"voting_ends": utcnow() + 2 * DAY}, "voting_ends"),
        ({"announced_ends": utcnow() + DAY}, "announced_ends"),
        ({"client_id": ""}, "client_id"),
    ],
)
def test_creation_checks(world, changes, field):
    from app.contests.models import Contest

    before = db.session.scalar(select(db.func.count()).select_from(Contest))
    with pytest.raises(DomainError) as bad:
        _create(world, **changes)
    assert bad.value.field == field
    assert db.session.scalar(select(db.func.count()).select_from(Contest)) == before


def test_creation_is_idempotent_and_staff_only(world):
    first = _create(world, client_id="same")
    assert _create(world, client_id="same").id == first.id
    for key in ("expert", "resident", "other_staff"):
        with pytest.raises(Forbidden):
            services.create(
                viewer(world.users[key], world.community),
                client_id="x",
                title="t" * 5,
                max_choices=1,
                winner_count=1,
                fund_year=2026,
                submission_ends=utcnow() + DAY,
                screening_ends=utcnow() + 2 * DAY,
                voting_ends=utcnow() + 3 * DAY,
                announced_ends=utcnow() + 4 * DAY,
            )


def test_dates_are_beijing_days():
    from datetime import date

    ends = services.end_of_day(date(2027, 3, 31))
    assert ends.isoformat() == "2027-03-31T16:00:00+00:00"
    assert services.last_day(ends) == date(2027, 3, 31)


def test_a_use_case_refused_part_way_writes_and_sends_nothing(app, world):
    """advance() first follows the dates (submission → screening: a phase row, an audit entry, a "phase"
    emit queued), then refuses the staff's jump to voting (entries are unscreened). At the edge the
    refusal rolls all of it back: the phase stays, no audit entry, and the room hears nothing."""
    from app.core.web import perform
    from app.extensions import socketio
    from tests.contests import logged_in

    contest, _ = contest_in(world, Phase.SUBMISSION, entries=1)
    db.session.commit()
    watcher = socketio.test_client(
        app, namespace="/contests", flask_test_client=logged_in(app, world.users["street_staff"])
    )
    assert watcher.emit("join", {"contest_id": contest.id}, namespace="/contests", callback=True)["ok"]
    watcher.get_received("/contests")
    audits = db.session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="contest.phase"))
    later = contest.submission_ends + DAY
    with app.test_request_context():
        outcome = perform(
            lambda: services.advance(viewer(world.users["staff"], contest), contest, Phase.VOTING, now=later)
        )
    assert outcome.status == 409
    db.session.expire_all()
    assert db.session.get(Contest, contest.id).phase == Phase.SUBMISSION
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="contest.phase")) == audits
    assert [e for e in watcher.get_received("/contests") if e["name"] == "phase"] == []
    # the same move, accepted, is committed and heard
    with app.test_request_context():
        assert perform(lambda: services.sync(contest, now=later)).ok
    assert db.session.get(Contest, contest.id).phase == Phase.SCREENING
    assert [e["args"][0]["phase"] for e in watcher.get_received("/contests") if e["name"] == "phase"] == ["screening"]
    watcher.disconnect("/contests")
