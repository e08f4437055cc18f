"""Minutes (会议纪要) of a concluded consultation: plain data, and the DOCX file made from it.

The service gathers a MinutesData from the database; the print page and the
DOCX are both rendered from it, so they always say the same thing.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from app.consultations.docx_layout import (
    DASH,
    GREY,
    TEXT_WIDTH_MM,
    add_field,
    add_table,
    clean,
    drop_thumbnail,
    set_up_page,
    set_up_styles,
    write_cell,
)
from app.consultations.minutes_slow import SlowRecord, add_to_docx
from app.core.clock import local_time


@dataclass(frozen=True)
class AttendeeRecord:
    name: str
    badges: tuple[str, ...] = ()  # translated role badges, e.g. ("物业",)


@dataclass(frozen=True)
class SpeechRecord:
    seq: int  # 1, 2, 3 … in order of speaking
    at: datetime
    author: str
    stance: str | None  # translated: 赞成 / 反对 / 中立, or None
    body: str  # plain text (hidden speeches: the reason instead)
    hidden: bool = False
    motion_no: int | None = None  # which motion it was on (1-based), if any


@dataclass(frozen=True)
class MotionRecord:
    no: int  # 1-based, in order of moving
    text: str
    mover: str
    seconder: str | None
    state: str  # translated: 通过 / 未通过 / 撤回 / 未获附议 …
    votes_for: int = 0
    votes_against: int = 0
    abstentions: int = 0
    eligible: int = 0
    quorum_met: bool | None = None  # None: never put to a vote
    carried: bool = False


@dataclass(frozen=True)
class EventRecord:
    """A moderator's action or a change of the rules, from the room's moderator log."""

    at: datetime
    action: str  # translated: 警告 / 禁言 / 锁定 / 规则变更 …
    member: str | None = None  # whom it concerned: the member warned or muted, the author of a hidden speech
    by: str | None = None  # who did it; None: done automatically (a speech hidden after reports)
    detail: str = ""  # the reason given, or the rules changed, in words
    until: datetime | None = None  # a mute's end
    speech_no: int | None = None  # the speech hidden or restored (its number in the speeches)


@dataclass(frozen=True)
class AgendaRecord:
    """An item of a meeting's agenda (议事会), with what it pointed to and what the meeting settled."""

    no: int
    title: str
    linked: str = ""  # what it pointed to, in words: "金点子：…（已采纳）"
    outcome: str = ""


@dataclass(frozen=True)
class MinutesData:
    community: str
    title: str
    scope: str  # translated: 全社区 / 1栋
    chair: str
    rules_name: str
    parties: tuple[str, ...]
    opened_at: datetime | None
    concluded_at: datetime | None
    attendance: tuple[AttendeeRecord, ...] = ()
    motions: tuple[MotionRecord, ...] = ()
    speeches: tuple[SpeechRecord, ...] = ()
    resolutions: tuple[str, ...] = ()  # texts of carried motions, in order
    events: tuple[EventRecord, ...] = ()  # warnings, mutes, locks, hidden speeches, rule changes: in time order
    labels: dict[str, str] = field(default_factory=dict)  # translated headings for the DOCX
    agenda: tuple[AgendaRecord, ...] = ()  # a meeting's agenda (empty for a consultation's own minutes)
    slow: SlowRecord | None = None  # replies and proposals of a consultation run (partly) in slow mode

    # -- formatting shared by the print page and the DOCX ---------------------------------------------------

    def when(self, value: datetime | None) -> str:
        """A date and time of this meeting as YYYY-MM-DD HH:MM in Asia/Shanghai (empty for None)."""
        return format_datetime(value)

    @cached_property
    def spans_days(self) -> bool:
        """True when the speeches fall on more than one local date (an online consultation over days)."""
        return len({local_time(s.at).date() for s in self.speeches}) > 1

    def speech_time(self, speech: SpeechRecord) -> str:
        """A speech's time as HH:MM, or the full date and time when the speeches span several days."""
        return format_datetime(speech.at) if self.spans_days else format_clock(speech.at)

    @cached_property
    def events_span_days(self) -> bool:
        return len({local_time(e.at).date() for e in self.events}) > 1

    def event_time(self, event: EventRecord) -> str:
        """An event's time as HH:MM, or the full date and time when the events span several days."""
        return format_datetime(event.at) if self.events_span_days else format_clock(event.at)


# -- times --------------------------------------------------------------------------------------------------


def format_datetime(value: datetime | None) -> str:
    """The time as YYYY-MM-DD HH:MM in Asia/Shanghai, or an empty string for None."""
    return local_time(value).strftime("%Y-%m-%d %H:%M") if value else ""


