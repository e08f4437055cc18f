"""Minutes (会议纪要): the DOCX from build_docx, the file names, and the print page."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from types import SimpleNamespace

import docx
import pytest
from docx.oxml.ns import qn
from flask import Blueprint, render_template

from app.consultations.minutes import (
    DEFAULT_LABELS,
    AttendeeRecord,
    EventRecord,
    MinutesData,
    MotionRecord,
    SpeechRecord,
    build_docx,
    minutes_filename,
)

GENERATED = datetime(2025, 3, 15, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
HIDDEN_REASON = "人身攻击，已由主持人隐藏"


def at(hour: int, minute: int, day: int = 15) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def make_minutes(**changes) -> MinutesData:
    values = {
        "community": "翠竹园社区",
        "title": "关于1栋电动车充电桩安装位置的协商",
        "scope": "1栋",
        "chair": "王志强",
        "rules_name": "南塘议事规则",
        "parties": ("居委会", "业委会", "物业", "居民"),
        "opened_at": at(2, 0),  # 10:00 in Shanghai
        "concluded_at": at(3, 30),
        "attendance": (
            AttendeeRecord("王志强", ("楼栋长", "主持人")),
            AttendeeRecord("张建国", ("业主",)),
            AttendeeRecord("李秀英", ("业主",)),
            AttendeeRecord("赵敏", ("物业",)),
            AttendeeRecord("陈立"),
        ),
        "motions": (
            MotionRecord(
                no=1,
                text="在1栋北侧空地安装8个电动车充电桩，并加装照明。",
                mover="张建国",
                seconder="李秀英",
                state="通过",
                votes_for=13,
                votes_against=3,
                abstentions=1,
                eligible=21,
                quorum_met=True,
                carried=True,
            ),
            MotionRecord(
                no=2,
                text="充电桩建设费用由1栋全体业主按户平均分摊。",
                mover="陈立",
                seconder="赵敏",
                state="未通过",
                votes_for=4,
                votes_against=11,
                abstentions=2,
                eligible=21,
                quorum_met=True,
                carried=False,
            ),
        ),
        "speeches": (
            SpeechRecord(1, at(2, 5), "张建国", "赞成", "北侧空地离配电房近，布线成本低。", motion_no=1),
            SpeechRecord(2, at(2, 8), "李秀英", "反对", "北侧晚上太暗，老人充电不安全。", motion_no=1),
            SpeechRecord(3, at(2, 12), "陈立", None, HIDDEN_REASON, hidden=True, motion_no=1),
            SpeechRecord(4, at(2, 20), "赵敏", "中立", "物业可以负责日常维护和照明。"),
            SpeechRecord(5, at(2, 40), "孙桂兰", "反对", "费用应按使用次数收取。", motion_no=2),
        ),
        "resolutions": ("在1栋北侧空地安装8个电动车充电桩，并加装照明。",),
        "events": (
            EventRecord(at(2, 10), "警告", member="陈立", by="王志强", detail="请勿人身攻击"),
            EventRecord(at(2, 13), "发言已隐藏", member="陈立", by="王志强", detail=HIDDEN_REASON, speech_no=3),
            EventRecord(at(2, 14), "禁言", member="陈立", by="王志强", detail="多次人身攻击", until=at(2, 44)),
            EventRecord(at(2, 30), "规则已修改", by="王志强", detail="每人对同一动议的发言次数：3"),
            EventRecord(at(2, 50), "房间已锁定", by="王志强", detail="准备表决"),
            EventRecord(at(2, 55), "被举报后隐藏", member="孙桂兰", detail="被举报 3 次，已自动隐藏", speech_no=5),
        ),
    }
    values.update(changes)
    return MinutesData(**values)


def open_docx(data: MinutesData) -> docx.document.Document:
    return docx.Document(io.BytesIO(build_docx(data, generated_at=GENERATED)))


def body_paragraphs(document) -> list[str]:
    """Texts of the body's own paragraphs (not those in tables), in order."""
    return [p.text for p in document.paragraphs]


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def after_heading(paragraphs: list[str], heading: str) -> str:
    return paragraphs[paragraphs.index(heading) + 1]


# -- DOCX -------------------------------------------------------------------------------------------------


def test_build_docx_returns_a_zip_package():
    blob = build_docx(make_minutes(), generated_at=GENERATED)
    assert isinstance(blob, bytes)
    assert blob.startswith(b"PK")


