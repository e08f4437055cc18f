"""Display names of the contests' phases, entry statuses, ballot units and certifier roles."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.contests.models import BallotUnit, EntryStatus, Phase
from app.voting.models import CertifierRole

PHASE_LABELS = {
    Phase.SUBMISSION: _l("Submission (征集)"),
    Phase.SCREENING: _l("Screening (初筛)"),
    Phase.VOTING: _l("Voting (投票)"),
    Phase.COUNTING: _l("Counting (计票)"),
    Phase.ANNOUNCED: _l("Announced (公示)"),
    Phase.CLOSED: _l("Closed"),
}
STATUS_LABELS = {
    EntryStatus.SUBMITTED: _l("Waiting for screening"),
    EntryStatus.ELIGIBLE: _l("Passed screening"),
    EntryStatus.INELIGIBLE: _l("Did not pass screening"),
}
UNIT_LABELS = {
    BallotUnit.RESIDENT: _l("One ballot per verified resident"),
    BallotUnit.HOUSEHOLD: _l("One ballot per household"),
}
ROLE_LABELS = {CertifierRole.COUNTER: _l("Counter (计票人)"), CertifierRole.SCRUTINEER: _l("Scrutineer (监票人)")}


def submitted_by(entry) -> str:
    """Who entered an entry, as every page and export shows it: "由 <organisation> 提交" or "居民提交"."""
    if entry.organisation_id is not None and entry.organisation is not None:
        return gettext("Entered by %(org)s", org=entry.organisation.name)
    return gettext("Entered by a resident")
