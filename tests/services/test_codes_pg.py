"""One-time codes on PostgreSQL, under concurrency: tries sent at the same moment from many connections cannot
pass the limit of five, and a right code sent twice at once lets in once."""

from __future__ import annotations

import threading

import pytest

from app.accounts import codes
from app.accounts.codes import CodeRefused
from app.accounts.models import CodePurpose, OneTimeCode

pytestmark = pytest.mark.postgres

PHONE = "13812345678"
LOGIN = (CodePurpose.LOGIN,)


def _race(pg_app, attempt: str, n: int = 12) -> tuple[list, list]:
    """`n` connections try `attempt` at once, each committing as the edge does; returns (used, refusals)."""
    used, refused, errors = [], [], []
    start = threading.Barrier(n)

    def try_code():
        with pg_app.test_request_context():
            from app.extensions import db

            try:
                start.wait(10)
                row = codes.consume(PHONE, LOGIN, attempt)
                db.session.commit()
                used.append(row.id)
            except CodeRefused as err:
                db.session.commit()  # the edge keeps the counted try
                refused.append(err.message)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=try_code) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return used, refused


def test_wrong_tries_at_once_count_no_more_than_five(pg_app, pg_db):
    code, row = codes.issue(PHONE, CodePurpose.LOGIN)
    pg_db.session.commit()
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    used, refused = _race(pg_app, wrong)
    assert used == [] and len(refused) == 12
    pg_db.session.expire_all()
    assert pg_db.session.get(OneTimeCode, row.id).attempts == 5
    with pytest.raises(CodeRefused):  # dead now, the right code too
        codes.consume(PHONE, LOGIN, code)


def test_a_right_code_sent_twice_at_once_lets_in_once(pg_app, pg_db):
    code, row = codes.issue(PHONE, CodePurpose.LOGIN)
    pg_db.session.commit()
    used, refused = _race(pg_app, code, n=4)
    assert used == [row.id] and len(refused) == 3
