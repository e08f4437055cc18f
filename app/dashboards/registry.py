"""What a dashboard is made of: a scope (the communities shown, grouped as streets), figures with a value per
unit and per bucket (month or year), and sections, one per data source, registered in order.

A section is a function `(scope, period) -> SectionData`. It asks SQL for aggregates grouped by community and
bucket; `Figure.add_rows` rolls those up to streets, the whole scope and the whole period (sums of sums). A
figure that does not add up that way (households taking part, a median) fills each level itself with one
grouped query per level (`levels`), so the queries per page grow with the sections, never with the
communities."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.communities.models import Community, Street
from app.dashboards.period import Period

ALL = "all"  # the unit of the whole scope

COUNT = "count"  # a number of things
FEN = "fen"  # money, integer fen
SHARE = "share"  # num / den as a percentage
DAYS = "days"  # seconds / number of things: an average (or, with den 1, a median) in days
FEN_PER = "fen_per"  # fen / households


def community_unit(community_id: int) -> str:
    return f"c{community_id}"


def street_unit(street_id: int) -> str:
    return f"s{street_id}"


@dataclass
class Scope:
    """The communities a dashboard covers, and the rows it shows: communities, streets (on the district's), all."""

    level: str  # "district", "street" or "community"
    title: str
    communities: list[Community]
    streets: list[Street] = field(default_factory=list)  # shown as rows on the district's dashboard
    households: dict[str, int] = field(default_factory=dict)  # unit -> households on the roster
    ident: int | None = None  # the district's or the street's id (its snapshot's key); None for a community

    @property
    def community_ids(self) -> list[int]:
        return [c.id for c in self.communities]

    @property
    def by_streets(self) -> bool:
        return self.level == "district"

    def units_of(self, community: Community) -> list[str]:
        """The rows a community's figures count in: its own, its street's (on the district's), the total."""
        units = [community_unit(community.id), ALL]
        if self.by_streets:
            units.append(street_unit(community.street_id))
        return units

    def street_of(self, community_id: int) -> int:
        return next(c.street_id for c in self.communities if c.id == community_id)


@dataclass
class Value:
    num: int = 0
    den: int = 0  # for SHARE, DAYS and FEN_PER; ignored for COUNT and FEN

    def add(self, num: int, den: int = 0) -> None:
        self.num += int(num or 0)
        self.den += int(den or 0)


@dataclass
class Figure:
    """One figure: its value per (unit, bucket), bucket None being the whole period."""

    key: str
    label: str
    kind: str = COUNT
    link: Callable[[Community, Period], str | None] | None = None  # the list behind it, for one community
    yearly: bool = False  # counted per year only (a budget): no value by month
    cells: dict[tuple[str, str | None], Value] = field(default_factory=dict)

    def value(self, unit: str, bucket: str | None) -> Value | None:
        return self.cells.get((unit, bucket))

    def put(self, unit: str, bucket: str | None, num: int, den: int = 0) -> None:
        self.cells.setdefault((unit, bucket), Value()).add(num, den)

    def add_rows(self, scope: Scope, rows: Iterable[tuple[int, str | None, int, int]]) -> None:
        """Rows of (community id, bucket, num, den) from SQL, counted in every unit and in the period."""
        units = {c.id: scope.units_of(c) for c in scope.communities}
        cells = self.cells
        for community_id, bucket, num, den in rows:
            num, den = int(num or 0), int(den or 0)
            for unit in units[community_id]:
                for key in ((unit, bucket), (unit, None)) if bucket is not None else ((unit, None),):
                    cell = cells.get(key)
                    if cell is None:
                        cells[key] = Value(num, den)
                    else:
                        cell.num += num
                        cell.den += den

    def divide_by_households(self, scope: Scope, buckets: Iterable[str]) -> None:
        """Set every cell's denominator to its unit's households (a share of households, money per household)."""
        for unit, count in scope.households.items():
            for bucket in [None, *buckets]:
                self.cells.setdefault((unit, bucket), Value()).den = count


@dataclass
class Detail:
    """A table a section shows below its figures (each decision's turnout): plain cells, optional links."""

    title: str
    headers: list[str]
    rows: list[list[tuple[str, str | None]]]  # (text, url or None)


@dataclass
class SectionData:
    figures: list[Figure]
    details: list[Detail] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    key: str
    title: object  # a lazy string
    order: int
    build: Callable[[Scope, Period], SectionData]


SECTIONS: dict[str, Section] = {}


def section(key: str, title, order: int):
    """Register a section: `@section("ideas", _l("Ideas"), 30)` over `def build(scope, period) -> SectionData`."""

    def register(build: Callable[[Scope, Period], SectionData]):
        SECTIONS[key] = Section(key, title, order, build)
        return build

    return register


def sections() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda s: s.order)


def levels(scope: Scope, community_col, street_col, bucket_col):
    """The groupings a figure that does not add up is asked at: (unit expression or None, bucket or None,
    how to name the unit). Four queries for a street's or a community's dashboard, six for a district's."""
    found = [
        (community_col, bucket_col, community_unit),
        (community_col, None, community_unit),
        (None, bucket_col, lambda _x: ALL),
        (None, None, lambda _x: ALL),
    ]
    if scope.by_streets:
        found += [(street_col, bucket_col, street_unit), (street_col, None, street_unit)]
    return found
