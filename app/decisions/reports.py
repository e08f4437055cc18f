"""What a decision's result page, notice and exports show: exact shares as fractions and percentages, the
checks against the thresholds, chart bars and table rows. Integers and Fractions only, never floats."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext as _

from app.core.masking import mask_phone, mask_room
from app.core.templating import format_area
from app.decisions.models import Choice
from app.decisions.services import Outcome
from app.voting import results


def percent(share: Fraction) -> str:
    """2/3 -> '66.67%': hundredths of a percent, rounded half up in integers (the verdict never uses this)."""
    hundredths = (share.numerator * 10000 * 2 + share.denominator) // (share.denominator * 2)
    whole, part = divmod(hundredths, 100)
    return f"{whole}.{part:02d}%"


def fraction_text(share: Fraction) -> str:
    return f"{share.numerator}/{share.denominator}" if share.denominator != 1 else str(share.numerator)


def share_text(share: Fraction) -> str:
    """'2/3 (66.67%)': the exact fraction first, the rounded percentage to read it by."""
    return f"{fraction_text(share)} ({percent(share)})"


def area_m2(centi: int) -> Decimal:
    """0.01 m² as an exact Decimal of m² (for spreadsheets)."""
    return Decimal(centi).scaleb(-2)


@dataclass(frozen=True)
class Check:
    """One of the four tests of art. 278: participation or approval, by area or by headcount."""

    test: str  # "participation" | "approval"
    measure: str  # "area" | "heads"
    part: int
    whole: int
    share: Fraction
    threshold: Fraction
    inclusive: bool  # ≥ when True, > when False
    ok: bool


def checks(outcome: Outcome, roll_area: int, roll_heads: int) -> list[Check]:
    verdict = outcome.verdict
    limits = verdict.thresholds
    agree = Choice.AGREE.value

    def reached(share: Fraction, threshold: Fraction, inclusive: bool, whole: int) -> bool:
        if whole <= 0:
            return False
        return share >= threshold if inclusive else share > threshold

    rows = [
        ("participation", "area", outcome.voted_area, roll_area, verdict.participation_area),
        ("participation", "heads", outcome.voted_heads, roll_heads, verdict.participation_heads),
        ("approval", "area", outcome.area[agree], outcome.voted_area, verdict.approval_area),
        ("approval", "heads", outcome.heads[agree], outcome.voted_heads, verdict.approval_heads),
    ]
    result = []
    for test, measure, part, whole, share in rows:
        threshold = limits.participation if test == "participation" else limits.approval
        inclusive = True if test == "participation" else limits.approval_inclusive
        result.append(
            Check(test, measure, part, whole, share, threshold, inclusive, reached(share, threshold, inclusive, whole))
        )
    return result


def chart_bars(outcome: Outcome, *, measure: str, whole: int, labels: dict[str, str], not_voted: str, unit: str):
    """Bars for 同意/反对/弃权/未投票 by area or by headcount, each with its share of the whole roll."""
    values = outcome.area if measure == "area" else outcome.heads
    voted = outcome.voted_area if measure == "area" else outcome.voted_heads
    rows = [(labels[c.value], values[c.value], c == Choice.AGREE) for c in Choice]
    rows.append((not_voted, max(whole - voted, 0), False))
    bars = []
    for label, value, agree in rows:
        amount = format_area(value) if measure == "area" else f"{value} {unit}"
        share = percent(Fraction(value, whole)) if whole else "—"
        bars.append(
            results.Bar(
                label=label, value=value, text=f"{amount} · {share}", highlight=agree and outcome.verdict.passed
            )
        )
    return bars


def choice_rows(outcome: Outcome, labels: dict[str, str]) -> list[list]:
    """Per choice: label, heads, area (m²), share of participating heads and area (exact, then %)."""
    rows = []
    for choice in Choice:
        heads, area = outcome.heads[choice.value], outcome.area[choice.value]
        rows.append(
            [
                labels[choice.value],
                heads,
                area_m2(area),
                share_text(Fraction(heads, outcome.voted_heads)) if outcome.voted_heads else "",
                share_text(Fraction(area, outcome.voted_area)) if outcome.voted_area else "",
            ]
        )
    return rows


def building_rows(outcome: Outcome, labels: dict[str, str], unnamed: str) -> list[list]:
    """Per building and choice: building, choice, heads, area (m²)."""
    rows = []
    for count in outcome.by_building:
        for choice in Choice:
            heads, area = count.heads.get(choice.value, 0), count.area.get(choice.value, 0)
            rows.append([count.name or unnamed, labels[choice.value], heads, area_m2(area)])
    return rows


def notice_charts(decision, outcome: Outcome, labels: dict[str, str]) -> dict[str, str]:
    """The notice's two charts (SVG): votes by floor area and by number of owners, against the whole roll."""
    charts = {}
    for measure, whole, title, unit in (
        ("area", decision.roll_area, _("Votes by floor area"), ""),
        ("heads", decision.roll_heads, _("Votes by number of owners"), _("owners")),
    ):
        bars = chart_bars(outcome, measure=measure, whole=whole, labels=labels, not_voted=_("Did not vote"), unit=unit)
        charts[measure] = results.bar_chart_svg(bars, title=title, chart_id=f"chart-{measure}")
    return charts


def roll_rows(entries, full: bool, proxies: dict[int, str] | None = None) -> list[dict]:
    """The roll as shown: phone and room numbers masked unless `full` (the counters); `proxies` names each
    entry's proxy in force (委托代理人), by roll entry id."""
    rows = []
    for entry in entries:
        units = [f"{b} {u}-{r if full else mask_room(r)}" for b, u, r in entry.households]
        rows.append(
            {
                "name": entry.name,
                "developer": entry.developer,
                "phone": entry.phone if full else mask_phone(entry.phone),
                "units": units,
                "area": entry.area,
                "heads": entry.heads,
                "online": entry.voter_user_id is not None,
                "proxy": (proxies or {}).get(entry.id, ""),
            }
        )
    return rows


def entry_label(entry) -> str:
    """A roll entry as the paper-ballot page names it: its first units and its owner."""
    units = "、".join(f"{b} {u}-{r}" for b, u, r in entry.households[:3])
    more = "…" if len(entry.households) > 3 else ""
    name = entry.name or (_("Developer (unsold units)") if entry.developer else _("(no owner registered)"))
    return f"{units}{more} · {name}"


def table_headers() -> tuple[list, list]:
    """The exports' headers: per choice, and per building."""
    return (
        [_("Choice"), _("Owners"), _("Floor area (m²)"), _("Share of owners voting"), _("Share of area voting")],
        [_("Building"), _("Choice"), _("Owners"), _("Floor area (m²)")],
    )
