"""The layout of a Chinese A4 Word document, as the minutes use it: page, fonts (宋体 body, 黑体 headings, Chinese
as the East Asian language), styles, fixed-width tables and fields, written so that Word, WPS and LibreOffice
open the file alike. Nothing here knows what the document says (see minutes.py)."""

from __future__ import annotations

import re

from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

BODY_FONT = "宋体"  # SimSun
HEADING_FONT = "黑体"  # SimHei
LATIN_FONT = "Times New Roman"
DASH = "—"

BLACK = RGBColor(0, 0, 0)
GREY = RGBColor(0x55, 0x55, 0x55)
SHADE = "EDEDED"
TEXT_WIDTH_MM = 160  # A4 (210 mm) less 25 mm margins either side

# Characters XML 1.0 cannot hold (lxml refuses them), and other C0/C1 controls that have no business in minutes.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(text: object) -> str:
    """Plain text safe for XML: line ends made \\n, control characters dropped."""
    text = "" if text is None else str(text)
    return _XML_ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


# -- document set-up


def drop_thumbnail(doc) -> None:
    """python-docx's template carries a thumbnail of an empty page; file browsers would show it."""
    rels = doc.part.package.rels
    for r_id, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del rels[r_id]


def set_up_page(section) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(25)
    section.header_distance = section.footer_distance = Mm(12)


# The elements that may follow each element this module adds, in the WordprocessingML schema's order (Word
# rejects a file whose property elements are out of order).
_SUCCESSORS = {
    "w:lang": ("w:eastAsianLayout", "w:specVanish", "w:oMath"),  # in w:rPr
    "w:tblW": (  # in w:tblPr
        "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar",
        "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange",
    ),
    "w:tblCellMar": ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"),  # in w:tblPr
    "w:cantSplit": (  # in w:trPr
        "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange",
    ),
    "w:tblHeader": ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange"),  # in w:trPr
    "w:shd": (  # in w:tcPr
        "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark", "w:headers",
        "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange",
    ),
}  # fmt: skip


def put(parent, tag: str, **attrs: str):
    """Replace or add the child `tag` of `parent`, at its place in the schema's order."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    child = OxmlElement(tag)
    for name, value in attrs.items():
        child.set(qn(f"w:{name}"), value)
    parent.insert_element_before(child, *_SUCCESSORS[tag])
    return child


def set_fonts(rpr, east_asian: str) -> None:
    """Explicit fonts (theme fonts would win over them, so they go) and Chinese as the East Asian language."""
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = put(rpr, "w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def black(font) -> None:
    font.color.rgb = BLACK
    color = font.element.rPr.find(qn("w:color"))
    for theme in ("w:themeColor", "w:themeShade", "w:themeTint"):
        color.attrib.pop(qn(theme), None)


def set_up_styles(doc) -> None:
    styles = doc.styles
    for rpr in styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr"):
        set_fonts(rpr, BODY_FONT)
    settings = doc.settings.element
    for lang in settings.findall(qn("w:themeFontLang")):
        lang.set(qn("w:eastAsia"), "zh-CN")

    normal = styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(12)
    set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.25

    title = styles["Title"]
    for border in title.element.pPr.findall(qn("w:pBdr")):
        title.element.pPr.remove(border)
    for unwanted in (*title.element.rPr.findall(qn("w:spacing")), *title.element.rPr.findall(qn("w:szCs"))):
        title.element.rPr.remove(unwanted)  # letter-spacing, and a complex-script size left from the template
    title.font.name = LATIN_FONT
    title.font.size = Pt(18)
    title.font.bold = True
    black(title.font)
    set_fonts(title.element.rPr, HEADING_FONT)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(0)
    title.paragraph_format.space_after = Pt(14)

    heading = styles["Heading 1"]
    heading.font.name = LATIN_FONT
    heading.font.size = Pt(14)
    heading.font.bold = True
    black(heading.font)
    set_fonts(heading.element.rPr, HEADING_FONT)
    heading.paragraph_format.space_before = Pt(16)
    heading.paragraph_format.space_after = Pt(6)
    heading.paragraph_format.keep_with_next = True

    styles["Footer"].font.size = Pt(9)


# -- tables


def add_table(doc, rows: int, widths_mm: tuple[float, ...], header: bool = False):
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # fixed layout: the widths below hold in Word, WPS and LibreOffice
    tbl_pr = table._tbl.tblPr
    total = sum(int(Mm(w).twips) for w in widths_mm)
    put(tbl_pr, "w:tblW", w=str(total), type="dxa")
    margins = put(tbl_pr, "w:tblCellMar")
    for side, twips in (("top", 40), ("left", 70), ("bottom", 40), ("right", 70)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for index, row in enumerate(table.rows):
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
        tr_pr = row._tr.get_or_add_trPr()
        put(tr_pr, "w:cantSplit")  # a row never breaks across pages
        if header and index == 0:
            put(tr_pr, "w:tblHeader")  # repeated at the top of every page
    return table


def write_cell(cell, text: str, *, size: float, bold: bool = False, shade: bool = False, center: bool = False) -> None:
    if shade:
        put(cell._tc.get_or_add_tcPr(), "w:shd", val="clear", color="auto", fill=SHADE)
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.1
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(clean(text))
    run.font.size = Pt(size)
    run.font.bold = bold or None


def add_field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) as begin / instruction / separate / cached result / end runs."""

    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    char("separate")
    paragraph.add_run("1")
    char("end")