def format_clock(value: datetime | None) -> str:
    """The time of day as HH:MM in Asia/Shanghai, or an empty string for None."""
    return local_time(value).strftime("%H:%M") if value else ""


# -- the DOCX file ------------------------------------------------------------------------------------------

# Headings and fixed words of the DOCX. Callers put translated texts in MinutesData.labels under these keys;
# a key that is missing (or empty) falls back to the Chinese below. Words in {braces} are filled in.
DEFAULT_LABELS: dict[str, str] = {
    "title": "{community} 议事协商会议纪要",  # {community}: the community's name
    "topic": "议题",
    "scope": "范围",
    "chair": "主持人",
    "rules": "议事规则",
    "parties": "参与方",
    "opened_at": "开始时间",
    "concluded_at": "结束时间",
    "attendance": "出席",
    "attendance_count": "共 {count} 人",  # {count}: how many attended
    "badges": "（{badges}）",  # after a name: {badges} joined by list_separator
    "motions": "动议与表决",
    "motion_no": "序号",
    "motion": "动议",
    "mover": "动议人",
    "seconder": "附议人",
    "result": "结果",
    "votes_for": "赞成",
    "votes_against": "反对",
    "abstentions": "弃权",
    "eligible": "应到",
    "quorum": "法定人数",
    "quorum_met": "已达到",
    "quorum_not_met": "未达到",
    "not_voted": "未表决",
    "speeches": "发言记录",
    "motion_ref": "动议 {no}",  # a speech on motion {no}
    "hidden_speech": "（已隐藏：{reason}）",  # {reason}: why a moderator hid the speech
    "resolutions": "决议",
    "events": "秩序维护与规则变更",
    "event_time": "时间",
    "event_action": "事项",
    "event_member": "对象",
    "event_by": "执行人",
    "event_detail": "理由或内容",
    "automatic": "系统自动",
    "speech_ref": "第 {no} 条发言",  # the speech {no} hidden or restored
    "until": "至 {time}",  # a mute's end
    "signatures": "签字",
    "chair_signature": "主持人签字：",
    "recorder_signature": "记录人签字：",
    "date": "日期：",
    "none": "无",
    "list_separator": "、",
    "page": "第 {page} 页",  # {page}: the page number; {pages} (optional): the number of pages
    "generated_at": "本纪要生成于 {time}",  # {time}: "YYYY-MM-DD HH:MM", Asia/Shanghai
    "file_suffix": "会议纪要",  # the downloaded file is "<topic>-<file_suffix>.docx"
    "agenda": "议程",  # a meeting's agenda (shown only when there is one)
    "linked": "关联事项",
    "outcome": "结果",
}

_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|]')


def build_docx(data: MinutesData, *, generated_at: datetime | None = None) -> bytes:
    """The minutes as a Word (.docx) file: A4 portrait, Chinese fonts set, opens in Word, WPS and LibreOffice.

    Every text from users is written as plain text. `generated_at` (default: now) is printed in the footer
    and stored as the file's creation time; pass it to get the same document twice.
    """
    labels = _labels(data)
    generated_at = generated_at or datetime.now(UTC)
    title = _fill(labels["title"], community=_one_line(data.community))

    doc = Document()
    drop_thumbnail(doc)
    set_up_page(doc.sections[0])
    set_up_styles(doc)
    _set_core_properties(doc, data, title, generated_at)

    doc.add_paragraph(title, style="Title")
    _add_facts(doc, data, labels)
    _add_attendance(doc, data, labels)
    _add_agenda(doc, data, labels)
    _add_motions(doc, data, labels)
    _add_speeches(doc, data, labels)
    add_to_docx(doc, data.slow, labels, format_datetime, _one_line)
    _add_events(doc, data, labels)
    _add_resolutions(doc, data, labels)
    _add_signatures(doc, labels)
    _add_footer(doc.sections[0], labels, generated_at)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def minutes_filename(data: MinutesData) -> tuple[str, str]:
    """(ASCII fallback, UTF-8 name) without the extension, for `core.web.download`, e.g. ("minutes-20250315",
    "<topic>-会议纪要")."""
    when = data.concluded_at or data.opened_at
    fallback = f"minutes-{local_time(when):%Y%m%d}" if when else "minutes"
    suffix = _filename_part(_labels(data)["file_suffix"]) or DEFAULT_LABELS["file_suffix"]
    topic = _filename_part(data.title)
    return fallback, f"{topic}-{suffix}" if topic else suffix


# -- text helpers


def _labels(data: MinutesData) -> dict[str, str]:
    given = {key: value for key, value in (data.labels or {}).items() if isinstance(value, str) and value.strip()}
    return {**DEFAULT_LABELS, **given}


