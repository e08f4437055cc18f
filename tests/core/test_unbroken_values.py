"""The template filters that keep a value whole: amounts, areas, days, and date-times that may break only
between the date and the time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import render_template_string


def _render(app, source: str, language: str = "en", **context) -> str:
    with app.test_request_context(headers={"Accept-Language": language}):
        return render_template_string(source, **context)


def test_amounts_areas_and_days_are_one_whole_value(app):
    out = _render(app, "{{ 123450|yuan }} {{ 8950|area }} {{ d|day }}", d=date(2026, 12, 17))
    assert '<span class="whole">¥1,234.50</span>' in out
    assert '<span class="whole">89.50 m²</span>' in out
    assert '<time class="whole" datetime="2026-12-17">2026-12-17</time>' in out


def test_a_date_time_is_two_whole_parts_in_the_readers_language(app):
    moment = datetime(2026, 12, 5, 19, 41, tzinfo=UTC)  # 03:41 the next day in Beijing
    assert _render(app, "{{ t|datetime }}", "zh-CN", t=moment) == (
        '<span class="whole">2026/12/6</span> <span class="whole">03:41</span>'
    )
    assert _render(app, "{{ t|datetime }}", "en", t=moment).startswith('<span class="whole">12/6/26</span>, ')


def test_a_pattern_of_its_own_is_one_whole_value(app):
    moment = datetime(2026, 12, 5, 19, 41, tzinfo=UTC)
    assert _render(app, '{{ t|datetime("HH:mm") }}', t=moment) == '<span class="whole">03:41</span>'
    assert _render(app, "{{ none|datetime }}") == ""


def test_inside_an_attribute_the_text_filters_give_plain_text(app):
    assert _render(app, '<img alt="{{ 100|yuan_text }}">') == '<img alt="¥1.00">'
