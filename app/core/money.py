"""Money is integer fen everywhere; it is shown as yuan."""

from __future__ import annotations


def format_yuan(fen: int | None) -> str:
    """123450 -> '¥1,234.50'."""
    fen = fen or 0
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"