def test_title_facts_and_a4_page():
    document = open_docx(make_minutes())
    paragraphs = body_paragraphs(document)
    assert paragraphs[0] == "翠竹园社区 议事协商会议纪要"
    assert document.paragraphs[0].style.name == "Title"

    facts = dict(table_rows(document.tables[0]))
    assert facts == {
        "议题": "关于1栋电动车充电桩安装位置的协商",
        "范围": "1栋",
        "主持人": "王志强",
        "议事规则": "南塘议事规则",
        "参与方": "居委会、业委会、物业、居民",
        "开始时间": "2025-03-15 10:00",
        "结束时间": "2025-03-15 11:30",
    }
    for heading in ("出席", "动议与表决", "发言记录", "决议"):
        assert heading in paragraphs
        assert document.paragraphs[paragraphs.index(heading)].style.name == "Heading 1"

    section = document.sections[0]
    assert round(section.page_width.mm) == 210
    assert round(section.page_height.mm) == 297
    assert section.page_width < section.page_height
    assert 15 <= section.left_margin.mm <= 35 and 15 <= section.top_margin.mm <= 35


def test_attendance_lists_everyone_with_badges_and_the_count():
    paragraphs = body_paragraphs(open_docx(make_minutes()))
    assert after_heading(paragraphs, "出席") == "共 5 人"
    names = paragraphs[paragraphs.index("出席") + 2]
    assert names == "王志强（楼栋长、主持人）、张建国（业主）、李秀英（业主）、赵敏（物业）、陈立"


def test_motion_table_has_the_counts_and_quorum():
    document = open_docx(make_minutes())
    rows = table_rows(document.tables[1])
    assert rows[0] == ["序号", "动议", "动议人", "附议人", "结果", "赞成", "反对", "弃权", "应到", "法定人数"]
    assert rows[1] == [
        "1",
        "在1栋北侧空地安装8个电动车充电桩，并加装照明。",
        "张建国",
        "李秀英",
        "通过",
        "13",
        "3",
        "1",
        "21",
        "已达到",
    ]
    assert rows[2] == [
        "2",
        "充电桩建设费用由1栋全体业主按户平均分摊。",
        "陈立",
        "赵敏",
        "未通过",
        "4",
        "11",
        "2",
        "21",
        "已达到",
    ]
    # The header row repeats on each page; no row breaks across pages.
    header_tr = document.tables[1].rows[0]._tr
    assert header_tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
    assert all(row._tr.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None for row in document.tables[1].rows)


def test_motion_never_voted_on_and_quorum_not_met():
    data = make_minutes(
        motions=(
            MotionRecord(1, "增设快递柜", "张建国", None, "未获附议"),
            MotionRecord(2, "夜间禁止鸣笛", "李秀英", "赵敏", "未通过", 3, 1, 0, 21, quorum_met=False),
        )
    )
    rows = table_rows(open_docx(data).tables[1])
    assert rows[1] == ["1", "增设快递柜", "张建国", "—", "未获附议", "—", "—", "—", "—", "未表决"]
    assert rows[2][5:] == ["3", "1", "0", "21", "未达到"]


def test_speeches_in_order_with_shanghai_times_and_the_hidden_one_marked():
    data = make_minutes()
    paragraphs = body_paragraphs(open_docx(data))
    section = paragraphs[paragraphs.index("发言记录") : paragraphs.index("决议")]
    heads = [p for p in section if re.match(r"\d+\.\s", p)]
    assert [h.split()[0] for h in heads] == ["1.", "2.", "3.", "4.", "5."]
    assert [s.author for s in data.speeches] == ["张建国", "李秀英", "陈立", "赵敏", "孙桂兰"]
    for head, speech in zip(heads, data.speeches, strict=True):
        assert speech.author in head
    # 02:05 UTC is 10:05 in Shanghai; UTC times appear nowhere.
    assert heads[0] == "1.  10:05  张建国 · 赞成 · 动议 1"
    assert heads[3] == "4.  10:20  赵敏 · 中立"
    assert not any("02:05" in p for p in paragraphs)

    bodies = [paragraphs[paragraphs.index(h) + 1] for h in heads]
    assert bodies[0] == "北侧空地离配电房近，布线成本低。"
    assert bodies[2] == f"（已隐藏：{HIDDEN_REASON}）"
    assert bodies[4] == "费用应按使用次数收取。"


def test_hidden_speech_is_italic_and_only_its_reason_is_shown():
    document = open_docx(make_minutes())
    marked = [p for p in document.paragraphs if p.text.startswith("（已隐藏：")]
    assert len(marked) == 1
    assert all(run.italic for run in marked[0].runs)
    assert sum(HIDDEN_REASON in p.text for p in document.paragraphs) == 1


