"""Open data (开放数据): the dashboards' figures per community per month (or year) as one CSV, with a data
dictionary (each column's name, type, unit and meaning in Chinese and English), zipped together.

Only aggregates: no name, phone or row per person; communities, streets and districts are named (places, not
people). Small counts are suppressed so a figure cannot point at a household:

- a count from 1 to 4 is written "<5" (0 is written 0: nobody is identified by nothing);
- a share of counted things (households taking part, turnout, the response rate) is written "<5" when the
  things counted, or those not counted (the denominator less the numerator), number 1 to 4;
- a satisfaction score of a kind of subject (organisations, micro-projects, service projects) is written "<5"
  unless the responses about subjects of that very kind, in that community and month (or year), number 5 or
  more (the responses to the other kinds say nothing about how few answered this one);
- by month, when one month of a community's count in a year is suppressed, the smallest other month with
  something counted is withheld too, written "*", so the yearly file cannot give the suppressed one away.

Money (fund budgets, allocations, spending, service contracts and payments: all published in 公示) and days to
conclude or decide (the pace of a procedure, not of a person) are not suppressed."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.communities.models import Community
from app.dashboards import sql
from app.dashboards.period import Period
from app.dashboards.present import DAY, tenths
from app.dashboards.registry import COUNT, DAYS, FEN, FEN_PER, SHARE, Figure, Scope, Value, community_unit, sections
from app.extensions import db
from app.satisfaction.models import Campaign, CampaignState, CampaignSubject
from app.surveys.models import SurveyParticipation
from app.voting.results import table_csv

MIN_COUNT = 5
FEW = "<5"
WITHHELD = "*"
LANGUAGES = ("zh_CN", "en")
SCORE_KINDS = {  # a mean score, shown only where the responses about its kind of subject reach MIN_COUNT
    "score_organisation": "organisation",
    "score_project": "project",
    "score_service_project": "service_project",
}


@dataclass
class Column:
    name: str
    type: str  # integer, decimal, text
    unit: dict[str, str]  # per language
    meaning: dict[str, str]  # per language


def _few(n: int) -> bool:
    return 0 < n < MIN_COUNT


def _kind_words(kind: str) -> tuple[str, str, str]:
    """(type, unit, how the value is counted) of a figure's kind, in the current language."""
    return {
        COUNT: ("integer", _("count"), _("the number in the month (or year); 1 to 4 written <5")),
        FEN: ("integer", _("fen (0.01 yuan)"), _("the sum in the month (or year), in fen")),
        SHARE: ("decimal", _("percent"), _("a percentage with one decimal; blank when there is nothing to divide by")),
        DAYS: ("decimal", _("days"), _("days with one decimal; blank when nothing was concluded or decided")),
        FEN_PER: ("integer", _("fen per household"), _("fen per household on the roster, rounded half up")),
    }[kind]


def _fixed_columns() -> list[tuple[str, str, object]]:
    return [
        ("district", "text", lambda: (_("name"), _("The district (区)."))),
        ("street", "text", lambda: (_("name"), _("The street (街道)."))),
        ("community", "text", lambda: (_("name"), _("The community (社区)."))),
        ("community_code", "text", lambda: (_("code"), _("The community's short name in Yishi's addresses."))),
        ("period", "text", lambda: (_("month or year"), _("The month (YYYY-MM) or year (YYYY), Beijing time."))),
        (
            "households",
            "integer",
            lambda: (_("households"), _("Households on the community's roster today; 1 to 4 written <5.")),
        ),
    ]


def column_names(figures: list[Figure]) -> list[str]:
    """The figures file's header: the fixed columns, then one per figure, named by its key. A name used twice
    (two sections' figures of one key, or a figure named like a fixed column) would put two things under one
    heading and merge them in the dictionary: refused, naming it, so the file is never published so."""
    names = [name for name, _t, _w in _fixed_columns()] + [f.key for f in figures]
    seen: set[str] = set()
    repeated = sorted({name for name in names if name in seen or seen.add(name)})
    if repeated:
        raise ValueError(f"open data: more than one column named {', '.join(repeated)}")
    return names


def _empty_scope() -> Scope:
    """A scope of one community that does not exist: the sections' figures without a row of data."""
    return Scope("community", "", [Community(id=0, street_id=0, name="", slug="")])


def dictionary() -> list[Column]:
    """Every column of the figures file, described in each language (the sections' own labels)."""
    columns: dict[str, Column] = {}
    for language in LANGUAGES:
        with force_locale(language):
            for name, type_, words in _fixed_columns():
                unit, meaning = words()
                column = columns.setdefault(name, Column(name, type_, {}, {}))
                column.unit[language], column.meaning[language] = unit, meaning
            scope = _empty_scope()
            built = [(section, section.build(scope, Period((2000, 1), (2000, 1)))) for section in sections()]
            column_names([f for _section, data in built for f in data.figures])
            for section, data in built:
                for figure in data.figures:
                    type_, unit, how = _kind_words(figure.kind)
                    column = columns.setdefault(figure.key, Column(figure.key, type_, {}, {}))
                    column.unit[language] = unit
                    column.meaning[language] = f"{section.title} · {figure.label}: {how}"
    return list(columns.values())


