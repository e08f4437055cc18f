"""What every printable report shares: the arithmetic and text fitting of server-rendered SVG bar charts,
and spreadsheet cells that never run as formulas. Deterministic: the same figures give the same bytes."""

from __future__ import annotations


def em_width(text: str) -> float:
    """A rough width in em: Chinese and other wide characters 1em, the rest 0.6em. Good enough to cut."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.6 for ch in text)


def fit_text(text: str, width: float, size: float) -> str:
    """`text` cut (with an ellipsis) so it fits `width` at font size `size`; keep the full text in a <title>."""
    limit = width / size
    if em_width(text) <= limit:
        return text
    cut = ""
    for ch in text:
        if em_width(cut + ch) > limit - 1:
            break
        cut += ch
    return cut.rstrip() + "…"


def tenths(value: int) -> str:
    """An integer number of tenths as SVG text: 1234 -> '123.4', 120 -> '12'."""
    whole, tenth = divmod(value, 10)
    return f"{whole}.{tenth}" if tenth else str(whole)


def bar_length(value: int, scale: int, width: int) -> int:
    """A bar's length in tenths of a unit: `value` out of `scale` across `width`, rounded half up in
    integers; none for nothing, at least 2 units for any amount, so a small one still shows."""
    if value <= 0:
        return 0
    return max(20, (value * width * 10 * 2 + scale) // (scale * 2))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value) -> str:
    """Text a spreadsheet will not run as a formula (a note of '=HYPERLINK(...)' stays a note)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
