"""Template filters and globals shared by every page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import get_datetime_format
from flask import current_app
from flask_babel import format_date, format_datetime, format_time, get_locale
from markupsafe import Markup, escape

from app.core import glossary
from app.core.i18n import large_text_enabled, select_locale
from app.core.masking import mask_phone, mask_room
from app.core.money import format_yuan


def format_area(centi_m2: int | None) -> str:
    """8950 -> '89.50 m²' (area is stored in integer 0.01 m²)."""
    if centi_m2 is None:
        return ""
    return f"{centi_m2 // 100:,}.{centi_m2 % 100:02d} m²"


def unbroken(text: str) -> Markup:
    """A number, an amount or a date that must never wrap inside itself ("¥50,000.0 / 0", "2026-12- / 17"), at
    any text size: the layout around it wraps instead (CSS `.whole`)."""
    return Markup('<span class="whole">%s</span>') % text if text else Markup("")


def format_day(value: date | None) -> Markup:
    """A calendar day as 2026-12-17 in a <time> element that does not wrap."""
    if value is None:
        return Markup("")
    return Markup('<time class="whole" datetime="%s">%s</time>') % (value.isoformat(), value.isoformat())


def format_moment(value, fmt: str = "short") -> Markup:
    """A date and time in the user's language and Beijing time, each part kept whole; on a narrow screen the
    line may break between the date and the time, never inside either."""
    if not value:
        return Markup("")
    if fmt not in ("short", "medium", "long", "full"):  # a pattern of its own ("HH:mm"): one whole value
        return unbroken(format_datetime(value, fmt))
    pattern = get_datetime_format(fmt, locale=get_locale())  # e.g. "{1}, {0}" (en), "{1} {0}" (zh)
    date_part, time_part = unbroken(format_date(value, fmt)), unbroken(format_time(value, fmt))
    before, _, rest = pattern.partition("{1}")
    between, _, after = rest.partition("{0}")
    return Markup("").join([escape(before), date_part, escape(between), time_part, escape(after)])


BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_time(value: datetime | None) -> str:
    """2026-12-06 14:30 in Beijing time (a naive value is UTC, as stored): for what is printed and says so."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def register_template_helpers(app) -> None:
    """Filters for pages, and the glossary's `term` and `explain` (app.core.glossary). `yuan`, `area`, `day` and
    `datetime` give markup that keeps the value on one line; inside an attribute (alt, title, aria-label,
    data-*) use `yuan_text` and `area_text`, which give plain text."""
    app.jinja_env.filters["area"] = lambda value: unbroken(format_area(value))
    app.jinja_env.filters["area_text"] = format_area
    app.jinja_env.filters["yuan"] = lambda value: unbroken(format_yuan(value))
    app.jinja_env.filters["yuan_text"] = format_yuan
    app.jinja_env.filters["day"] = format_day
    glossary.register(app)
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["mask_room"] = mask_room
    app.jinja_env.filters["datetime"] = format_moment
    app.jinja_env.filters["beijing_time"] = beijing_time

    @app.context_processor
    def _globals():
        return {
            "large_text": large_text_enabled(),
            "current_locale": select_locale(),
            "site_name": current_app.config["SITE_NAME"],
        }