def dictionary_table() -> tuple[list[str], list[list[str]]]:
    headers = ["column", "type", "unit_zh", "unit_en", "meaning_zh", "meaning_en"]
    rows = [[c.name, c.type, c.unit["zh_CN"], c.unit["en"], c.meaning["zh_CN"], c.meaning["en"]] for c in dictionary()]
    return headers, rows


def _value(figure: Figure, value: Value | None, rests_on: Value | None) -> object:
    """A cell as published: a number, blank, or "<5"."""
    if figure.kind == COUNT:
        n = value.num if value is not None else 0
        return FEW if _few(n) else n
    if figure.kind == FEN:
        return value.num if value is not None else 0
    if value is None or not value.den:
        return ""
    if figure.kind == SHARE:
        if figure.key in SCORE_KINDS:
            if rests_on is None or rests_on.num < MIN_COUNT:
                return FEW
        elif _few(value.num) or _few(value.den - value.num):
            return FEW
        t = tenths(value.num * 100, value.den)
        return f"{t // 10}.{t % 10}"
    if figure.kind == DAYS:
        t = tenths(value.num, value.den * DAY)
        return f"{t // 10}.{t % 10}"
    return (value.num * 2 + value.den) // (value.den * 2)  # FEN_PER


def _withhold_second(cells: list[object], buckets: list[str]) -> None:
    """By month: where one month of a year is "<5", withhold the smallest other month counted that year."""
    years: dict[str, list[int]] = {}
    for index, bucket in enumerate(buckets):
        years.setdefault(bucket[:4], []).append(index)
    for indexes in years.values():
        if len(indexes) < 2 or sum(cells[i] == FEW for i in indexes) != 1:
            continue
        others = [i for i in indexes if isinstance(cells[i], int) and cells[i] > 0]
        if others:
            cells[min(others, key=lambda i: cells[i])] = WITHHELD


def responses_by_kind(scope: Scope, period: Period) -> dict[tuple[int, str, str], int]:
    """Satisfaction responses per (community, month or year, kind of subject), counted as the satisfaction
    section counts its responses (participations in the surveys of the subjects of closed campaigns, in the
    bucket of the campaign's close), split by the subject's kind: what a kind's mean score rests on."""
    b = sql.bucket(Campaign.closed_at, period)
    rows = db.session.execute(
        select(Campaign.community_id, b, CampaignSubject.kind, func.count())
        .select_from(SurveyParticipation)
        .join(CampaignSubject, CampaignSubject.survey_id == SurveyParticipation.survey_id)
        .join(Campaign, CampaignSubject.campaign_id == Campaign.id)
        .where(
            Campaign.community_id.in_(scope.community_ids),
            Campaign.state == CampaignState.CLOSED,
            sql.within(Campaign.closed_at, period),
            CampaignSubject.kind.in_(list(SCORE_KINDS.values())),
        )
        .group_by(Campaign.community_id, b, CampaignSubject.kind)
    )
    return {(cid, bucket_, str(kind)): int(n) for cid, bucket_, kind, n in rows}


def figures_table(scope: Scope, period: Period, built) -> tuple[list[str], list[list[object]]]:
    """One row per community and month (or year): the fixed columns, then a column per figure."""
    figures = [f for _section, data in built for f in data.figures]
    answered = responses_by_kind(scope, period) if any(f.key in SCORE_KINDS for f in figures) else {}
    buckets = period.buckets()
    by_month = period.by != "year"
    headers = column_names(figures)
    rows: list[list[object]] = []
    for community in scope.communities:
        unit = community_unit(community.id)
        per_figure = []
        for figure in figures:
            kind = SCORE_KINDS.get(figure.key)
            cells = [
                ""
                if figure.yearly and by_month
                else _value(
                    figure,
                    figure.value(unit, b),
                    Value(answered.get((community.id, b, kind), 0)) if kind else None,
                )
                for b in buckets
            ]
            if figure.kind == COUNT and by_month:
                _withhold_second(cells, buckets)
            per_figure.append(cells)
        households = scope.households.get(unit, 0)
        street = community.street
        for index, bucket in enumerate(buckets):
            rows.append(
                [
                    street.district.name,
                    street.name,
                    community.name,
                    community.slug,
                    bucket,
                    FEW if _few(households) else households,
                    *[cells[index] for cells in per_figure],
                ]
            )
    return headers, rows


def zip_file(scope: Scope, period: Period, built) -> bytes:
    """figures.csv and data_dictionary.csv (UTF-8 with a BOM, as the dashboards' CSV), in one zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (headers, rows) in (
            ("figures.csv", figures_table(scope, period, built)),
            ("data_dictionary.csv", dictionary_table()),
        ):
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, table_csv(headers, rows))
    return out.getvalue()
