"""The arithmetic of a score, exact (fractions), and the formula shown beside it in words and numbers.

A figure's value is read in the unit the dashboards show it in: a share in percent, money in yuan, days, a count.
Linear: 0 at the floor, full points at the target, (value − floor) ÷ (target − floor) × points between (a floor
above the target means fewer is better). Rank: the district's communities ordered best first (ties share the
better place), (n − place) ÷ (n − 1) × points; a community where nothing was counted ranks last."""

from __future__ import annotations

from fractions import Fraction

from flask_babel import gettext as _

from app.assessment.models import AssessmentCriterion, AssessmentScore, CriterionKind, Rule
from app.core.money import format_yuan
from app.dashboards.registry import COUNT, DAYS, FEN, FEN_PER, SHARE, Value

DAY = 86400


def figure_value(kind: str, value: Value | None) -> Fraction | None:
    """A dashboards value in its shown unit, or None when nothing was counted (a share over no one)."""
    if value is None:
        return Fraction(0) if kind in (COUNT, FEN) else None
    if kind == COUNT:
        return Fraction(value.num)
    if kind == FEN:
        return Fraction(value.num, 100)
    if not value.den:
        return None
    if kind == SHARE:
        return Fraction(value.num * 100, value.den)
    if kind == DAYS:
        return Fraction(value.num, value.den * DAY)
    return Fraction(value.num, value.den * 100)  # FEN_PER: yuan per household


def linear(points: int, value: Fraction | None, floor: Fraction, target: Fraction) -> Fraction:
    if value is None:
        return Fraction(0)
    share = (value - floor) / (target - floor)
    return points * min(max(share, Fraction(0)), Fraction(1))


def ranks(values: dict[int, Fraction | None], lower_is_better: bool) -> dict[int, int]:
    """Place of each community (1 = best); equal values share the better place; no value ranks last."""

    def key(v: Fraction | None):
        if v is None:
            return (1, 0)
        return (0, v if lower_is_better else -v)

    ordered = sorted(values.values(), key=key)
    return {cid: ordered.index(v) + 1 if v is not None else len(ordered) for cid, v in values.items()}


def by_rank(points: int, place: int, ranked: int) -> Fraction:
    if ranked <= 1:
        return Fraction(points)
    return Fraction(points * (ranked - place), ranked - 1)


def decimal(x: Fraction, places: int = 1) -> str:
    """A fraction rounded half away from zero to `places` decimals, trailing zeros dropped: 7.6, 38, 0.25."""
    scale = 10**places
    sign = "-" if x < 0 else ""
    n = (abs(x) * scale * 2 + 1) // 2
    whole, part = divmod(int(n), scale)
    text = f"{whole}.{part:0{places}d}".rstrip("0").rstrip(".")
    return sign + text


def shown(kind: str, x: Fraction | None) -> str:
    """A value in the figure's unit: 38% · ¥12.5 · 3.5 天 · 12."""
    if x is None:
        return "—"
    if kind == SHARE:
        return f"{decimal(x)}%"
    if kind in (FEN, FEN_PER):
        return format_yuan(int((x * 200 + 1) // 2))  # to the fen, half up
    if kind == DAYS:
        return _("%(days)s days", days=decimal(x))
    return decimal(x, 2)


def formula(criterion: AssessmentCriterion, score: AssessmentScore | None, label: str, kind: str) -> str:
    """The score in words and numbers, e.g. 参与率 38% → 7.6 / 10 分：(38% − 20%) ÷ (50% − 20%) × 10."""
    top = criterion.points
    if score is None:
        return _("Not scored yet (out of %(max)d points).", max=top)
    got = decimal(score.points)
    if criterion.kind == CriterionKind.MANUAL:
        return _("Scored by hand: %(points)s / %(max)d points.", points=got, max=top)
    value = score.value
    v = shown(kind, value)
    if criterion.rule == Rule.RANK:
        return _(
            "%(figure)s %(value)s, place %(place)d of %(n)d → %(points)s / %(max)d points: "
            "(%(n)d − %(place)d) ÷ (%(n)d − 1) × %(max)d",
            figure=label,
            value=v,
            place=score.rank or 0,
            n=score.ranked or 0,
            points=got,
            max=top,
        )
    floor, target = shown(kind, criterion.floor), shown(kind, criterion.target)
    if value is None:
        return _("%(figure)s: nothing counted → 0 / %(max)d points.", figure=label, max=top)
    common = {"figure": label, "value": v, "floor": floor, "target": target, "points": got, "max": top}
    if score.points == top:
        return _("%(figure)s %(value)s reaches the target %(target)s → %(max)d / %(max)d points.", **common)
    if score.points == 0:
        return _("%(figure)s %(value)s does not pass the floor %(floor)s → 0 / %(max)d points.", **common)
    return _(
        "%(figure)s %(value)s → %(points)s / %(max)d points: (%(value)s − %(floor)s) ÷ (%(target)s − %(floor)s)"
        " × %(max)d",
        **common,
    )
