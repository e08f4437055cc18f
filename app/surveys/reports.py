"""Survey results shown and exported: exact fractions with a rounded reading beside, charts (server SVG) and
the tables of the CSV and XLSX exports. Pure rendering over `queries.Results`; nothing here queries."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from flask_babel import gettext as _

from app.surveys.models import QuestionKind
from app.surveys.queries import Results
from app.voting import results as tables
from app.voting.results import Bar, bar_chart_svg


def percent(share: Fraction | None) -> str:
    """2/3 -> '66.67%' (rounded half up, for reading; the exact fraction is shown beside)."""
    if share is None:
        return "–"
    hundredths = (share.numerator * 10000 * 2 + share.denominator) // (share.denominator * 2)
    whole, part = divmod(hundredths, 100)
    return f"{whole}.{part:02d}%"


def exact(value: Fraction | None) -> str:
    """'11/3 (≈ 3.67)', or the whole number alone; '–' for nothing."""
    if value is None:
        return "–"
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator} (≈ {rounded(value)})"


def rounded(value: Fraction | None) -> str:
    if value is None:
        return ""
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def share_text(share: Fraction | None) -> str:
    if share is None:
        return "–"
    return f"{share.numerator}/{share.denominator} ({percent(share)})"


def rate_text(responses: int, eligible: int) -> str:
    """'12/30 (40.00%)': responses over eligible as counted (not reduced), and the percentage."""
    return f"{responses}/{eligible} ({percent(Fraction(responses, eligible))})" if eligible else "–"


def charts(found: Results) -> dict:
    """A bar chart per choice or scale question, keyed by the question's id."""
    made = {}
    for q in found.survey.questions:
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            bars = [
                Bar(
                    o.text,
                    found.total.options.get(o.id, 0),
                    f"{found.total.options.get(o.id, 0)} · {percent(found.total.share(q, o))}",
                )
                for o in q.options
            ]
        elif q.kind == QuestionKind.SCALE:
            counts = found.total.values.get(q.id, {})
            bars = [Bar(str(v), counts.get(v, 0), str(counts.get(v, 0))) for v in range(q.scale_min, q.scale_max + 1)]
        else:
            continue
        made[q.id] = bar_chart_svg(bars, title=q.text, chart_id=f"q{q.id}-chart")
    return made


def rows(found: Results) -> tuple[list[str], list[list]]:
    """One row per answer choice (option or scale value) and per scale mean: the export's main sheet."""
    headers = [_("No."), _("Question"), _("Choice"), _("Count"), _("Share (exact)"), _("Share")]
    out: list[list] = []
    for q in found.survey.questions:
        answered = found.total.answered.get(q.id, 0)
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            for o in q.options:
                share = found.total.share(q, o)
                out.append(
                    [q.position, q.text, o.text, found.total.options.get(o.id, 0), share_text(share), percent(share)]
                )
        elif q.kind == QuestionKind.SCALE:
            counts = found.total.values.get(q.id, {})
            for v in range(q.scale_min, q.scale_max + 1):
                share = Fraction(counts.get(v, 0), answered) if answered else None
                out.append([q.position, q.text, str(v), counts.get(v, 0), share_text(share), percent(share)])
            out.append(
                [q.position, q.text, _("Mean"), answered, exact(found.total.mean(q)), rounded(found.total.mean(q))]
            )
        else:
            out.append([q.position, q.text, _("Written answers"), answered, "", ""])
    return headers, out


def building_rows(found: Results) -> tuple[list[str], list[list]]:
    scales = [q for q in found.survey.questions if q.kind == QuestionKind.SCALE]
    headers = [_("Building"), _("Responses"), *[_("Mean: %(question)s", question=q.text) for q in scales]]
    return headers, [[b.name, b.responses, *[exact(b.mean(q)) for q in scales]] for b in found.buildings]


def summary_rows(found: Results) -> tuple[list[str], list[list]]:
    return [_("Responses"), _("Eligible"), _("Response rate"), _("Score (0 to 1)")], [
        [found.responses, found.eligible, rate_text(found.responses, found.eligible), exact(found.score)]
    ]


def export(found: Results, extension: str) -> bytes:
    headers, body = rows(found)
    if extension == "csv":
        return tables.table_csv(headers, body)
    return tables.table_xlsx(
        [
            (_("Survey results"), headers, body),
            (_("Per building"), *building_rows(found)),
            (_("Summary"), *summary_rows(found)),
        ]
    )
