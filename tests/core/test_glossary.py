"""Plain words: a procedural term is explained once per page, beside its first use, in the reader's language;
the explanation opens without JavaScript (<details>)."""

from __future__ import annotations

import lxml.html
import pytest
from flask import render_template_string

from app.core import glossary


def _render(app, source: str, language: str = "en") -> lxml.html.HtmlElement:
    with app.test_request_context(headers={"Accept-Language": language}):
        return lxml.html.fromstring(f"<div>{render_template_string(source)}</div>")


def test_a_term_is_explained_on_first_use_only(app):
    page = _render(app, "<p>{{ term('motion') }} … {{ term('motion') }} and {{ explain('second') }}</p>")
    assert [t.text_content() for t in page.xpath("//span[@class='term']")] == ["motion (动议)", "motion (动议)"]
    explained = page.xpath("//details[@class='explain']")
    assert len(explained) == 2  # the motion once, the second once
    first = explained[0]
    assert first.xpath("string(.//summary//*[@class='visually-hidden'])") == "What does “motion (动议)” mean?"
    assert "It is debated, then voted on." in first.xpath("string(.//*[@class='explain-text'])")


def test_every_page_starts_afresh(app):
    for _ in range(2):
        assert len(_render(app, "{{ term('quorum') }}").xpath("//details")) == 1


def test_terms_are_in_chinese_for_chinese_readers(app):
    page = _render(app, "{{ term('fingerprint') }}", "zh-CN")
    assert page.xpath("string(//span[@class='term'])") == "选票指纹"
    assert page.xpath("string(//*[@class='visually-hidden'])") == "“选票指纹”是什么意思？"
    assert "事后改动" in page.xpath("string(//*[@class='explain-text'])")


def test_the_explanation_is_escaped(app):
    glossary.TERMS["test_markup"] = glossary.Term("<b>x</b>", "<script>alert(1)</script>")
    try:
        page = _render(app, "{{ term('test_markup') }}")
        assert page.xpath("//script") == [] and page.xpath("//b") == []
        assert page.xpath("string(//*[@class='explain-text'])") == "<script>alert(1)</script>"
    finally:
        del glossary.TERMS["test_markup"]


def test_a_key_cannot_be_given_two_meanings():
    word, meaning = glossary.TERMS["motion"]
    glossary.define("motion", word, meaning)  # the same again (a module imported twice): fine
    with pytest.raises(ValueError):
        glossary.define("motion", word, "something else")