def test_speeches_over_several_days_show_the_date():
    data = make_minutes(
        speeches=(
            SpeechRecord(1, at(2, 5, day=15), "张建国", "赞成", "第一天"),
            SpeechRecord(2, at(1, 0, day=16), "李秀英", "反对", "第二天"),
        )
    )
    paragraphs = body_paragraphs(open_docx(data))
    assert "1.  2025-03-15 10:05  张建国 · 赞成" in paragraphs
    assert "2.  2025-03-16 09:00  李秀英 · 反对" in paragraphs


def test_naive_datetimes_are_taken_as_utc():
    data = make_minutes(opened_at=datetime(2025, 3, 15, 2, 0), concluded_at=None)
    facts = dict(table_rows(open_docx(data).tables[0]))
    assert facts["开始时间"] == "2025-03-15 10:00"
    assert facts["结束时间"] == "—"


def test_resolutions_are_numbered():
    data = make_minutes(resolutions=("安装充电桩", "加装照明"))
    paragraphs = body_paragraphs(open_docx(data))
    start = paragraphs.index("决议")
    assert paragraphs[start + 1 : paragraphs.index("签字")] == ["1.\t安装充电桩", "2.\t加装照明"]


def test_chinese_fonts_are_set_on_the_styles():
    document = open_docx(make_minutes())
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    fonts = normal.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override the explicit one
    assert normal.element.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    for name in ("Title", "Heading 1"):
        assert document.styles[name].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
        assert document.styles[name].element.rPr.rFonts.get(qn("w:asciiTheme")) is None
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.rFonts.get(qn("w:eastAsia")) == "宋体"


def test_footer_has_a_page_number_field_and_the_generation_time():
    document = open_docx(make_minutes())
    footer = document.sections[0].footer
    xml = footer._element.xml
    assert "PAGE" in "".join(t.text for t in footer._element.iter(qn("w:instrText")))
    assert [f.get(qn("w:fldCharType")) for f in footer._element.iter(qn("w:fldChar"))] == [
        "begin",
        "separate",
        "end",
    ]
    texts = [p.text for p in footer.paragraphs]
    assert texts[0] == "第 1 页"  # the cached field result; Word fills in the real number
    assert texts[1] == "本纪要生成于 2025-03-15 12:00"
    assert "第 " in xml


def test_core_properties_and_no_thumbnail():
    blob = build_docx(make_minutes(), generated_at=GENERATED)
    document = docx.Document(io.BytesIO(blob))
    props = document.core_properties
    assert props.title == "翠竹园社区 议事协商会议纪要"
    assert props.subject == "关于1栋电动车充电桩安装位置的协商"
    assert props.created == GENERATED
    assert props.comments == ""
    assert b"thumbnail" not in blob


def test_empty_minutes_still_build_and_say_none():
    data = make_minutes(
        attendance=(), motions=(), speeches=(), resolutions=(), events=(), parties=(), concluded_at=None
    )
    document = open_docx(data)
    paragraphs = body_paragraphs(document)
    for heading in ("出席", "动议与表决", "发言记录", "秩序维护与规则变更", "决议"):
        assert after_heading(paragraphs, heading) == "无"
    assert paragraphs[-2:] == [
        "主持人签字：" + "_" * 22 + "    日期：" + "_" * 14,
        "记录人签字：" + "_" * 22 + "    日期：" + "_" * 14,
    ]
    assert len(document.tables) == 1  # the facts only
    facts = dict(table_rows(document.tables[0]))
    assert facts["参与方"] == "无"


def test_user_text_is_plain_text():
    data = make_minutes(
        title="<b>标题</b> & {community}",
        speeches=(SpeechRecord(1, at(2, 5), "张建国\x07", "赞成", "第一行\r\n第二行\x00 <i>不是斜体</i>"),),
    )
    document = open_docx(data)
    paragraphs = body_paragraphs(document)
    assert dict(table_rows(document.tables[0]))["议题"] == "<b>标题</b> & {community}"
    head = next(p for p in paragraphs if p.startswith("1."))
    assert head == "1.  10:05  张建国 · 赞成"
    body = document.paragraphs[paragraphs.index(head) + 1]
    assert body.text == "第一行\n第二行 <i>不是斜体</i>"
    assert not any(run.italic for run in body.runs)


