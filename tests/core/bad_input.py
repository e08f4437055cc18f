"""The bad-input sweep (tests/core/test_bad_input_sweep.py): every route, form and socket event of the site,
sent ids no INTEGER column holds and text holding a NUL, as a member and as staff; nothing may answer 500.

Generated, not listed: the routes come from the application's URL map, the forms from the HTML of every
page a GET reaches (with real ids, from the demo community), the socket events from the namespaces'
handlers. A request refused (status 400 and up, or a socket answer `ok: false`) must also leave every
table's row count as it was.

`Sweep.totals()` is what the issue's resolution quotes: requests sent, 500s found.
"""

from __future__ import annotations

import re
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

from sqlalchemy import String, Text, select, text
from werkzeug.datastructures import MultiDict

from app.accounts.models import User
from app.assessment.models import AssessmentCriterion, Scheme
from app.communities.models import Community, ExpertAppointment, InviteCode, Membership, MembershipStatus
from app.consultations.models import Consultation, Motion, Phase, Speech
from app.contests.models import Contest, Entry
from app.core.uploads import Photo
from app.decisions.models import Decision, PaperEntry, Proxy
from app.demo import SLUG
from app.documents.models import Attachment
from app.extensions import db, socketio
from app.ideas.models import Idea
from app.meetings.models import AgendaItem, Meeting
from app.microprojects.models import MicroProject
from app.needs.models import Need
from app.neighbours.models import HelpPost, NeighbourGroup
from app.notices.models import Notice
from app.notifications.models import Delivery
from app.objections.models import Objection
from app.orgs.models import OrgAgent, Organisation, Qualification
from app.procedure.models import RuleSet
from app.procurement.models import Application, Contract, Milestone, ServiceCall
from app.rulebook.models import RuleComment, RuleDraft
from app.satisfaction.models import Campaign, StreetCampaign
from app.surveys.models import Survey, SurveyState
from app.workitems.models import Department, DepartmentOfficer, ReviewRound, WorkItemObjection, WorkItemRequest
from tests import factories

NUL = "a\x00b"
HUGE = 2**63
BAD_INTS = (2**31, HUGE, -1)
ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
APP_DIR = Path(__file__).resolve().parents[2] / "app"
PEOPLE = {"member": "13800000002", "chair": "13800000003", "staff": "13800000008"}  # demo accounts


# -- the demo community's real objects ---------------------------------------------------------------


