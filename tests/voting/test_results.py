"""Result rendering: the bar chart and the CSV/XLSX tables."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from app.voting.results import Bar, bar_chart_svg, table_csv, table_xlsx


def test_the_chart_is_deterministic_escaped_and_proportional():
    bars = [
        Bar("加装电梯<script>", 300, "300 票", highlight=True),
        Bar("口袋公园", 150, "150 票"),
        Bar("无", 0, "0 票"),
    ]
    svg = str(bar_chart_svg(bars, title="投票结果"))
    assert svg == str(bar_chart_svg(bars, title="投票结果"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count('width="100%"') == 1 + 3 + 1  # the chart, each bar's track, the longest bar
    assert 'width="100%" height="1.4em" rx="3" fill="#0b5a60"' in svg  # the longest bar fills the track
    assert 'width="50%"' in svg  # half the votes, half the length
    assert 'height="13.8em"' in svg  # laid out in the page's text size: it grows with large text
    assert "font-size" not in svg  # the labels are the page's text, never a fixed size scaled with the picture
    assert svg.count('stroke-width="3"') == 1  # only the highlighted bar is outlined
    assert svg.count("<g>") == 3


def test_a_long_label_is_cut_in_the_chart_and_whole_in_its_title():
    label = "关于小区东门加装无障碍坡道和扶手以及照明的方案"
    svg = str(bar_chart_svg([Bar(label, 1, "1 票"), Bar("小", 1000, "1000 票")], title="t"))
    assert f"<title>{label}: 1 票</title>" in svg and label not in svg.replace(f"<title>{label}", "")
    assert 'width="1%"' in svg  # a small amount still shows


def test_csv_has_a_bom_and_never_a_formula():
    data = table_csv(["方案", "票数"], [["=HYPERLINK(1)", 12], ["口袋公园", 3]])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["方案,票数", "'=HYPERLINK(1),12", "口袋公园,3"]


def test_xlsx_keeps_numbers_as_numbers_and_text_as_text():
    data = table_xlsx(
        [("按方案", ["方案", "票数", "面积"], [["=1+1", 12, Decimal("123.45")]]), ("按楼栋", ["楼栋"], [])]
    )
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["按方案", "按楼栋"]
    row = [c.value for c in book["按方案"][2]]
    assert row[0] == "=1+1" and book["按方案"]["A2"].data_type == "s"
    assert row[1] == 12 and float(row[2]) == 123.45
