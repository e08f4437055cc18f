"""The yearly report as a Word file (A4 landscape, Chinese fonts: the minutes' layout, consultations/docx_layout.py):
a cover, the contents, then per section each figure's table (the page's cells, word for word) and its two charts.

python-docx cannot embed SVG, and no SVG renderer is installed (cairosvg would bring the Cairo C library; Pillow
could draw a PNG but needs a Chinese font file on the server). So a chart is drawn as a table: one row per bar,
its label, a bar of shaded cells (40 steps: 2.5 % each) and the value as text. It prints in black and white,
stays editable and searchable in Word and WPS, and keeps the page's words."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt
from flask_babel import gettext as _

from app.consultations.docx_layout import (
    HEADING_FONT,
    SHADE,
    add_field,
    add_table,
    black,
    clean,
    drop_thumbnail,
    put,
    set_fonts,
    set_up_styles,
)
from app.dashboards.present import FigureView
from app.dashboards.report import Report
from app.voting.results import Bar

PAGE_WIDTH_MM, PAGE_HEIGHT_MM, MARGIN_MM = 297, 210, 20
TEXT_WIDTH_MM = PAGE_WIDTH_MM - 2 * MARGIN_MM  # 257
NAME_MM = 37
STEPS = 40  # a bar's resolution: 40 cells
STEP_MM = 3.0
BAR_INK = "4A5568"  # dark grey: prints in black and white
BAR_TRACK = "EDEDED"
TABLE_PT = 8
CELL_STYLE = CELL_STYLE_ID = "ReportCell"


def build_docx(report: Report, *, generated_at: datetime | None = None) -> bytes:
    generated_at = generated_at or datetime.now(UTC)
    doc = Document()
    drop_thumbnail(doc)
    _set_up_page(doc.sections[0])
    set_up_styles(doc)
    _heading_2(doc)
    _cell_style(doc)
    title = _("%(place)s yearly report %(year)s", place=report.scope.title, year=report.year)
    props = doc.core_properties
    props.title = clean(title)[:255]
    props.author = clean(report.scope.title)[:255]
    props.created = props.modified = generated_at.astimezone(UTC).replace(tzinfo=None)
    props.revision = 1
    _cover(doc, report, title)
    _contents(doc, report)
    for section in report.sections:
        doc.add_heading(f"{section.number}. {clean(section.title)}", level=1)
        if not section.figures:
            doc.add_paragraph(_("No figures in this section."))
        for view in section.figures:
            _figure(doc, view)
        for detail in section.details:
            if detail.rows:
                _detail(doc, detail)
    _footer(doc.sections[0], report)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _set_up_page(section) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
    section.left_margin = section.right_margin = Mm(MARGIN_MM)
    section.header_distance = section.footer_distance = Mm(10)


def _heading_2(doc) -> None:
    style = doc.styles["Heading 2"]
    style.font.size = Pt(12)
    style.font.bold = True
    black(style.font)
    set_fonts(style.element.get_or_add_rPr(), HEADING_FONT)
    style.paragraph_format.space_before = Pt(10)
    style.paragraph_format.keep_with_next = True


def _cover(doc, report: Report, title: str) -> None:
    for _blank in range(4):
        doc.add_paragraph()
    doc.add_paragraph(clean(report.scope.title), style="Title")
    doc.add_paragraph(_("Yearly report %(year)s", year=report.year), style="Title")
    lines = [
        _("Covers %(start)s to %(end)s, by month.", start=report.period.start_text, end=report.period.end_text),
        _("Generated on %(date)s.", date=report.generated_on.isoformat()),
    ]
    if report.partial:
        lines.append(_("The year is not over: the months to come count nothing yet."))
    for line in lines:
        paragraph = doc.add_paragraph(line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _contents(doc, report: Report) -> None:
    doc.add_heading(_("Contents"), level=1)
    for section in report.sections:
        doc.add_paragraph(f"{section.number}. {clean(section.title)}")
        for view in section.figures:
            paragraph = doc.add_paragraph(clean(view.figure.label))
            paragraph.paragraph_format.left_indent = Mm(8)
            paragraph.paragraph_format.space_after = Pt(0)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def figure_headers(view: FigureView) -> list[str]:
    return [_("Community or street"), *view.buckets, _("Whole period")]


def _figure(doc, view: FigureView) -> None:
    doc.add_heading(clean(view.figure.label), level=2)
    headers = figure_headers(view)
    rest = (TEXT_WIDTH_MM - NAME_MM) / (len(headers) - 1)
    table = add_table(doc, len(view.table) + 1, (NAME_MM, *[rest] * (len(headers) - 1)), header=True)
    trs = table._tbl.tr_lst
    for tc, text in zip(trs[0].tc_lst, headers, strict=True):
        _write(tc, text, bold=True, center=True, shade=True)
    for tr, (row, values, whole, _link) in zip(trs[1:], view.table, strict=True):
        tcs = tr.tc_lst
        _write(tcs[0], f"    {row.name}" if row.nested else row.name, bold=row.total)
        for tc, text in zip(tcs[1:], [*values, whole], strict=True):
            _write(tc, text, bold=row.total, center=True)
    for bars, caption in (
        (view.side_bars, _("Side by side: the whole period")),
        (view.time_bars, _("Over time: the total")),
    ):
        if bars:
            paragraph = doc.add_paragraph(caption)
            paragraph.paragraph_format.keep_with_next = True
            paragraph.runs[0].font.size = Pt(9)
            _bars(doc, bars)


def _bars(doc, bars: list[Bar]) -> None:
    """A bar chart as a table: label, a bar of shaded cells (its length in 1/40ths of the longest), the value.

    Written row by row as cells spanning grid columns (python-docx's merge recounts the whole table each time)."""
    widths = (50.0, *[STEP_MM] * STEPS, 45.0)
    table = doc.add_table(rows=0, cols=len(widths))
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    scale = max([1] + [bar.value for bar in bars])
    for bar in bars:
        steps = 0 if bar.value <= 0 else max(1, round(bar.value * STEPS / scale))
        tr = table._tbl.add_tr()
        put(tr.get_or_add_trPr(), "w:cantSplit")
        _span(tr, table, 1, widths[0], text=bar.label)
        for span, fill in ((steps, BAR_INK), (STEPS - steps, BAR_TRACK)):
            if span:
                _span(tr, table, span, span * STEP_MM, fill=fill)
        _span(tr, table, 1, widths[-1], text=bar.text)


def _span(tr, table, span: int, width_mm: float, *, text: str = "", fill: str | None = None) -> None:
    tc = tr.add_tc()
    tc.width = Mm(width_mm)
    if span > 1:
        tc.grid_span = span
    if fill:
        put(tc.get_or_add_tcPr(), "w:shd", val="clear", color="auto", fill=fill)
    _write(tc, text)


def _cell_style(doc) -> None:
    """Table text: small, no space after (one style, rather than each of thousands of cells formatted)."""
    style = doc.styles.add_style(CELL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.font.size = Pt(TABLE_PT)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.line_spacing = 1.1


def _write(tc, text: str, *, bold: bool = False, center: bool = False, shade: bool = False) -> None:
    """A table cell's text in the cell style, written on the XML (python-docx's objects are slow by the thousand)."""
    if shade:
        put(tc.get_or_add_tcPr(), "w:shd", val="clear", color="auto", fill=SHADE)
    paragraph = tc.p_lst[0]
    p_pr = paragraph.get_or_add_pPr()
    p_pr.style = CELL_STYLE_ID
    if center:
        p_pr.jc_val = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        run = paragraph.add_r()
        if bold:
            run.get_or_add_rPr().get_or_add_b()
        run.text = clean(text)


def _detail(doc, detail) -> None:
    doc.add_heading(clean(detail.title), level=2)
    width = TEXT_WIDTH_MM / len(detail.headers)
    table = add_table(doc, len(detail.rows) + 1, tuple([width] * len(detail.headers)), header=True)
    trs = table._tbl.tr_lst
    for tc, text in zip(trs[0].tc_lst, detail.headers, strict=True):
        _write(tc, text, bold=True, shade=True)
    for tr, cells in zip(trs[1:], detail.rows, strict=True):
        for tc, (text, _url) in zip(tr.tc_lst, cells, strict=True):
            _write(tc, text)


def _footer(section, report: Report) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(_("%(place)s yearly report %(year)s", place=clean(report.scope.title), year=report.year) + " · ")
    add_field(paragraph, "PAGE")
    paragraph.add_run(" / ")
    add_field(paragraph, "NUMPAGES")