def real_arguments() -> dict[str, object]:
    """A real value for each URL argument name of the site (ids of the demo community's objects)."""
    community = db.session.scalar(select(Community).where(Community.slug == SLUG))

    def first(model, *where):
        return db.session.scalar(select(model.id).where(*where).order_by(model.id)) or 1

    consultation = db.session.scalar(  # the open one: its room has the most forms
        select(Consultation).where(Consultation.community_id == community.id, Consultation.phase == Phase.OPEN)
    )
    return {
        "slug": SLUG,
        "code": db.session.scalar(select(InviteCode.code).where(InviteCode.community_id == community.id)),
        "filename": "css/app.css",
        "invite_id": first(InviteCode, InviteCode.community_id == community.id),
        "membership_id": first(
            Membership, Membership.community_id == community.id, Membership.status == MembershipStatus.PENDING
        ),
        "rule_set_id": first(RuleSet, RuleSet.community_id == community.id),
        "consultation_id": consultation.id,
        "contest_id": first(Contest, Contest.community_id == community.id),
        "entry_id": first(Entry),
        "decision_id": first(Decision, Decision.community_id == community.id),
        "paper_id": first(PaperEntry),
        "roll_entry_id": db.session.scalar(select(Proxy.roll_entry_id).order_by(Proxy.id)) or 1,
        "proxy_id": first(Proxy),
        "objection_id": first(Objection),
        "idea_id": first(Idea, Idea.community_id == community.id),
        "photo_id": first(Photo),
        "project_id": first(MicroProject, MicroProject.community_id == community.id),
        "kind_name": "decision",
        "owner_id": first(Decision, Decision.community_id == community.id),
        "attachment_id": first(Attachment, Attachment.community_id == community.id),
        "notice_id": first(Notice, Notice.community_id == community.id),
        "meeting_id": first(Meeting, Meeting.community_id == community.id),
        "item_id": first(AgendaItem),
        "delivery_id": first(Delivery),
        "token": "not-a-confirmation-token",
        "group_id": first(NeighbourGroup, NeighbourGroup.community_id == community.id),
        "post_id": first(HelpPost, HelpPost.community_id == community.id),
        "step": "take",
        "verb": "report",
        "switch": "lock",
        "draft_id": first(RuleDraft, RuleDraft.community_id == community.id),
        "comment_id": first(RuleComment),
        "street_id": community.street_id,  # the dashboards: a street's, its district's, an export's format
        "district_id": community.street.district_id,
        "fmt": "csv",
        # --- surveys ---
        "survey_id": first(Survey, Survey.community_id == community.id, Survey.state == SurveyState.OPEN),
        "campaign_id": first(Campaign, Campaign.community_id == community.id),
        "street_campaign_id": first(StreetCampaign),
        "action": "open",  # open an open survey or campaign: refused, nothing written
        "extension": "csv",
        "need_id": first(Need, Need.community_id == community.id),
        "year": 2026,
        "appointment_id": first(ExpertAppointment),
        # --- procure ---
        "call_id": first(ServiceCall, ServiceCall.community_id == community.id),
        "application_id": first(Application),
        "contract_id": first(Contract, Contract.community_id == community.id),
        "milestone_id": first(Milestone),
        # --- orgs ---
        "org_id": first(Organisation),
        "qualification_id": first(Qualification),
        "agent_id": first(OrgAgent),
        # the work items' admission list (雨花台区's, made by the demo)
        "department_id": first(Department),
        "officer_id": first(DepartmentOfficer),
        "request_id": first(WorkItemRequest),
        "round_id": first(ReviewRound),
        "work_objection_id": first(WorkItemObjection, WorkItemObjection.community_id == community.id),
        # the 精品社区 assessment (雨花台区's scheme for last year, made by the demo)
        "scheme_id": first(Scheme),
        "criterion_id": first(AssessmentCriterion),
    }


def socket_payload() -> dict:
    """A payload naming real things of the demo, with every key some event of the site reads."""
    real = real_arguments()
    return {
        "consultation_id": real["consultation_id"],
        "motion_id": db.session.scalar(select(Motion.id).where(Motion.consultation_id == real["consultation_id"])),
        "message_id": db.session.scalar(select(Speech.id).where(Speech.consultation_id == real["consultation_id"])),
        "user_id": db.session.scalar(select(User.id).where(User.phone == "13800000001")),
        "after_id": 0,
        "contest_id": real["contest_id"],
        "entry_ids": [real["entry_id"]],
        "minutes": 5,
        "client_id": uuid.uuid4().hex,
        "body": "我同意这个方案。",
        "stance": "for",
        "choice": "for",
        "reason": "请注意发言礼仪。",
        "text": "建议增设休息座椅。",
        "locked": False,
    }


# -- HTML forms ---------------------------------------------------------------------------------------------


@dataclass
class HtmlForm:
    action: str
    method: str
    multipart: bool
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, value) as the browser would send
    names: dict[str, str] = field(default_factory=dict)  # name -> kind: text, textarea, select, file, ...
    numeric: set[str] = field(default_factory=set)  # names whose values are whole numbers (ids)


