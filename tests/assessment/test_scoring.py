"""The arithmetic and the formula shown: exact fractions, clamped linear rules, ranks with ties."""

from __future__ import annotations

from fractions import Fraction

from app.assessment import scoring
from app.assessment.models import AssessmentCriterion, AssessmentScore, CriterionKind, Rule
from app.dashboards.registry import COUNT, DAYS, SHARE, Value


def test_linear_between_floor_and_target_exactly():
    assert scoring.linear(10, Fraction(38), Fraction(20), Fraction(50)) == Fraction(6)
    assert scoring.linear(10, Fraction(10), Fraction(20), Fraction(50)) == 0  # below the floor
    assert scoring.linear(10, Fraction(80), Fraction(20), Fraction(50)) == 10  # past the target
    assert scoring.linear(10, None, Fraction(20), Fraction(50)) == 0
    # a floor above the target: fewer is better (days to conclude)
    assert scoring.linear(10, Fraction(20), Fraction(30), Fraction(10)) == 5


def test_ranks_share_the_better_place_and_nothing_counted_ranks_last():
    places = scoring.ranks({1: Fraction(5), 2: Fraction(9), 3: Fraction(5), 4: None}, lower_is_better=False)
    assert places == {2: 1, 1: 2, 3: 2, 4: 4}
    assert scoring.ranks({1: Fraction(5), 2: Fraction(9)}, lower_is_better=True) == {1: 1, 2: 2}
    assert scoring.by_rank(20, 1, 4) == 20
    assert scoring.by_rank(20, 2, 4) == Fraction(40, 3)
    assert scoring.by_rank(20, 4, 4) == 0
    assert scoring.by_rank(20, 1, 1) == 20


def test_figure_values_in_their_shown_units():
    assert scoring.figure_value(SHARE, Value(38, 100)) == 38
    assert scoring.figure_value(SHARE, Value(3, 0)) is None
    assert scoring.figure_value(COUNT, None) == 0
    assert scoring.figure_value(DAYS, Value(86400 * 7, 2)) == Fraction(7, 2)


def test_decimal_rounds_half_up():
    assert scoring.decimal(Fraction(76, 10)) == "7.6"
    assert scoring.decimal(Fraction(40, 3)) == "13.3"
    assert scoring.decimal(Fraction(1, 20)) == "0.1"
    assert scoring.decimal(Fraction(12)) == "12"


def test_the_formula_in_words_and_numbers(app):
    c = AssessmentCriterion(
        title="参与率",
        points=10,
        kind=CriterionKind.FIGURE,
        rule=Rule.LINEAR,
        floor_num=20,
        floor_den=1,
        target_num=50,
        target_den=1,
    )
    s = AssessmentScore(points_num=118, points_den=15, value_num=218, value_den=5)  # 43.6% → 7.867 points
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        text = scoring.formula(c, s, "参与率", SHARE)
    assert text == "参与率 43.6% → 7.9 / 10 分：(43.6% − 20%) ÷ (50% − 20%) × 10"
