"""The micro-fund's rendering: the bar chart (inline SVG), the ledger as rows, CSV and XLSX.

Pure functions over plain data (titles, fen, names): they take translated labels from the caller and
never touch the request or the database. The queries behind the pages are in services.py.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from markupsafe import Markup, escape

from app.core.charts import bar_length, fit_text, spreadsheet_text, tenths
from app.core.clock import local_time, local_today
from app.core.money import format_yuan

# -- small formatting helpers -----------------------------------------------------------------------


def this_year(now: datetime | None = None) -> int:
    """The current year in Asia/Shanghai (on 31 December at 20:00 UTC it is already next year there)."""
    return local_today(now).year


def yuan_decimal(fen: int) -> str:
    """123450 -> '1234.50': yuan with exactly two decimals, no symbol, no separators."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def average_stars(count: int, total: int) -> str | None:
    """The average of `count` scores summing to `total`, to one decimal, half up ('4.5'); None without any."""
    if not count:
        return None
    return str((Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding="ROUND_HALF_UP"))


# -- the chart ----------------------------------------------------------------------------------------

ALLOCATED_FILL = "#cfe4e6"  # light teal: what the project was given
ALLOCATED_STROKE = "#0b5a60"
SPENT_FILL = "#0b5a60"  # dark teal: what it has spent (always within the allocation)
INK = "#1b1b1b"
INK_SOFT = "#4a4a4a"
TITLE_SIZE = 17
VALUE_SIZE = 15
LEGEND_HEIGHT = 34


def fund_chart_svg(
    rows: Sequence[tuple[str, int, int]], *, width: int = 360, bar_height: int = 28, labels: Mapping[str, str]
) -> Markup:
    """Horizontal bars, one per project: the allocation as a light bar, what was spent as a dark bar inside
    it, the amounts written out beneath. `rows`: (title, allocated fen, spent fen). `labels`: translated
    "title", "allocated" and "spent". The same rows always give the same markup."""
    title = escape(labels["title"])
    allocated_word = escape(labels["allocated"])
    spent_word = escape(labels["spent"])
    scale = max([1] + [max(a, s) for _t, a, s in rows])
    block = 26 + bar_height + 8 + VALUE_SIZE + 14  # title line, bar, gap, values line, space below
    height = LEGEND_HEIGHT + block * len(rows)
    half = width // 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fund-chart-svg" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="img" aria-labelledby="fund-chart-title">',
        f'<title id="fund-chart-title">{title}</title>',
        # the legend: a swatch and its word each, so colour is never the only cue
        f'<rect x="1" y="6" width="18" height="18" fill="{ALLOCATED_FILL}" stroke="{ALLOCATED_STROKE}"'
        ' stroke-width="2"/>',
        f'<text x="26" y="21" font-size="{VALUE_SIZE}" fill="{INK}">{allocated_word}</text>',
        f'<rect x="{half + 1}" y="6" width="18" height="18" fill="{SPENT_FILL}"/>',
        f'<text x="{half + 26}" y="21" font-size="{VALUE_SIZE}" fill="{INK}">{spent_word}</text>',
    ]
    for index, (project_title, allocated, spent) in enumerate(rows):
        top = LEGEND_HEIGHT + index * block
        bar_top = top + 26
        allocated_w = bar_length(allocated, scale, width - 2)
        spent_w = bar_length(spent, scale, width - 2)
        if spent <= allocated:
            spent_w = min(spent_w, allocated_w)  # the rounding minimum never pokes out of the allocation
        values = f"{allocated_word} {escape(format_yuan(allocated))} · {spent_word} {escape(format_yuan(spent))}"
        parts.append("<g>")
        parts.append(f"<title>{escape(project_title)}</title>")
        parts.append(
            f'<text x="0" y="{top + 19}" font-size="{TITLE_SIZE}" font-weight="700" fill="{INK}">'
            f"{escape(fit_text(project_title, width, TITLE_SIZE))}</text>"
        )
        parts.append(
            f'<rect x="1" y="{bar_top}" width="{tenths(allocated_w)}" height="{bar_height}" rx="3"'
            f' fill="{ALLOCATED_FILL}" stroke="{ALLOCATED_STROKE}" stroke-width="2"/>'
        )
        if spent:
            parts.append(
                f'<rect x="1" y="{bar_top}" width="{tenths(spent_w)}" height="{bar_height}" rx="3"'
                f' fill="{SPENT_FILL}"/>'
            )
        parts.append(
            f'<text x="0" y="{bar_top + bar_height + 8 + VALUE_SIZE}" font-size="{VALUE_SIZE}" fill="{INK_SOFT}">'
            f"{values}</text>"
        )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


