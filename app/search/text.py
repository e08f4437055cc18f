"""Text as the search sees it: normalised (full-width letters and digits as plain ones, so ＷｉＦｉ and ３号楼 are
WiFi and 3号楼; Chinese punctuation kept as written), split into terms,
turned into literal patterns (no operator of SQL LIKE, FTS or tsquery survives), and shown back with the
matches marked in escaped HTML."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

MAX_QUERY = 100  # characters a query may hold
MAX_TERMS = 5  # words (separated by spaces) a query may hold
SNIPPET = 36  # characters either side of the first match

_SPACE = re.compile(r"\s+")


# full-width digits and Latin letters (０-９, Ａ-Ｚ, ａ-ｚ) -> ASCII; full-width punctuation (，。：) stays
_HALF_WIDTH = {code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}


def normalise(text: str) -> str:
    """Full-width digits and letters as plain ones; everything else as written."""
    return (text or "").translate(_HALF_WIDTH)


def terms(query: str) -> list[str]:
    """The distinct lower-cased terms of a query, in order: the words between spaces, each found literally."""
    seen: list[str] = []
    for word in _SPACE.split(normalise(query).lower().strip()):
        if word and word not in seen:
            seen.append(word)
    return seen


def like_pattern(term: str) -> str:
    """A LIKE pattern that finds the term as it is: %, _ and the escape character are literal."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def grams(term: str) -> list[str]:
    """What the PostgreSQL index holds for a term: its one character, or its pairs of adjacent characters."""
    if len(term) == 1:
        return [term]
    return list(dict.fromkeys(term[i : i + 2] for i in range(len(term) - 1)))


def tsquery(all_terms: list[str]) -> str:
    """A tsquery of every gram of every term, each a quoted lexeme (nothing in it is an operator)."""
    quoted = []
    for term in all_terms:
        for gram in grams(term):
            quoted.append("'" + gram.replace("\\", "\\\\").replace("'", "''") + "'")
    return " & ".join(dict.fromkeys(quoted))


def _spans(text: str, all_terms: list[str]) -> list[tuple[int, int]]:
    """Where the terms occur in the text, case-insensitively, merged where they overlap."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer: match as written
        lowered = text
    found = []
    for term in all_terms:
        start = lowered.find(term)
        while start >= 0:
            found.append((start, start + len(term)))
            start = lowered.find(term, start + len(term))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, all_terms: list[str]) -> Markup:
    """The text escaped, each match in <mark>."""
    out, at = [], 0
    for start, end in _spans(text, all_terms):
        out.append(escape(text[at:start]))
        out.append(Markup("<mark>%s</mark>") % text[start:end])
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


def snippet(text: str, all_terms: list[str]) -> Markup:
    """A line of the text around its first match (its beginning if none), escaped, matches marked."""
    flat = _SPACE.sub(" ", text).strip()
    spans = _spans(flat, all_terms)
    first = spans[0][0] if spans else 0
    start = max(0, first - SNIPPET)
    end = min(len(flat), (spans[0][1] if spans else 0) + SNIPPET * 2)
    part = flat[start:end]
    before = Markup("…") if start else Markup("")
    after = Markup("…") if end < len(flat) else Markup("")
    return before + highlight(part, all_terms) + after
