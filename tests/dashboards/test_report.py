"""The yearly report: who may read it (per role, allowed and denied), the year refused when absurd, the print
page's cover, contents, charts and figures, and the Word file's tables compared cell by cell with the page's."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from docx import Document

from app.core.clock import local_today


def report_urls(world, year=2026, suffix=""):
    street = world.community.street
    return {
        "district": f"/dashboard/district/{street.district_id}/report/{year}{suffix}",
        "street": f"/dashboard/street/{street.id}/report/{year}{suffix}",
        "far_street": f"/dashboard/street/{world.far.street_id}/report/{year}{suffix}",
        "community": f"/dashboard/community/{world.community.slug}/report/{year}{suffix}",
        "other": f"/dashboard/community/{world.other.slug}/report/{year}{suffix}",
        "far": f"/dashboard/community/{world.far.slug}/report/{year}{suffix}",
    }


ALLOWED = {
    "district_staff": {"district", "street", "far_street", "community", "other", "far"},
    "street_staff": {"street", "community", "other"},
    "staff": {"community"},
    "other_staff": {"other"},
    "resident": set(),
    "leader_a": set(),
    "social_org": set(),
    "expert": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("suffix", ["", ".docx"])
@pytest.mark.parametrize("key", sorted(ALLOWED))
def test_each_role_reads_its_reports_and_no_other(client, auth, history, key, suffix):
    auth.login(history.users[key])
    for page, url in report_urls(history, suffix=suffix).items():
        status = client.get(url).status_code
        assert status == (200 if page in ALLOWED[key] else 404), (key, page, suffix, status)


def test_a_visitor_is_sent_to_log_in(client, history):
    for url in report_urls(history).values():
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("year", [1999, 1066, local_today().year + 1, 99999])
@pytest.mark.parametrize("suffix", ["", ".docx"])
def test_an_absurd_year_is_refused_with_a_message(client, auth, history, year, suffix):
    auth.login(history.users["street_staff"])
    response = client.get(report_urls(history, year, suffix)["street"])
    assert response.status_code == 400
    assert "A yearly report covers one year from 2000 to" in response.get_data(as_text=True)


def test_another_streets_officer_gets_a_404_whatever_the_year(client, auth, history, db):
    from app.communities.models import OfficeRole
    from tests import factories

    officer = factories.user(name="far_officer")
    factories.office(officer, OfficeRole.STREET_STAFF, street_=history.far.street)
    db.session.commit()
    auth.login(officer)
    for year in (2026, 1999):
        for page in ("street", "community", "district"):
            response = client.get(report_urls(history, year)[page])
            assert response.status_code == 404 and "翠竹园" not in response.get_data(as_text=True)
    assert client.get(report_urls(history)["far_street"]).status_code == 200


class Tables(HTMLParser):
    """The report page's figure tables (class report-table), as rows of cell texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._depth = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "table" and "report-table" in classes.split():
            self.tables.append([])
            self._depth = 1
        elif self._depth and tag == "tr":
            self.tables[-1].append([])
        elif self._depth and tag in ("td", "th") and self.tables[-1]:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self._depth:
            self._depth = 0
        elif self._cell is not None and tag in ("td", "th"):
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _page_tables(html: str) -> list[list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def test_the_print_page_has_a_cover_contents_charts_and_the_figures(client, auth, history):
    auth.login(history.users["street_staff"])
    response = client.get(report_urls(history)["street"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "梅山街道" in html and "Yearly report 2026" in html
    assert "Generated on <time" in html and local_today().isoformat() in html
    assert 'href="#section-deliberation"' in html and 'id="section-deliberation"' in html
    assert html.count("<svg") >= 20  # each figure's charts, inline
    assert "css/report." in html
    tables = _page_tables(html)
    opened = tables[_index(html, "consultations_opened")]
    assert opened[0] == ["Community or street", *[f"2026-{m:02d}" for m in range(1, 13)], "Whole period"]
    cuizhuyuan = next(row for row in opened if row[0] == "翠竹园社区")
    assert cuizhuyuan[1:] == ["0", "0", "2", *["0"] * 9, "2"]  # two consultations opened in March
    assert opened[-1][0] == "Total" and opened[-1][-1] == "2"


def _index(html: str, key: str) -> int:
    """The position of a figure's table among the page's report tables."""
    import re

    keys = re.findall(r'class="table report-table" data-figure="([a-z_]+)"', html)
    return keys.index(key)


def test_the_word_file_holds_the_pages_tables_and_the_charts(client, auth, history):
    auth.login(history.users["district_staff"])
    urls = report_urls(history)
    html = client.get(urls["district"]).get_data(as_text=True)
    response = client.get(urls["district"] + ".docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "district-report-2026.docx" in response.headers["Content-Disposition"]
    doc = Document(io.BytesIO(response.get_data()))
    texts = [p.text for p in doc.paragraphs]
    assert "雨花台区" in texts and "Yearly report 2026" in texts and "Contents" in texts
    assert any(t.startswith("Generated on ") and local_today().isoformat() in t for t in texts)

    figure_tables = [
        [[cell.text.strip() for cell in row.cells] for row in table.rows]
        for table in doc.tables
        if table.rows[0].cells[0].text == "Community or street"
    ]
    page_tables = _page_tables(html)
    assert len(page_tables) >= 30 and figure_tables == page_tables
    opened = page_tables[_index(html, "consultations_opened")]
    assert ["梅山街道", "0", "0", "2", *["0"] * 9, "2"] in opened  # the street's row on the district's report

    # the charts: after a figure's table, its bars side by side (the streets), then over time (the district)
    at = [i for i, t in enumerate(doc.tables) if t.rows[0].cells[0].text == "Community or street"]
    position = at[_index(html, "consultations_opened")]
    side, over = doc.tables[position + 1], doc.tables[position + 2]
    assert len(side.columns) == len(over.columns) == 42
    assert [_bar(row) for row in side.rows] == [("梅山街道", 40, "2"), ("雨花街道", 20, "1")]
    assert [_bar(row) for row in over.rows][1:4] == [("2026-02", 0, "0"), ("2026-03", 40, "3"), ("2026-04", 0, "0")]


def _bar(row) -> tuple[str, int, str]:
    """(label, cells shaded dark, value) of a chart's row: a merged cell spans its columns."""
    cells = row.cells[1:-1]
    shaded = sum(1 for c in cells if 'w:fill="4A5568"' in c._tc.xml)
    return row.cells[0].text, shaded, row.cells[-1].text


def test_the_community_report_has_no_side_by_side_chart(client, auth, history):
    auth.login(history.users["staff"])
    response = client.get(report_urls(history)["community"] + ".docx")
    doc = Document(io.BytesIO(response.get_data()))
    texts = [p.text for p in doc.paragraphs]
    assert "Side by side: the whole period" not in texts and "Over time: the total" in texts


def test_the_dashboard_links_to_the_reports_and_the_open_data(client, auth, history):
    auth.login(history.users["street_staff"])
    street_id = history.community.street_id
    html = client.get(f"/dashboard/street/{street_id}").get_data(as_text=True)
    year = local_today().year
    assert f'href="/dashboard/street/{street_id}/report/{year}"' in html
    assert f'href="/dashboard/street/{street_id}/report/{year - 2}"' in html
    assert f"/dashboard/street/{street_id}/open-data.zip?start=" in html