def _fill(template: str, **values: str) -> str:
    """Put values in {name} slots; anything else in braces is left as it is (labels are not format strings)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def _one_line(text: object) -> str:
    return " ".join(clean(text).split())


def _filename_part(text: object, limit: int = 60) -> str:
    name = " ".join(_UNSAFE_IN_FILENAME.sub(" ", clean(text)).split())
    return name[:limit].strip(" .")


# -- the document's parts (its layout: docx_layout.py)


def _set_core_properties(doc, data: MinutesData, title: str, generated_at: datetime) -> None:
    props = doc.core_properties
    stamp = generated_at.astimezone(UTC).replace(tzinfo=None) if generated_at.tzinfo else generated_at
    props.title = title[:255]
    props.subject = _one_line(data.title)[:255]
    props.author = _one_line(data.community)[:255]
    props.last_modified_by = props.author
    props.comments = ""
    props.keywords = ""
    props.created = props.modified = stamp
    props.revision = 1


def _add_facts(doc, data: MinutesData, labels: dict[str, str]) -> None:
    sep = labels["list_separator"]
    rows = (
        (labels["topic"], data.title),
        (labels["scope"], data.scope),
        (labels["chair"], data.chair),
        (labels["rules"], data.rules_name),
        (labels["parties"], sep.join(_one_line(p) for p in data.parties) or labels["none"]),
        (labels["opened_at"], format_datetime(data.opened_at) or DASH),
        (labels["concluded_at"], format_datetime(data.concluded_at) or DASH),
    )
    table = add_table(doc, len(rows), (30, TEXT_WIDTH_MM - 30))
    for row, (label, value) in zip(table.rows, rows, strict=True):
        write_cell(row.cells[0], label, size=10.5, bold=True, shade=True)
        write_cell(row.cells[1], value or DASH, size=10.5)


def _add_attendance(doc, data: MinutesData, labels: dict[str, str]) -> None:
    doc.add_heading(labels["attendance"], level=1)
    if not data.attendance:
        doc.add_paragraph(labels["none"])
        return
    doc.add_paragraph(_fill(labels["attendance_count"], count=str(len(data.attendance))))
    sep = labels["list_separator"]
    names = []
    for person in data.attendance:
        badges = sep.join(_one_line(b) for b in person.badges if _one_line(b))
        names.append(_one_line(person.name) + (_fill(labels["badges"], badges=badges) if badges else ""))
    doc.add_paragraph(sep.join(names))


def _add_agenda(doc, data: MinutesData, labels: dict[str, str]) -> None:
    """A meeting's agenda: each item, what it pointed to and its outcome (nothing for a consultation)."""
    if not data.agenda:
        return
    doc.add_heading(labels["agenda"], level=1)
    widths = (10, 60, 40)
    widths = (*widths, TEXT_WIDTH_MM - sum(widths))
    table = add_table(doc, len(data.agenda) + 1, widths, header=True)
    for cell, key in zip(table.rows[0].cells, ("motion_no", "topic", "linked", "outcome"), strict=True):
        write_cell(cell, labels[key], size=9, bold=True, shade=True, center=True)
    for row, item in zip(table.rows[1:], data.agenda, strict=True):
        cells = row.cells
        write_cell(cells[0], str(item.no), size=9, center=True)
        write_cell(cells[1], item.title, size=9)
        write_cell(cells[2], _one_line(item.linked) or DASH, size=9)
        write_cell(cells[3], clean(item.outcome).strip() or DASH, size=9)


def _add_motions(doc, data: MinutesData, labels: dict[str, str]) -> None:
    doc.add_heading(labels["motions"], level=1)
    if not data.motions:
        doc.add_paragraph(labels["none"])
        return
    keys = ("motion_no", "motion", "mover", "seconder", "result")
    keys += ("votes_for", "votes_against", "abstentions", "eligible", "quorum")
    widths = (10, 0, 15, 15, 16, 10, 10, 10, 10, 16)
    widths = (10, TEXT_WIDTH_MM - sum(widths), *widths[2:])
    table = add_table(doc, len(data.motions) + 1, widths, header=True)
    for cell, key in zip(table.rows[0].cells, keys, strict=True):
        write_cell(cell, labels[key], size=9, bold=True, shade=True, center=True)
    for row, motion in zip(table.rows[1:], data.motions, strict=True):
        voted = motion.quorum_met is not None
        if not voted:
            quorum = labels["not_voted"]
        else:
            quorum = labels["quorum_met"] if motion.quorum_met else labels["quorum_not_met"]
        counts = (motion.votes_for, motion.votes_against, motion.abstentions, motion.eligible)
        cells = row.cells
        write_cell(cells[0], str(motion.no), size=9, center=True)
        write_cell(cells[1], motion.text, size=9)
        write_cell(cells[2], _one_line(motion.mover) or DASH, size=9, center=True)
        write_cell(cells[3], _one_line(motion.seconder) or DASH, size=9, center=True)
        write_cell(cells[4], _one_line(motion.state), size=9, bold=motion.carried, center=True)
        for cell, count in zip(cells[5:9], counts, strict=True):
            write_cell(cell, str(count) if voted else DASH, size=9, center=True)
        write_cell(cells[9], quorum, size=9, center=True)


