"""Template filters and globals shared by every page."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_datetime

from app.core.i18n import large_text_enabled, select_locale
from app.core.masking import mask_phone, mask_room
from app.core.money import format_yuan


def format_area(centi_m2: int | None) -> str:
    """8950 -> '89.50 m²' (area is stored in integer 0.01 m²)."""
    if centi_m2 is None:
        return ""
    return f"{centi_m2 // 100:,}.{centi_m2 % 100:02d} m²"


BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_time(value: datetime | None) -> str:
    """2026-12-06 14:30 in Beijing time (a naive value is UTC, as stored): for what is printed and says so."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def register_template_helpers(app) -> None:
    app.jinja_env.filters["area"] = format_area
    app.jinja_env.filters["yuan"] = format_yuan
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["mask_room"] = mask_room
    app.jinja_env.filters["beijing_time"] = beijing_time
    app.jinja_env.filters["datetime"] = lambda value, fmt="short": format_datetime(value, fmt) if value else ""

    @app.context_processor
    def _globals():
        return {
            "large_text": large_text_enabled(),
            "current_locale": select_locale(),
            "site_name": current_app.config["SITE_NAME"],
        }