class FormParser(HTMLParser):
    """The forms of a page, with the values a browser would send unchanged."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._submitted = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = HtmlForm(
                a.get("action", ""), a.get("method", "get").lower(), "multipart" in a.get("enctype", "")
            )
            self._submitted = False
            self.forms.append(self._form)
            return
        form = self._form
        if tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
            return
        if form is None or not a.get("name") or "disabled" in a:
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "button", "reset"):
                if not self._submitted and kind == "submit":
                    form.fields.append((name, a.get("value", "")))
                    self._submitted = True
                return
            form.names.setdefault(name, kind)
            if kind == "file":
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                if kind == "radio" and not any(n == name for n, _v in form.fields):
                    form.fields.append((name, a.get("value", "on")))  # a choice is needed: the first
                if re.fullmatch(r"\d+", a.get("value", "")):
                    form.numeric.add(name)
                return
            if kind == "radio":
                form.fields = [(n, v) for n, v in form.fields if n != name]
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            form.fields.append((name, value))
            if kind == "number" or a.get("inputmode") == "numeric" or re.fullmatch(r"\d{1,10}", value or "x"):
                form.numeric.add(name)
        elif tag == "button" and a.get("type", "submit") == "submit" and not self._submitted:
            form.fields.append((name, a.get("value", "")))
            self._submitted = True
        elif tag == "textarea":
            form.names.setdefault(name, "textarea")
            self._textarea = name
            form.fields.append((name, ""))
        elif tag == "select":
            form.names.setdefault(name, "select")
            self._select = name
            self._options = []

    def handle_data(self, data):
        if self._textarea is not None and self._form is not None:
            name, value = self._form.fields[-1]
            self._form.fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = [v for v, selected in self._options if selected] or [v for v, _s in self._options[:1]]
            self._form.fields.extend((self._select, v) for v in chosen)
            if any(re.fullmatch(r"\d+", v) for v, _s in self._options):
                self._form.numeric.add(self._select)
            self._select = None


def forms_of(page: str) -> list[HtmlForm]:
    parser = FormParser()
    parser.feed(page)
    return parser.forms


# -- the sweep --------------------------------------------------------------------------------------------


@dataclass
class Finding:
    who: str
    method: str
    url: str
    what: str
    detail: str


class Sweep:
    """Sends requests as one of PEOPLE, each in an app context of its own (a session of its own, as in
    production), and keeps the tally."""

    def __init__(self, app):
        self.app = app
        self.users = {
            key: db.session.scalar(select(User.id).where(User.phone == phone)) for key, phone in PEOPLE.items()
        }
        self.clients = {key: self._client() for key in PEOPLE}
        self.sent = 0
        self.refused = 0
        self.statuses: Counter = Counter()
        self.kinds: Counter = Counter()
        self.server_errors: list[Finding] = []
        self.writes: list[Finding] = []
        self._count_sql = text(
            " UNION ALL ".join(
                f"SELECT '{t.name}' AS t, COUNT(*) AS n FROM {db.engine.dialect.identifier_preparer.quote(t.name)}"
                for t in db.metadata.sorted_tables
            )
        )

    def _client(self):
        http = self.app.test_client()
        http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return http

    def counts(self) -> dict[str, int]:
        with db.engine.connect() as conn:
            return dict(conn.execute(self._count_sql).tuples().all())

    def login(self, who: str):
        """A fresh login of `who` for the next request (a swept logout or "sign out everywhere" ends the one
        before): made before the row counts are taken, so it is not counted as the request's write."""
        http = self.clients[who]
        with self.app.app_context():
            token = factories.login_token(db.session.get(User, self.users[who]))
        with http.session_transaction() as session:
            session.clear()
            session["_user_id"] = token
            session["_fresh"] = True
        return http

    def request(self, who: str, method: str, url: str, *, data=None, multipart: bool = False, what: str = ""):
        """One request; a 500 (or an exception, which the test client raises) is a finding, and so is a
        refused request that changed a row count. Returns the response, or None after an exception."""
        http = self.login(who)
        before = self.counts()
        response = None
        with self.app.app_context():
            try:
                if multipart:
                    response = http.open(url, method=method, data=data, content_type="multipart/form-data")
                else:
                    response = http.open(url, method=method, data=data)
                status = response.status_code
                response.get_data()  # read whole (kept for the caller), then closed: a download holds a file
                response.close()
            except Exception:
                status, detail = 500, traceback.format_exc(limit=-6)
        self.sent += 1
        self.statuses[status] += 1
        self.kinds[what.split(" ", 1)[0] if what.startswith(("form", "page", "query")) else "route"] += 1
        if status == 500:  # (503 is /readyz saying the schema is not migrated: on purpose)
            detail = detail if response is None else response.get_data(as_text=True)[:300]
            self.server_errors.append(Finding(who, method, url, what, detail))
        elif status >= 400:
            self.refused += 1
            after = self.counts()
            if after != before:
                changed = {t: (before.get(t), n) for t, n in after.items() if before.get(t) != n}
                self.writes.append(Finding(who, method, url, what, f"{status}: {changed}"))
        return response

    def emit(self, who: str, namespace: str, event: str, payload, *, what: str = ""):
        """One socket event; an answer "server_error" (or none, or an exception) is a finding, and so is a
        refusal that changed a row count."""
        http = self.login(who)
        before = self.counts()
        with self.app.app_context():
            client = socketio.test_client(self.app, namespace=namespace, flask_test_client=http)
            try:
                answer = client.emit(event, payload, namespace=namespace, callback=True)
                error = None
            except Exception:
                answer, error = None, traceback.format_exc(limit=-6)
            finally:
                if client.is_connected(namespace):
                    client.disconnect(namespace)
        self.sent += 1
        self.kinds["socket event"] += 1
        self.statuses["ok" if isinstance(answer, dict) and answer.get("ok") else "refused"] += 1
        url = f"{namespace} {event}"
        if error or not isinstance(answer, dict) or answer.get("error", {}).get("code") == "server_error":
            self.server_errors.append(Finding(who, "EMIT", url, what, error or repr(answer)))
        elif answer.get("ok") is False:
            self.refused += 1
            after = self.counts()
            if after != before:
                changed = {t: (before.get(t), n) for t, n in after.items() if before.get(t) != n}
                self.writes.append(Finding(who, "EMIT", url, what, str(changed)))
        return answer

    def totals(self) -> str:
        return (
            f"requests sent: {self.sent}, refused: {self.refused}, 500s found: {len(self.server_errors)}, "
            f"refusals that wrote: {len(self.writes)}; answers: {dict(sorted(self.statuses.items(), key=str))}; "
            f"sent as: {dict(self.kinds)}"
        )

    def report(self) -> str:
        lines = [self.totals()]
        for finding in (self.server_errors + self.writes)[:40]:
            lines.append(f"  {finding.who} {finding.method} {finding.url!r} {finding.what}: {finding.detail}")
        return "\n".join(lines)


