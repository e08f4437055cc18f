"""A dashboard as the page and the exports show it: rows (communities, streets, the total), each figure's
values written out, its two charts (side by side, over time) and the export table. Nothing here queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.core.clock import local_today, local_zone
from app.core.money import format_yuan
from app.dashboards.period import BY_YEAR, Period
from app.dashboards.registry import (
    ALL,
    COUNT,
    DAYS,
    FEN,
    FEN_PER,
    SHARE,
    Detail,
    Figure,
    Scope,
    Value,
    community_unit,
    street_unit,
)
from app.voting.results import Bar, bar_chart_svg

DAY = 86400


@dataclass
class Row:
    unit: str
    name: str
    url: str | None  # that unit's own dashboard, same period
    community: object | None = None  # for a community's row: the lists behind its figures
    total: bool = False
    nested: bool = False  # a community under its street (district's dashboard)
    _html: tuple[str, str] | None = None

    def html(self) -> tuple[str, str]:
        """Its name escaped, and the start of its table row (the same in every figure's table: written once)."""
        if self._html is None:
            name = str(escape(self.name))
            start = '<tr class="dashboard-total">' if self.total else "<tr>"
            start += '<th scope="row" class="dashboard-nested">' if self.nested else '<th scope="row">'
            start += f'<a href="{escape(self.url)}">{name}</a></th>' if self.url else f"{name}</th>"
            self._html = (name, start)
        return self._html


def rows(scope: Scope, period: Period, communities: bool = True) -> list[Row]:
    """The table's rows. A district's page passes communities=False: its streets and the total only (each street's
    row links to that street's dashboard, where its communities are); its exports and report keep every row."""
    args = period.query_args()
    found: list[Row] = []

    def community_row(c, nested=False):
        url = url_for("dashboards.community", slug=c.slug, **args)
        return Row(community_unit(c.id), c.name, url, community=c, nested=nested)

    if scope.by_streets:
        for street in scope.streets:
            found.append(
                Row(street_unit(street.id), street.name, url_for("dashboards.street", street_id=street.id, **args))
            )
            if communities:
                found += [community_row(c, nested=True) for c in scope.communities if c.street_id == street.id]
    else:
        found += [community_row(c) for c in scope.communities]
    if scope.level != "community":
        found.append(Row(ALL, _("Total"), None, total=True))
    return found


DETAIL_ROWS = 20  # a district's page lists this many of a detail's rows; its streets' pages list them all


def shown_detail(detail: Detail, scope: Scope) -> Detail:
    """A detail as the page lists it: on a district's page its first DETAIL_ROWS rows (the rest are on each
    street's dashboard), its title saying how many there are."""
    if not scope.by_streets or len(detail.rows) <= DETAIL_ROWS:
        return detail
    title = _(
        "%(title)s (the first %(shown)s of %(count)s: each street's dashboard lists all of its own)",
        title=detail.title,
        shown=DETAIL_ROWS,
        count=len(detail.rows),
    )
    return Detail(title, detail.headers, detail.rows[:DETAIL_ROWS])


def as_of(when) -> str:
    """When the figures were counted, in local time: 'HH:MM' today, else 'YYYY-MM-DD HH:MM'."""
    local = when.astimezone(local_zone())
    if local.date() == local_today():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def tenths(num: int, den: int) -> int:
    """num / den in tenths, rounded half up."""
    return (num * 20 + den) // (den * 2)


def text(figure: Figure, value: Value | None) -> str:
    """A value as written in the table: 12 · ¥1,234.50 · 12.5% · 3.5 天."""
    if value is None:
        return "—" if figure.kind in (SHARE, DAYS, FEN_PER) else ("0" if figure.kind == COUNT else format_yuan(0))
    if figure.kind == COUNT:
        return str(value.num)
    if figure.kind == FEN:
        return format_yuan(value.num)
    if not value.den:
        return "—"
    if figure.kind == SHARE:
        t = tenths(value.num * 100, value.den)
        return f"{t // 10}.{t % 10}%"
    if figure.kind == DAYS:
        t = tenths(value.num, value.den * DAY)
        return _("%(days)s days", days=f"{t // 10}.{t % 10}")
    return format_yuan((value.num * 2 + value.den) // (value.den * 2))  # FEN_PER


def magnitude(figure: Figure, value: Value | None) -> int:
    """What a bar's length is proportional to."""
    if value is None:
        return 0
    if figure.kind in (COUNT, FEN):
        return value.num
    if not value.den:
        return 0
    scale = {SHARE: 1000, DAYS: 10, FEN_PER: 1}[figure.kind]
    return tenths(value.num * scale, value.den * (DAY if figure.kind == DAYS else 1) * 10)


def export_value(figure: Figure, value: Value | None):
    """A cell of the CSV or XLSX: counts as numbers, the rest as written on the page."""
    if figure.kind == COUNT:
        return value.num if value is not None else 0
    return text(figure, value)


def shown_buckets(figure: Figure, period: Period) -> list[str]:
    """The columns over time a figure has (a yearly budget has none by month)."""
    return [] if figure.yearly and period.by != BY_YEAR else period.buckets()


@dataclass
class FigureView:
    figure: Figure
    buckets: list[str]
    table: list[tuple[Row, list[str], str, str | None]]  # row, values per bucket, period value, its list's url
    side_by_side: Markup | None
    over_time: Markup | None
    side_bars: list[Bar] = field(default_factory=list)  # the bars drawn: the yearly report's Word file redraws them
    time_bars: list[Bar] = field(default_factory=list)

    @property
    def body(self) -> Markup:
        """The table's rows as HTML: a district's page has some hundred thousand cells, written here in one pass
        (the template wrote them at a third of the page's time). Every text is escaped."""
        safe: dict[str, str] = {}

        def e(text: str) -> str:  # a handful of distinct values among thousands of cells: each escaped once
            found = safe.get(text)
            if found is None:
                found = safe[text] = str(escape(text))
            return found

        parts = []
        for row, values, whole, link in self.table:
            name, head = row.html()
            parts.append(head)
            parts.extend([f'<td class="num">{e(v)}</td>' for v in values])
            if link:
                parts.append(
                    f'<td class="num"><a href="{e(link)}">{e(whole)}'
                    f'<span class="visually-hidden"> · {name}</span></a></td></tr>'
                )
            else:
                parts.append(f'<td class="num">{e(whole)}</td></tr>')
        return Markup("".join(parts))


SLUG = "0slug0"  # stands for a community's slug in a link built once per figure


@dataclass(frozen=True)
class _AnyCommunity:
    """A community as a figure's link sees it when the link is built once for all: only its slug, a placeholder."""

    slug: str = SLUG


def links(figure: Figure, table_rows: list[Row], period: Period) -> dict[str, str | None]:
    """The list behind the figure for each community row. The link is built once with a placeholder slug and
    filled in per community (a district's page has a hundred communities and thirty-odd figures: building each
    URL apart was a third of the page's time); a link that reads more than the slug is built per community."""
    found: dict[str, str | None] = {}
    communities = [r for r in table_rows if r.community is not None]
    if figure.link is None or not communities:
        return found
    try:
        pattern = figure.link(_AnyCommunity(), period)
    except AttributeError:
        pattern = None
    for row in communities:
        slug = row.community.slug
        if pattern is not None and SLUG in pattern and slug.isascii() and slug.replace("-", "").isalnum():
            found[row.unit] = pattern.replace(SLUG, slug)
        else:
            found[row.unit] = figure.link(row.community, period)
    return found


def figure_view(figure: Figure, table_rows: list[Row], scope: Scope, period: Period, chart_id: str) -> FigureView:
    buckets = shown_buckets(figure, period)
    texts: dict[tuple[int, int] | None, str] = {}

    def written(value: Value | None) -> str:  # the same value is written the same way: once
        key = None if value is None else (value.num, value.den)
        if key not in texts:
            texts[key] = text(figure, value)
        return texts[key]

    urls = links(figure, table_rows, period)
    table = []
    cells = figure.cells
    for row in table_rows:
        values = [written(cells.get((row.unit, b))) for b in buckets]
        table.append((row, values, written(cells.get((row.unit, None))), urls.get(row.unit)))
    compared = [r for r in table_rows if not r.total and (r.nested is False)]
    side, side_bars = None, []
    if len(compared) > 1:
        bars = [
            Bar(r.name, magnitude(figure, figure.value(r.unit, None)), text(figure, figure.value(r.unit, None)))
            for r in compared
        ]
        side_bars = bars
        side = bar_chart_svg(
            bars, title=f"{figure.label} · {period.start_text}—{period.end_text}", chart_id=f"{chart_id}-units"
        )
    total_unit = ALL if scope.level != "community" else table_rows[0].unit
    over, time_bars = None, []
    if buckets:
        bars = [
            Bar(b, magnitude(figure, figure.value(total_unit, b)), text(figure, figure.value(total_unit, b)))
            for b in buckets
        ]
        time_bars = bars
        over = bar_chart_svg(bars, title=f"{figure.label} · {scope.title}", chart_id=f"{chart_id}-time")
    return FigureView(figure, buckets, table, side, over, side_bars, time_bars)


def export_table(scope: Scope, period: Period, built) -> tuple[list[str], list[list[object]], list[tuple]]:
    """The whole dashboard as one table (CSV) and as a sheet per section (XLSX)."""
    buckets = period.buckets()
    headers = [_("Section"), _("Figure"), _("Community or street"), *buckets, _("Whole period")]
    table_rows = rows(scope, period)
    all_rows, sheets = [], []
    for section, data in built:
        sheet_rows = []
        for figure in data.figures:
            shown = set(shown_buckets(figure, period))
            for row in table_rows:
                cells = [export_value(figure, figure.value(row.unit, b)) if b in shown else "" for b in buckets]
                sheet_rows.append(
                    [
                        str(section.title),
                        figure.label,
                        row.name,
                        *cells,
                        export_value(figure, figure.value(row.unit, None)),
                    ]
                )
        all_rows += sheet_rows
        sheets.append((str(section.title), headers, sheet_rows))
    return headers, all_rows, sheets
