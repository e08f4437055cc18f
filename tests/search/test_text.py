"""The search's text helpers: terms, literal patterns, quoted tsquery lexemes, escaped highlighting."""

from __future__ import annotations

from app.search import text


def test_terms_are_lower_cased_half_width_distinct_words():
    assert text.terms("  ＷｉＦｉ  ３号楼 wifi ") == ["wifi", "3号楼"]
    assert text.normalise("电梯，停车。") == "电梯，停车。"  # Chinese punctuation kept


def test_like_patterns_escape_their_wildcards():
    assert text.like_pattern("100%_\\") == "%100\\%\\_\\\\%"


def test_grams_and_tsquery_quote_every_lexeme():
    assert text.grams("梯") == ["梯"]
    assert text.grams("电梯维修") == ["电梯", "梯维", "维修"]
    assert text.tsquery(["a'b", "x\\"]) == "'a''' & '''b' & 'x\\\\'"  # the pairs a' and 'b, and x\
    assert text.tsquery(["&|"]) == "'&|'"


def test_highlight_escapes_and_marks():
    marked = text.highlight("<b>电梯</b>电梯", ["电梯"])
    assert str(marked) == "&lt;b&gt;<mark>电梯</mark>&lt;/b&gt;<mark>电梯</mark>"
    assert str(text.highlight("WiFi", ["wifi"])) == "<mark>WiFi</mark>"


def test_a_snippet_is_cut_around_the_first_match():
    snippet = str(text.snippet("甲" * 100 + "电梯" + "乙" * 100, ["电梯"]))
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>电梯</mark>" in snippet
    assert str(text.snippet("短文", ["电梯"])) == "短文"