def query_argument_names() -> set[str]:
    """The query arguments the site's views read (request.args.get("name") and the like), from the sources."""
    names = set()
    for path in APP_DIR.rglob("*.py"):
        names.update(re.findall(r"(?:args|values)\.get(?:list)?\(\s*\"(\w+)\"", path.read_text(encoding="utf-8")))
    return names


def url_of(rule, values: dict) -> str:
    """The rule's path with `values` put in, each quoted as a client would send it."""

    def put(match):
        return quote(str(values[match.group("name")]), safe="/" if match.group("converter") == "path" else "")

    return ARGUMENT.sub(put, rule.rule)


def bad_values(rule) -> list[tuple[str, object]]:
    """(argument, bad value) for each argument of the rule: ints beyond the column and negative, text with a NUL."""
    bad = []
    for match in ARGUMENT.finditer(rule.rule):
        name, converter = match.group("name"), match.group("converter") or "default"
        if converter == "int":
            bad.extend((name, value) for value in BAD_INTS)
        else:
            bad.append((name, NUL))
    return bad


def sweep_routes(sweep: Sweep, real: dict) -> None:
    """Every rule of the URL map, each argument in turn made bad (the others real), by GET and by POST."""
    for rule in sweep.app.url_map.iter_rules():
        methods = [m for m in ("GET", "POST") if m in rule.methods]
        for name, value in bad_values(rule):
            url = url_of(rule, {**real, name: value})
            for who in PEOPLE:
                for method in methods:
                    sweep.request(who, method, url, data={} if method == "POST" else None, what=f"{name}={value!r}")
        if "GET" in rule.methods:  # the query string: a NUL, and every argument the views read made huge
            sweep.request("member", "GET", url_of(rule, real) + "?q=a%00b&next=%2F%00", what="query string")
            huge = "&".join(f"{name}={HUGE}" for name in sorted(query_argument_names()))
            for who in ("member", "staff"):
                sweep.request(who, "GET", f"{url_of(rule, real)}?{huge}", what="query arguments")


