"""Result notices: a bar chart as server-rendered SVG, and result tables as CSV and XLSX.

Pure rendering over rows the feature prepares (contests per entry and per building, owners'
decisions by area and headcount); nothing here queries.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from app.core.charts import fit_text, spreadsheet_text

BAR_FILL = "#0b5a60"
BAR_TRACK = "#e4eeef"
INK = "#1b1b1b"
INK_SOFT = "#4a4a4a"
# The chart is laid out in the page's text size (em) down and in per cent across: its text is the body's text,
# standard or large (app.css: body.large-text), at any width, never scaled down with the picture.
LABEL_EMS = 14  # labels are cut to 14em: what a 360 px phone holds across in large text (22 px)
BLOCK_EMS = 4.6  # one bar: label, bar, value


def _em(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "em"


def _percent(value: int, scale: int) -> str:
    """`value` out of `scale` in hundredths of a per cent, rounded half up in integers; at least 1% for any
    amount so a small one still shows, none for nothing."""
    if value <= 0:
        return ""
    hundredths = max(100, (value * 10000 * 2 + scale) // (scale * 2))
    whole, part = divmod(hundredths, 100)
    return f"{whole}.{part:02d}".rstrip("0").rstrip(".") + "%"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int  # what the bar's length is proportional to (votes, 0.01 m², heads)
    text: str  # what is written beside it ("123 票 · 45.6%")
    highlight: bool = False  # a winner or the passing side: drawn with a thick outline too


def bar_chart_svg(bars: Sequence[Bar], *, title: str, chart_id: str = "result-chart") -> Markup:
    """Horizontal bars, one per option, label above and value text below: the text at the page's own size (in
    large text too) and the bars as wide as the page, so it reads at 360 px and on paper (a thick outline marks
    highlighted bars, so colour is never the only cue). Deterministic."""
    height = max(BLOCK_EMS * len(bars), 2)
    scale = max([1] + [bar.value for bar in bars])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="result-chart-svg" width="100%" height="{_em(height)}"'
        f' role="img" aria-labelledby="{escape(chart_id)}-title">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
    ]
    for index, bar in enumerate(bars):
        top = index * BLOCK_EMS
        bar_top = top + 1.45
        length = _percent(bar.value, scale)
        stroke = f' stroke="{INK}" stroke-width="3"' if bar.highlight else ""
        parts.append(f"<g><title>{escape(bar.label)}: {escape(bar.text)}</title>")
        parts.append(
            f'<text x="0" y="{_em(top + 1.1)}" font-weight="700" fill="{INK}">'
            f"{escape(fit_text(bar.label, LABEL_EMS, 1))}</text>"
        )
        parts.append(f'<rect x="0" y="{_em(bar_top)}" width="100%" height="1.4em" rx="3" fill="{BAR_TRACK}"/>')
        if length:
            parts.append(
                f'<rect x="0" y="{_em(bar_top)}" width="{length}" height="1.4em" rx="3" fill="{BAR_FILL}"{stroke}/>'
            )
        parts.append(f'<text x="0" y="{_em(bar_top + 2.5)}" fill="{INK_SOFT}">{escape(bar.text)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def table_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """A result table as CSV, UTF-8 with a BOM so Excel reads Chinese; text never runs as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(h) for h in headers])
    for row in rows:
        writer.writerow([value if isinstance(value, int) else spreadsheet_text(value) for value in row])
    return out.getvalue().encode("utf-8-sig")


def table_xlsx(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]]) -> bytes:
    """Result tables as one workbook, a sheet each: (sheet title, headers, rows). Numbers stay numbers
    (ints, Decimals); text is stored as text, never as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet("".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:31] or "Sheet")
        sheet.append([str(h) for h in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(
                [value if isinstance(value, int | float | Decimal) or value is None else str(value) for value in row]
            )
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