def test_labels_can_be_english_and_missing_ones_fall_back_to_chinese():
    labels = {
        "title": "{community}: consultation minutes",
        "attendance": "Attendance",
        "motions": "Motions and votes",
        "hidden_speech": "(Hidden: {reason})",
        "page": "Page {page} of {pages}",
        "list_separator": ", ",
        "badges": " ({badges})",
    }
    document = open_docx(make_minutes(labels=labels))
    paragraphs = body_paragraphs(document)
    assert paragraphs[0] == "翠竹园社区: consultation minutes"
    assert "Attendance" in paragraphs and "Motions and votes" in paragraphs
    assert "发言记录" in paragraphs  # not given: the Chinese default
    assert f"(Hidden: {HIDDEN_REASON})" in paragraphs
    assert paragraphs[paragraphs.index("Attendance") + 2].startswith("王志强 (楼栋长, 主持人), 张建国 (业主)")
    instructions = [t.text.strip() for t in document.sections[0].footer._element.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]


def test_default_labels_cover_every_heading():
    for key in ("title", "topic", "attendance", "motions", "speeches", "resolutions", "none", "page"):
        assert DEFAULT_LABELS[key]


def test_same_input_same_document_xml():
    first = docx.Document(io.BytesIO(build_docx(make_minutes(), generated_at=GENERATED)))
    second = docx.Document(io.BytesIO(build_docx(make_minutes(), generated_at=GENERATED)))
    assert first.element.xml == second.element.xml


def test_minutes_filename():
    ascii_name, utf8_name = minutes_filename(make_minutes())
    assert ascii_name == "minutes-20250315"  # 11:30 in Shanghai, the concluding day
    assert utf8_name == "关于1栋电动车充电桩安装位置的协商-会议纪要"
    assert ascii_name.isascii()

    late = make_minutes(concluded_at=datetime(2025, 3, 15, 17, 0, tzinfo=UTC))  # 01:00 on the 16th in Shanghai
    assert minutes_filename(late)[0] == "minutes-20250316"

    odd = make_minutes(title='a/b:c*"d"?<e>|  ', opened_at=None, concluded_at=None)
    assert minutes_filename(odd) == ("minutes", "a b c d e-会议纪要")


# -- the print page ---------------------------------------------------------------------------------------


@pytest.fixture
def page(app):
    """Render templates/consultations/minutes.html, with a stand-in download route until the real one exists."""
    if "consultations.minutes_docx" not in app.view_functions:
        if "consultations" in app.blueprints:  # the real blueprint, still without this route
            app.add_url_rule(
                "/test-only/consultations/<int:consultation_id>/minutes.docx",
                endpoint="consultations.minutes_docx",
                view_func=lambda consultation_id: "",
            )
        else:
            stand_in = Blueprint("consultations", __name__)
            stand_in.add_url_rule(
                "/test-only/consultations/<int:consultation_id>/minutes.docx",
                endpoint="minutes_docx",
                view_func=lambda consultation_id: "",
            )
            app.register_blueprint(stand_in)

    def render(data: MinutesData) -> str:
        with app.test_request_context("/", headers={"Accept-Language": "en"}):
            return render_template(
                "consultations/minutes.html",
                minutes=data,
                consultation=SimpleNamespace(id=7),
                community=SimpleNamespace(name="翠竹园社区", slug="cuizhuyuan"),
            )

    return render


def test_page_shows_every_section_and_the_download_link(app, page):
    html = page(make_minutes())
    with app.test_request_context():
        from flask import url_for

        href = url_for("consultations.minutes_docx", consultation_id=7)
        stylesheet = url_for("static", filename="css/minutes.css")  # fingerprinted
    assert f'href="{href}"' in html
    assert "Download Word file (.docx)" in html
    assert f'href="{stylesheet}"' in html
    for text in ("Attendance", "Motions and votes", "Speeches", "Resolutions", "翠竹园社区 consultation minutes"):
        assert text in html
    for text in ("关于1栋电动车充电桩安装位置的协商", "南塘议事规则", "居委会, 业委会, 物业, 居民", "2025-03-15 10:00"):
        assert text in html
    assert '<span class="badge">楼栋长</span>' in html
    assert "5 people" in html


def test_page_lists_speeches_in_order_with_the_hidden_reason(page):
    data = make_minutes()
    html = page(data)
    speeches = html[html.index('id="minutes-speeches"') : html.index('id="minutes-events"')]
    positions = [speeches.index(f'<strong class="speech-author">{s.author}</strong>') for s in data.speeches]
    assert positions == sorted(positions)
    assert '<time datetime="2025-03-15T02:05:00+00:00">10:05</time>' in speeches
    assert f"(Hidden: {HIDDEN_REASON})" in speeches
    assert speeches.count(HIDDEN_REASON) == 1