def sweep_forms(sweep: Sweep, real: dict) -> int:
    """Every form on every page a GET reaches with real ids: each field with a NUL, each id field (and
    every field that holds a whole number) with 2**63. Returns how many different forms were sent."""
    seen = set()
    for rule in sweep.app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "metrics"):
            continue
        page_url = url_of(rule, real)
        for who in PEOPLE:
            page = sweep.request(who, "GET", page_url, what="page")
            if page is None or page.status_code != 200 or page.mimetype != "text/html":
                continue
            for form in forms_of(page.get_data(as_text=True)):
                key = (who, form.action or page_url, form.method, tuple(sorted(form.names)))
                if key not in seen:  # the same form on every page (the language switch) is sent once
                    seen.add(key)
                    _submit_variants(sweep, who, page_url, form)
    return len(seen)


def _submit_variants(sweep: Sweep, who: str, page_url: str, form: HtmlForm) -> None:
    action = form.action or page_url
    if urlsplit(action).netloc:
        return  # another site's
    method = "POST" if form.method == "post" else "GET"
    for name, kind in form.names.items():
        if kind == "file" or name == "csrf_token":
            continue
        bad = [NUL]
        if name in form.numeric or name.endswith("id"):
            bad.append(str(HUGE))
        for value in bad:
            data = [(n, v) for n, v in form.fields if n != name] + [(name, value)]
            what = f"form {action} field {name}={value!r}"
            if method == "GET":
                query = "&".join(f"{quote(n)}={quote(v)}" for n, v in data)
                sweep.request(who, "GET", f"{action.split('?')[0]}?{query}", what=what)
            else:
                sweep.request(who, "POST", action, data=MultiDict(data), multipart=form.multipart, what=what)


def sweep_sockets(sweep: Sweep) -> int:
    """Every event of every namespace: each id of a real payload made too large, each text given a NUL
    (a key too). Returns how many events there are."""
    base = socket_payload()
    events = 0
    for namespace, handler in socketio.server.namespace_handlers.items():
        names = sorted(n[3:] for n in dir(handler) if n.startswith("on_") and n not in ("on_connect", "on_disconnect"))
        for event in names:
            events += 1
            variants = []
            for key, value in base.items():
                if isinstance(value, bool):
                    continue
                if isinstance(value, int):
                    variants += [(key, 2**31), (key, HUGE)]
                elif isinstance(value, str):
                    variants.append((key, NUL))
                elif isinstance(value, list):
                    variants.append((key, [HUGE]))
            for who in PEOPLE:
                for key, value in variants:
                    payload = {**base, key: value, "client_id": uuid.uuid4().hex}
                    if key == "client_id":
                        payload["client_id"] = value
                    sweep.emit(who, namespace, event, payload, what=f"{key}={value!r}")
                sweep.emit(who, namespace, event, {**base, NUL: 1}, what="a NUL in a key")
    return events


def stored_nuls() -> list[str]:
    """Text columns (SQLite) holding a NUL anywhere: nothing a refusal let through may have been stored."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                hits = db.session.execute(
                    text(f'SELECT COUNT(*) FROM "{table.name}" WHERE instr("{column.name}", char(0)) > 0')
                ).scalar()
                if hits:
                    found.append(f"{table.name}.{column.name}: {hits}")
    return found