def _add_speeches(doc, data: MinutesData, labels: dict[str, str]) -> None:
    doc.add_heading(labels["speeches"], level=1)
    if not data.speeches:
        doc.add_paragraph(labels["none"])
        return
    for speech in data.speeches:
        head = doc.add_paragraph()
        head.paragraph_format.space_before = Pt(6)
        head.paragraph_format.space_after = Pt(0)
        head.paragraph_format.keep_with_next = True
        head.add_run(f"{speech.seq}.  ").bold = True
        head.add_run(data.speech_time(speech) + "  ")
        head.add_run(_one_line(speech.author)).bold = True
        if speech.stance:
            head.add_run(" · " + _one_line(speech.stance))
        if speech.motion_no:
            head.add_run(" · " + _fill(labels["motion_ref"], no=str(speech.motion_no)))

        body = doc.add_paragraph()
        body.paragraph_format.left_indent = Mm(7)
        if speech.hidden:
            run = body.add_run(_fill(labels["hidden_speech"], reason=_one_line(speech.body)))
            run.italic = True
            run.font.color.rgb = GREY
        else:
            body.add_run(clean(speech.body).strip())


def _add_resolutions(doc, data: MinutesData, labels: dict[str, str]) -> None:
    doc.add_heading(labels["resolutions"], level=1)
    if not data.resolutions:
        doc.add_paragraph(labels["none"])
        return
    for number, text in enumerate(data.resolutions, start=1):
        item = doc.add_paragraph(f"{number}.\t{clean(text).strip()}")
        item.paragraph_format.left_indent = Mm(7)
        item.paragraph_format.first_line_indent = -Mm(7)


def _add_events(doc, data: MinutesData, labels: dict[str, str]) -> None:
    doc.add_heading(labels["events"], level=1)
    if not data.events:
        doc.add_paragraph(labels["none"])
        return
    keys = ("event_time", "event_action", "event_member", "event_by", "event_detail")
    widths = (22 if data.events_span_days else 14, 22, 24, 24)
    widths = (*widths, TEXT_WIDTH_MM - sum(widths))
    table = add_table(doc, len(data.events) + 1, widths, header=True)
    for cell, key in zip(table.rows[0].cells, keys, strict=True):
        write_cell(cell, labels[key], size=9, bold=True, shade=True, center=True)
    for row, event in zip(table.rows[1:], data.events, strict=True):
        member = _one_line(event.member)
        if event.speech_no:
            member = " ".join(p for p in (_fill(labels["speech_ref"], no=str(event.speech_no)), member) if p)
        detail = clean(event.detail).strip()
        if event.until:
            detail = " ".join(p for p in (_fill(labels["until"], time=format_datetime(event.until)), detail) if p)
        cells = row.cells
        write_cell(cells[0], data.event_time(event), size=9, center=True)
        write_cell(cells[1], _one_line(event.action), size=9, center=True)
        write_cell(cells[2], member or DASH, size=9)
        write_cell(cells[3], _one_line(event.by) or labels["automatic"], size=9)
        write_cell(cells[4], detail or DASH, size=9)


def _add_signatures(doc, labels: dict[str, str]) -> None:
    """Lines for the chair and the recorder to sign and date the printed minutes."""
    doc.add_heading(labels["signatures"], level=1)
    line, date_line = "_" * 22, "_" * 14
    for key in ("chair_signature", "recorder_signature"):
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(18)
        paragraph.paragraph_format.keep_together = True
        paragraph.add_run(f"{labels[key]}{line}    {labels['date']}{date_line}")


# -- footer


def _add_footer(section, labels: dict[str, str], generated_at: datetime) -> None:
    footer = section.footer
    footer.is_linked_to_previous = False
    pages = footer.paragraphs[0]
    pages.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in re.split(r"(\{page\}|\{pages\})", labels["page"]):
        if part == "{page}":
            add_field(pages, "PAGE")
        elif part == "{pages}":
            add_field(pages, "NUMPAGES")
        elif part:
            pages.add_run(part)
    note = footer.add_paragraph(_fill(labels["generated_at"], time=format_datetime(generated_at)), style="Footer")
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in note.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = GREY
