"""What a package above the dashboards reads from them (the 精品社区 assessment, docs/assessment.md): the figures
there are, and each figure's whole-period value per community. No permission is checked here: the reader
decides who sees what it builds from these numbers.

    catalog() -> [FigureInfo(key, label, kind)]            every registered section's figures, in page order
    values(communities, period) -> {key: {community id: Value}}   the same grouped queries as a dashboard page"""

from __future__ import annotations

from dataclasses import dataclass

from app.dashboards.period import BY_YEAR, Period
from app.dashboards.registry import Scope, Value, community_unit, sections
from app.dashboards.scopes import _households


@dataclass(frozen=True)
class FigureInfo:
    key: str
    label: str
    kind: str  # registry.COUNT, FEN, SHARE, DAYS or FEN_PER


def catalog() -> list[FigureInfo]:
    """The figures every section defines (built over no community: a few empty queries)."""
    empty = Scope("street", "", [])
    year = Period(start=(2000, 1), end=(2000, 12), by=BY_YEAR)
    return [FigureInfo(f.key, str(f.label), f.kind) for s in sections() for f in s.build(empty, year).figures]


def values(communities, period: Period) -> dict[str, dict[int, Value]]:
    """Each figure's value over the whole period, per community (absent: nothing counted there)."""
    if not communities:
        return {}
    scope = _households(Scope("street", "", list(communities)))
    found: dict[str, dict[int, Value]] = {}
    for s in sections():
        for figure in s.build(scope, period).figures:
            cells = found.setdefault(figure.key, {})
            for c in scope.communities:
                value = figure.value(community_unit(c.id), None)
                if value is not None:
                    cells[c.id] = value
    return found