def test_page_counts_and_empty_sections(page):
    html = page(make_minutes())
    motions = html[html.index('id="minutes-motions"') : html.index('id="minutes-speeches"')]
    cells = re.findall(r'<td class="num" data-label="[^"]+">(\d+)</td>', motions)
    assert cells == ["1", "13", "3", "1", "21", "2", "4", "11", "2", "21"]
    assert "Met" in motions

    empty = page(make_minutes(attendance=(), motions=(), speeches=(), resolutions=(), events=()))
    assert empty.count("<p>None</p>") == 5  # attendance, motions, speeches, moderation, resolutions
    assert "<table" not in empty


def test_page_escapes_user_text_and_has_no_inline_style_or_script(page):
    data = make_minutes(
        speeches=(
            SpeechRecord(1, at(2, 5), "张建国", "赞成", '<script>alert("x")</script>'),
            SpeechRecord(2, at(2, 6), "李秀英", None, "<b>理由</b>", hidden=True),
        )
    )
    html = page(data)
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html
    assert "(Hidden: &lt;b&gt;理由&lt;/b&gt;)" in html
    assert not re.search(r"\sstyle\s*=", html, re.IGNORECASE)
    assert "<style" not in html.lower()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html, re.IGNORECASE)
    assert not re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE)


# -- moderation, rule changes and signatures (issue 16) --------------------------------------------------------


def test_docx_lists_moderation_and_rule_changes_in_time_order():
    data = make_minutes()
    document = open_docx(data)
    paragraphs = body_paragraphs(document)
    # after the speeches, before the resolutions
    assert paragraphs.index("发言记录") < paragraphs.index("秩序维护与规则变更") < paragraphs.index("决议")
    (table,) = [t for t in document.tables if t.rows[0].cells[0].text == "时间"]
    rows = table_rows(table)
    assert rows[0] == ["时间", "事项", "对象", "执行人", "理由或内容"]
    assert rows[1:] == [
        ["10:10", "警告", "陈立", "王志强", "请勿人身攻击"],
        ["10:13", "发言已隐藏", "第 3 条发言 陈立", "王志强", HIDDEN_REASON],
        ["10:14", "禁言", "陈立", "王志强", "至 2025-03-15 10:44 多次人身攻击"],
        ["10:30", "规则已修改", "—", "王志强", "每人对同一动议的发言次数：3"],
        ["10:50", "房间已锁定", "—", "王志强", "准备表决"],
        ["10:55", "被举报后隐藏", "第 5 条发言 孙桂兰", "系统自动", "被举报 3 次，已自动隐藏"],
    ]


def test_docx_ends_with_signature_lines_for_the_chair_and_the_recorder():
    paragraphs = body_paragraphs(open_docx(make_minutes()))
    assert paragraphs[paragraphs.index("签字") + 1 :] == [
        "主持人签字：" + "_" * 22 + "    日期：" + "_" * 14,
        "记录人签字：" + "_" * 22 + "    日期：" + "_" * 14,
    ]


def test_docx_events_over_several_days_show_the_date():
    events = (EventRecord(at(2, 10), "警告", member="陈立", by="王志强"), EventRecord(at(2, 10, day=16), "禁言"))
    (table,) = [t for t in open_docx(make_minutes(events=events)).tables if t.rows[0].cells[0].text == "时间"]
    assert [row[0] for row in table_rows(table)[1:]] == ["2025-03-15 10:10", "2025-03-16 10:10"]


def test_page_lists_moderation_in_order_and_ends_with_signature_lines(page):
    data = make_minutes()
    html = page(data)
    events = html[html.index('id="minutes-events"') : html.index('id="minutes-resolutions"')]
    positions = [events.index(f'<strong class="event-action">{e.action}</strong>') for e in data.events]
    assert positions == sorted(positions)
    assert '<a href="#speech-3">Speech 3</a>' in events and "by 王志强" in events and "automatically" in events
    assert "until 2025-03-15 10:44" in events and "每人对同一动议的发言次数：3" in events
    signatures = html[html.index('id="minutes-signatures"') :]
    assert html.index('id="minutes-resolutions"') < html.index('id="minutes-signatures"')
    for label in ("Chair’s signature", "Recorder’s signature"):
        assert f"<dt>{label}</dt><dd></dd><dt>Date</dt><dd></dd>" in signatures
