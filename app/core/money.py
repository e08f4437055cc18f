"""Money is integer fen everywhere; it is shown as yuan."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


def format_yuan(fen: int | None) -> str:
    """123450 -> '¥1,234.50'."""
    fen = fen or 0
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


MAX_FEN = 2_000_000_000  # ¥20,000,000: an INTEGER column holds it, and no micro-fund comes near


def parse_yuan(text, *, field: str = "amount") -> int:
    """'1234.5' or '¥1,234.50' -> 123450 fen. Refuses negatives, more than two decimals, non-numbers."""
    cleaned = str(text or "").replace("¥", "").replace("￥", "").replace(",", "").replace("，", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise DomainError("bad_amount", _l("Enter an amount in yuan, e.g. 1234.50."), field=field) from None
    if not value.is_finite() or value < 0:
        raise DomainError("bad_amount", _l("An amount cannot be negative."), field=field)
    fen = value * 100
    if fen != fen.to_integral_value():
        raise DomainError("bad_amount", _l("An amount has at most two decimals (fen)."), field=field)
    if fen > MAX_FEN:
        raise DomainError("bad_amount", _l("This amount is too large."), field=field)
    return int(fen)
