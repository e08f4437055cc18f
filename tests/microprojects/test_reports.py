"""The fund's chart and ledger exports, as pure functions over plain data."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from app.microprojects import reports
from app.microprojects.models import EntryKind

SVG = "{http://www.w3.org/2000/svg}"
LABELS = {"title": "Allocated and spent, per project, 2027", "allocated": "Allocated", "spent": "Spent"}
ROWS = [("周末儿童阅读角", 4_450_00, 600_50), ("楼道扶手 & 照明", 12_000_00, 0), ("Garden <plot>", 1_00, 1_00)]
HEADERS = {
    "date": "Date",
    "project": "Project",
    "kind": "Kind",
    "amount": "Amount (yuan)",
    "note": "Note",
    "recorded_by": "Recorded by",
}
KINDS = {"allocation": "拨付", "expenditure": "支出"}


def _texts(root) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def _bars(root) -> list[float]:
    return [float(rect.get("width")) for rect in root.iter(f"{SVG}rect") if float(rect.get("y")) > 30]


# -- the chart ----------------------------------------------------------------------------------------


def test_the_chart_is_well_formed_svg_with_titles_and_amounts():
    svg = reports.fund_chart_svg(ROWS, labels=LABELS)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox").startswith("0 0 360 ")
    assert root.get("role") == "img" and root.get("aria-labelledby") == "fund-chart-title"
    texts = _texts(root)
    for title, _allocated, _spent in ROWS:
        assert title in texts  # short titles are shown whole
    values = " ".join(texts)
    for amount in ("¥4,450.00", "¥600.50", "¥12,000.00", "¥0.00", "¥1.00"):
        assert amount in values
    assert "Allocated" in texts and "Spent" in texts  # the legend, in words
    # escaped in the markup, not left raw
    assert "&amp;" in svg and "&lt;plot&gt;" in svg and "<plot>" not in svg


def test_a_script_in_a_title_is_escaped():
    svg = reports.fund_chart_svg([("<script>alert(1)</script>", 100, 0)], labels=LABELS)
    assert "<script" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    root = ET.fromstring(svg)
    assert not list(root.iter(f"{SVG}script"))
    assert "<script>alert(1)</script>" in _texts(root)


def test_labels_are_escaped_too():
    svg = reports.fund_chart_svg(ROWS, labels={**LABELS, "spent": 'Spent "<b>"'})
    ET.fromstring(svg)
    assert "<b>" not in svg


def test_no_style_element_or_attribute():
    svg = reports.fund_chart_svg(ROWS, labels=LABELS)
    root = ET.fromstring(svg)
    assert not list(root.iter(f"{SVG}style"))
    assert all("style" not in node.attrib for node in root.iter())


def test_the_chart_is_deterministic():
    assert reports.fund_chart_svg(ROWS, labels=LABELS) == reports.fund_chart_svg(list(ROWS), labels=dict(LABELS))


def test_bars_are_proportional_and_spending_stays_inside_its_allocation():
    root = ET.fromstring(reports.fund_chart_svg(ROWS, labels=LABELS, width=360))
    bars = _bars(root)
    # project 1: allocation, spent; project 2: allocation only; project 3: allocation, spent
    reading_corner, reading_spent, railings, garden, garden_spent = bars
    assert railings == 358  # the largest allocation fills the width (minus the stroke)
    assert reading_corner == pytest.approx(358 * 4_450 / 12_000, abs=0.1)
    assert reading_spent == pytest.approx(358 * 600.5 / 12_000, abs=0.1)
    assert garden == garden_spent == 2  # tiny amounts still show, and spending never pokes out
    assert all(width <= 358 for width in bars)


def test_a_long_title_is_cut_on_screen_and_kept_whole_in_its_tooltip():
    long_title = "为社区老年人和儿童提供周末阅读空间及志愿者值班服务的综合性项目计划"
    root = ET.fromstring(reports.fund_chart_svg([(long_title, 100, 0)], labels=LABELS))
    shown = [t for t in _texts(root) if t.startswith("为社区")]
    assert len(shown) == 1 and shown[0].endswith("…") and len(shown[0]) < len(long_title)
    assert long_title in ["".join(t.itertext()) for t in root.iter(f"{SVG}title")]


def test_an_empty_chart_is_still_valid():
    root = ET.fromstring(reports.fund_chart_svg([], labels=LABELS))
    assert root.get("viewBox") == "0 0 360 34"


def test_the_height_grows_with_the_rows():
    one = ET.fromstring(reports.fund_chart_svg(ROWS[:1], labels=LABELS, bar_height=28))
    three = ET.fromstring(reports.fund_chart_svg(ROWS, labels=LABELS, bar_height=28))
    assert int(three.get("height")) - 34 == 3 * (int(one.get("height")) - 34)


# -- helpers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fen", "text"), [(0, "0.00"), (5, "0.05"), (123450, "1234.50"), (-150, "-1.50")])
def test_yuan_decimal(fen, text):
    assert reports.yuan_decimal(fen) == text


@pytest.mark.parametrize(
    ("count", "total", "average"), [(0, 0, None), (2, 9, "4.5"), (3, 14, "4.7"), (3, 13, "4.3"), (1, 5, "5.0")]
)
def test_average_stars(count, total, average):
    assert reports.average_stars(count, total) == average


def test_this_year_is_the_year_in_shanghai():
    assert reports.this_year(datetime(2026, 12, 31, 15, 59, tzinfo=UTC)) == 2026
    assert reports.this_year(datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == 2027  # midnight in Shanghai


# -- the ledger ---------------------------------------------------------------------------------------


def _entries():
    return [
        SimpleNamespace(
            created_at=datetime(2027, 3, 2, 1, 30, tzinfo=UTC),
            project_id=7,
            kind=EntryKind.EXPENDITURE,
            amount_fen=600_50,
            note='=HYPERLINK("http://x")',
            actor_id=2,
            receipt_photo_id=9,
        ),
        SimpleNamespace(
            created_at=datetime(2027, 2, 28, 16, 5, tzinfo=UTC),  # 1 March 00:05 in Shanghai
            project_id=7,
            kind=EntryKind.ALLOCATION,
            amount_fen=4_450_00,
            note="周末儿童阅读角",
            actor_id=1,
            receipt_photo_id=None,
        ),
    ]


def _rows():
    return reports.ledger_rows(_entries(), titles={7: "周末儿童阅读角"}, names={1: "社区王老师", 2: "张建国"})


def test_ledger_rows_are_plain_local_and_in_order():
    allocation, expenditure = _rows()
    assert allocation.kind == "allocation" and expenditure.kind == "expenditure"
    assert allocation.at.strftime("%Y-%m-%d %H:%M") == "2027-03-01 00:05"
    assert (allocation.project, allocation.recorded_by, allocation.amount_fen) == (
        "周末儿童阅读角",
        "社区王老师",
        4_450_00,
    )
    assert expenditure.receipt_photo_id == 9


def test_the_csv_has_a_bom_and_exact_amounts():
    data = reports.ledger_csv(_rows(), headers=HEADERS, kinds=KINDS)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines() == [
        "Date,Project,Kind,Amount (yuan),Note,Recorded by",
        "2027-03-01 00:05,周末儿童阅读角,拨付,4450.00,周末儿童阅读角,社区王老师",
        '2027-03-02 09:30,周末儿童阅读角,支出,600.50,"\'=HYPERLINK(""http://x"")",张建国',
    ]


def test_the_xlsx_has_numbers_in_yuan_format():
    data = reports.ledger_xlsx(_rows(), headers=HEADERS, kinds=KINDS, sheet_title="微基金台账")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "微基金台账"
    assert [c.value for c in sheet[1]] == list(HEADERS.values())
    for row, amount in ((2, Decimal("4450.00")), (3, Decimal("600.50"))):
        cell = sheet.cell(row=row, column=4)
        assert isinstance(cell.value, (int, float)) and Decimal(str(cell.value)) == amount
        assert cell.number_format == "¥#,##0.00"
        assert cell.data_type == "n"
    assert sheet["A2"].value == datetime(2027, 3, 1, 0, 5)  # Shanghai wall-clock time
    assert sheet["C2"].value == "拨付"
    assert sheet["E3"].value == '=HYPERLINK("http://x")' and sheet["E3"].data_type == "s"  # text, not a formula
    assert sheet.freeze_panes == "A2"


def test_an_empty_ledger_is_only_the_header():
    assert reports.ledger_csv([], headers=HEADERS, kinds=KINDS).decode("utf-8-sig").splitlines() == [
        "Date,Project,Kind,Amount (yuan),Note,Recorded by"
    ]
    sheet = load_workbook(io.BytesIO(reports.ledger_xlsx([], headers=HEADERS, kinds=KINDS))).active
    assert sheet.max_row == 1