# -- the ledger as rows, CSV and XLSX ------------------------------------------------------------------

LEDGER_COLUMNS = ("date", "project", "kind", "amount", "note", "recorded_by")


@dataclass(frozen=True)
class LedgerRow:
    """One ledger entry in plain values: the local time, words instead of ids, the amount in fen."""

    at: datetime  # Asia/Shanghai
    project: str
    kind: str  # an EntryKind value
    amount_fen: int
    note: str
    recorded_by: str
    project_id: int | None = None
    receipt_photo_id: int | None = None


def ledger_rows(entries: Iterable, *, titles: Mapping[int, str], names: Mapping[int, str]) -> list[LedgerRow]:
    """Ledger entries (anything with created_at, project_id, kind, amount_fen, note, actor_id and
    receipt_photo_id) as rows, oldest first, with project titles and the recorders' names looked up."""
    rows = [
        LedgerRow(
            at=local_time(entry.created_at),
            project=titles.get(entry.project_id, ""),
            kind=getattr(entry.kind, "value", entry.kind),
            amount_fen=entry.amount_fen,
            note=entry.note or "",
            recorded_by=names.get(entry.actor_id, "") if entry.actor_id is not None else "",
            project_id=entry.project_id,
            receipt_photo_id=entry.receipt_photo_id,
        )
        for entry in entries
    ]
    return sorted(rows, key=lambda row: row.at)


def ledger_csv(rows: Iterable[LedgerRow], *, headers: Mapping[str, str], kinds: Mapping[str, str]) -> bytes:
    """The ledger as CSV in UTF-8 with a BOM (so Excel reads Chinese), amounts as '1234.50'."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(headers[column]) for column in LEDGER_COLUMNS])
    for row in rows:
        writer.writerow(
            [
                row.at.strftime("%Y-%m-%d %H:%M"),
                spreadsheet_text(row.project),
                str(kinds.get(row.kind, row.kind)),
                yuan_decimal(row.amount_fen),
                spreadsheet_text(row.note),
                spreadsheet_text(row.recorded_by),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


YUAN_FORMAT = "¥#,##0.00"
DATE_FORMAT = "yyyy-mm-dd hh:mm"
_COLUMN_WIDTHS = {"date": 18, "project": 30, "kind": 12, "amount": 16, "note": 40, "recorded_by": 14}


def ledger_xlsx(
    rows: Iterable[LedgerRow], *, headers: Mapping[str, str], kinds: Mapping[str, str], sheet_title: str = "Ledger"
) -> bytes:
    """The ledger as an Excel workbook: dates as dates, amounts as numbers formatted '¥#,##0.00'."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(ch for ch in str(sheet_title) if ch not in "[]:*?/\\")[:31] or "Ledger"
    sheet.append([str(headers[column]) for column in LEDGER_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                row.at.replace(tzinfo=None),  # Excel has no time zones: the Shanghai wall-clock time
                row.project,
                str(kinds.get(row.kind, row.kind)),
                Decimal(row.amount_fen) / 100,
                row.note,
                row.recorded_by,
            ]
        )
        cells = sheet[sheet.max_row]
        cells[0].number_format = DATE_FORMAT
        cells[3].number_format = YUAN_FORMAT
        for cell in (cells[1], cells[4], cells[5]):
            cell.data_type = "s"  # text, never a formula, whatever it starts with
    for index, column in enumerate(LEDGER_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _COLUMN_WIDTHS[column]
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
