"""The slow part of a consultation's minutes (异步协商): the threaded replies and each slow proposal's result.

Consultations know nothing of slow deliberation (app/slow reads consultations, never the other way round), so
the minutes ask a registry: a provider, registered by app/slow (app/slow/minutes.py), is given the
consultation and the minutes' numbering of its motions and answers with a SlowRecord, or None when the
consultation never ran in slow mode. The print page (templates/consultations/_minutes_slow.html) and the DOCX
(`add_to_docx`, called by app/consultations/minutes.py) both render it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from docx.shared import Mm, Pt

from app.consultations.docx_layout import DASH, GREY, TEXT_WIDTH_MM, add_table, clean, write_cell


@dataclass(frozen=True)
class ReplyRecord:
    """A reply: under the background (a thread, numbered "3") or an answer in a thread ("3.2")."""

    no: str
    at: datetime
    author: str
    stance: str | None  # translated: 赞成 / 反对 / 中立 / 提问, or None
    body: str  # plain text; a hidden reply: the moderator's reason instead
    hidden: bool = False
    answer: bool = False
    edited: bool = False


@dataclass(frozen=True)
class ProposalRecord:
    """A slow proposal (a motion with a closing time) and how it closed."""

    no: int  # its number among the minutes' motions
    text: str
    closes_at: datetime | None
    result: str  # translated: 通过 / 未通过 / 已失效 …, or 进行中 while open
    positions: int  # how many stated a position
    votes_for: int = 0
    votes_against: int = 0
    abstentions: int = 0
    carried: bool = False
    counted: bool = False  # closed and counted into its poll


@dataclass(frozen=True)
class SlowRecord:
    replies: tuple[ReplyRecord, ...] = ()
    proposals: tuple[ProposalRecord, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.replies or self.proposals)


# consultation, {motion id: its number in the minutes} -> the slow record, or None
Provider = Callable[[object, dict[int, int]], SlowRecord | None]
_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> Provider:
    """Fill the minutes' slow section (one provider per name: registering again replaces it)."""
    _providers[name] = provider
    return provider


def gather(consultation, motion_no: dict[int, int]) -> SlowRecord | None:
    """The slow record of the consultation, or None when no provider has one."""
    for provider in _providers.values():
        found = provider(consultation, motion_no)
        if found:
            return found
    return None


# -- the DOCX -----------------------------------------------------------------------------------------------

LABELS: dict[str, str] = {
    "slow_replies": "线上协商回复",
    "slow_proposals": "线上协商提议",
    "hidden_reply": "（已被主持人隐藏：{reason}）",
    "edited": "（已编辑）",
    "closes_at": "截止时间",
    "positions": "表态人数",
    "open": "进行中",
}


def add_to_docx(doc, record: SlowRecord | None, labels: dict[str, str], when: Callable, one_line: Callable) -> None:
    """The proposals' results, then the replies thread by thread (answers indented); nothing when not slow."""
    if not record:
        return
    labels = {**LABELS, **labels}
    if record.proposals:
        doc.add_heading(labels["slow_proposals"], level=1)
        keys = ("motion_no", "motion", "closes_at", "positions", "result", "votes_for", "votes_against",
                "abstentions")  # fmt: skip
        widths = (10, 0, 26, 14, 18, 12, 12, 12)
        widths = (10, TEXT_WIDTH_MM - sum(widths), *widths[2:])
        table = add_table(doc, len(record.proposals) + 1, widths, header=True)
        for cell, key in zip(table.rows[0].cells, keys, strict=True):
            write_cell(cell, labels[key], size=9, bold=True, shade=True, center=True)
        for row, p in zip(table.rows[1:], record.proposals, strict=True):
            cells = row.cells
            write_cell(cells[0], str(p.no), size=9, center=True)
            write_cell(cells[1], p.text, size=9)
            write_cell(cells[2], when(p.closes_at) or DASH, size=9, center=True)
            write_cell(cells[3], str(p.positions), size=9, center=True)
            write_cell(cells[4], one_line(p.result), size=9, bold=p.carried, center=True)
            for cell, count in zip(cells[5:8], (p.votes_for, p.votes_against, p.abstentions), strict=True):
                write_cell(cell, str(count) if p.counted else DASH, size=9, center=True)
    if record.replies:
        doc.add_heading(labels["slow_replies"], level=1)
        for reply in record.replies:
            head = doc.add_paragraph()
            head.paragraph_format.space_before = Pt(4 if reply.answer else 8)
            head.paragraph_format.space_after = Pt(0)
            head.paragraph_format.keep_with_next = True
            if reply.answer:
                head.paragraph_format.left_indent = Mm(7)
            head.add_run(f"{reply.no}  ").bold = True
            head.add_run(when(reply.at) + "  ")
            head.add_run(one_line(reply.author)).bold = True
            if reply.stance:
                head.add_run(" · " + one_line(reply.stance))
            body = doc.add_paragraph()
            body.paragraph_format.left_indent = Mm(14 if reply.answer else 7)
            if reply.hidden:
                run = body.add_run(labels["hidden_reply"].replace("{reason}", one_line(reply.body)))
                run.italic = True
                run.font.color.rgb = GREY
            else:
                body.add_run(clean(reply.body).strip())
                if reply.edited:
                    run = body.add_run(" " + labels["edited"])
                    run.font.color.rgb = GREY
