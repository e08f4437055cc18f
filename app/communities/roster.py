"""The household roster: parse a CSV or XLSX file, preview it, import it whole or not at all.

One row is one owner of one household. A co-owned unit has one row per owner
and exactly one of them marked as representative; a single owner is their own
representative. Area is in square metres with at most two decimals and is
stored as integer 0.01 m².
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities import permissions
from app.communities.access import Viewer
from app.communities.models import Building, Community, Household, HouseholdOwner
from app.core import audit
from app.core.errors import DomainError, Forbidden
from app.core.phones import PHONE_RE, normalize_phone
from app.extensions import db

# Accepted headers (Chinese as printed on the template, or English) -> field.
HEADERS = {
    "楼栋": "building",
    "building": "building",
    "单元": "unit",
    "unit": "unit",
    "室号": "room",
    "房号": "room",
    "room": "room",
    "建筑面积": "area",
    "建筑面积(㎡)": "area",
    "面积": "area",
    "area": "area",
    "area_m2": "area",
    "业主姓名": "owner_name",
    "owner_name": "owner_name",
    "业主手机": "owner_phone",
    "手机": "owner_phone",
    "owner_phone": "owner_phone",
    "代表人": "representative",
    "representative": "representative",
    "开发商未售": "developer_unsold",
    "developer_unsold": "developer_unsold",
}
REQUIRED = ("building", "unit", "room", "area", "owner_name")
TEMPLATE_HEADER = ["楼栋", "单元", "室号", "建筑面积", "业主姓名", "业主手机", "代表人", "开发商未售"]
YES = {"是", "y", "yes", "1", "true", "√", "✓"}
NO = {"", "否", "n", "no", "0", "false"}
MAX_AREA_CENTI = 100_000_00  # 100,000 m²: larger is a typo
CODE_RE = re.compile(r"^[0-9A-Za-z\-]{1,10}$")


@dataclass
class RosterRow:
    line: int
    building: str
    unit: str
    room: str
    area_centi_m2: int
    owner_name: str
    owner_phone: str | None
    representative: bool
    developer_unsold: bool


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class RosterPreview:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def household_count(self) -> int:
        return len({(r.building, r.unit, r.room) for r in self.rows})


@dataclass
class ImportResult:
    buildings_created: int
    households_created: int
    households_updated: int
    owners: int


class RosterFormatError(DomainError):
    def __init__(self, message):
        super().__init__("bad_file", message, field="file")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFormatError(_l("The file is not readable text. Save it as CSV (UTF-8) or XLSX."))


def _read_rows(data: bytes, filename: str) -> list[list[str]]:
    """Rows of cell strings from CSV or XLSX, told apart by content, not by name."""
    if not data:
        raise RosterFormatError(_l("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if b"\x00" in data[:4096]:
        raise RosterFormatError(_l("This is not a CSV or XLSX file. Use the roster template."))
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
        raise RosterFormatError(_l("This XLSX file could not be read. Save it again from Excel or WPS.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else _cell_text(v) for v in values])
        return rows
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def parse_area(text: str) -> int:
    """'89.5' -> 8950; at most two decimals, positive, below 100,000 m²."""
    try:
        value = Decimal(text.replace(",", "").replace("㎡", "").replace("m²", "").strip())
    except InvalidOperation:
        raise ValueError(_l("area '%(value)s' is not a number", value=text)) from None
    if not value.is_finite() or value <= 0:
        raise ValueError(_l("area must be greater than 0"))
    centi = value * 100
    if centi != centi.to_integral_value():
        raise ValueError(_l("area '%(value)s' has more than two decimals", value=text))
    if centi > MAX_AREA_CENTI:
        raise ValueError(_l("area '%(value)s' is too large", value=text))
    return int(centi)


def _flag(text: str, name) -> bool:
    lowered = text.strip().lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise ValueError(_l("%(column)s must be 是 or 否, not '%(value)s'", column=name, value=text))


def parse(data: bytes, filename: str = "", *, max_rows: int = 5000) -> RosterPreview:
    """Read and check a roster file. Every bad row is reported with its line number."""
    table = _read_rows(data, filename)
    while table and not any(table[-1]):
        table.pop()
    if not table:
        raise RosterFormatError(_l("The file is empty."))
    header = [HEADERS.get(h.strip().lower().replace(" ", ""), HEADERS.get(h.strip())) for h in table[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise RosterFormatError(
            _l(
                "The first row must name the columns %(columns)s. Missing: %(missing)s.",
                columns="、".join(TEMPLATE_HEADER[:5]),
                missing="、".join(TEMPLATE_HEADER[REQUIRED.index(name)] for name in missing),
            )
        )
    if len(table) - 1 > max_rows:
        raise RosterFormatError(_l("The file has more than %(max)d rows. Split it by building.", max=max_rows))

    preview = RosterPreview()
    index = {name: header.index(name) for name in header if name}
    for line, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        preview_row = _parse_row(line, cells, index, preview.errors)
        if preview_row is not None:
            preview.rows.append(preview_row)
    _check_households(preview)
    if not preview.rows and not preview.errors:
        raise RosterFormatError(_l("The file has a header but no rows."))
    return preview


def _parse_row(line: int, cells: list[str], index: dict[str, int], errors: list[RowError]) -> RosterRow | None:
    def cell(name: str) -> str:
        position = index.get(name)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    problems = []
    building, unit, room, owner_name = cell("building"), cell("unit"), cell("room"), cell("owner_name")
    if not building:
        problems.append(_l("building is empty"))
    elif len(building) > 30:
        problems.append(_l("building name is longer than 30 characters"))
    for label, value in ((_l("unit"), unit), (_l("room"), room)):
        if not CODE_RE.match(value):
            problems.append(_l("%(column)s '%(value)s' must be 1-10 letters or digits", column=label, value=value))
    if not owner_name:
        problems.append(_l("owner name is empty"))
    elif len(owner_name) > 40:
        problems.append(_l("owner name is longer than 40 characters"))
    area = 0
    try:
        area = parse_area(cell("area"))
    except ValueError as exc:
        problems.append(exc.args[0])
    phone = normalize_phone(cell("owner_phone")) or None
    if phone is not None and not PHONE_RE.match(phone):
        problems.append(_l("phone '%(value)s' is not an 11-digit mobile number", value=cell("owner_phone")))
    flags = {}
    for name, label in (("representative", _l("representative")), ("developer_unsold", _l("developer unsold"))):
        try:
            flags[name] = _flag(cell(name), label)
        except ValueError as exc:
            problems.append(exc.args[0])
    if problems:
        errors.append(RowError(line, str(_l("; ")).join(str(p) for p in problems)))
        return None
    return RosterRow(
        line=line,
        building=building,
        unit=unit,
        room=room,
        area_centi_m2=area,
        owner_name=owner_name,
        owner_phone=phone,
        representative=flags["representative"],
        developer_unsold=flags["developer_unsold"],
    )


def _check_households(preview: RosterPreview) -> None:
    """Rows of one household must agree on area; a co-owned one needs one representative."""
    groups: dict[tuple[str, str, str], list[RosterRow]] = {}
    for row in preview.rows:
        groups.setdefault((row.building, row.unit, row.room), []).append(row)
    for (building, unit, room), rows in groups.items():
        label = f"{building} {unit}-{room}"
        first = rows[0].line
        if len({r.area_centi_m2 for r in rows}) > 1:
            preview.errors.append(RowError(first, str(_l("%(unit)s: its rows give different areas", unit=label))))
        names = [r.owner_name for r in rows]
        if len(set(names)) != len(names):
            preview.errors.append(RowError(first, str(_l("%(unit)s: the same owner is listed twice", unit=label))))
        reps = sum(r.representative for r in rows)
        if len(rows) > 1 and reps != 1:
            preview.errors.append(
                RowError(
                    first,
                    str(
                        _l(
                            "%(unit)s has %(n)d owners: mark exactly one as representative (代表人)",
                            unit=label,
                            n=len(rows),
                        )
                    ),
                )
            )
        if len({r.developer_unsold for r in rows}) > 1:
            preview.errors.append(RowError(first, str(_l("%(unit)s: rows disagree on developer unsold", unit=label))))
    preview.errors.sort(key=lambda e: e.line)


def import_roster(
    viewer: Viewer | None, community: Community, preview: RosterPreview, *, check_permission: bool = True
) -> ImportResult:
    """Write a checked roster: households are added or updated, owners replaced. It flushes; the edge's one
    commit writes it all, and a refusal or failure part-way (rolled back there) writes nothing.

    Nothing is written when the preview has any error. The CLI imports as the operator (no viewer, no check).
    """
    if check_permission and (
        viewer is None or viewer.community_id != community.id or not permissions.can_manage_roster(viewer)
    ):
        raise Forbidden()
    actor = viewer.user if viewer is not None else None
    if not preview.ok:
        raise DomainError("bad_file", _l("Fix the rows with errors first; nothing was imported."), field="file")

    buildings = {b.name: b for b in db.session.scalars(select(Building).where(Building.community_id == community.id))}
    households = {
        (h.building_id, h.unit, h.room): h
        for h in db.session.scalars(select(Household).where(Household.community_id == community.id))
    }
    groups: dict[tuple[str, str, str], list[RosterRow]] = {}
    for row in preview.rows:
        groups.setdefault((row.building, row.unit, row.room), []).append(row)

    created_buildings = created = updated = owners = 0
    for (building_name, unit, room), rows in groups.items():
        building = buildings.get(building_name)
        if building is None:
            building = Building(community_id=community.id, name=building_name, sort_order=len(buildings))
            db.session.add(building)
            db.session.flush()
            buildings[building_name] = building
            created_buildings += 1
        household = households.get((building.id, unit, room))
        if household is None:
            household = Household(
                community_id=community.id,
                building_id=building.id,
                unit=unit,
                room=room,
                area_centi_m2=rows[0].area_centi_m2,
            )
            db.session.add(household)
            households[(building.id, unit, room)] = household
            created += 1
        else:
            updated += 1
        household.area_centi_m2 = rows[0].area_centi_m2
        household.developer_unsold = rows[0].developer_unsold
        linked = {o.phone: o.user_id for o in household.owners if o.phone and o.user_id}
        household.owners.clear()
        db.session.flush()
        for row in rows:
            household.owners.append(
                HouseholdOwner(
                    name=row.owner_name,
                    phone=row.owner_phone,
                    is_representative=row.representative or len(rows) == 1,
                    user_id=linked.get(row.owner_phone),
                )
            )
            owners += 1
    result = ImportResult(created_buildings, created, updated, owners)
    audit.record(
        actor,
        "roster.import",
        community,
        community_id=community.id,
        buildings_created=created_buildings,
        households_created=created,
        households_updated=updated,
        owners=owners,
    )
    db.session.flush()
    return result


def template_csv() -> bytes:
    """A template staff can fill in with Excel or WPS (UTF-8 with BOM so Excel reads Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_HEADER)
    writer.writerow(["1栋", "1", "101", "89.50", "张建国", "13800001111", "是", "否"])
    writer.writerow(["1栋", "1", "102", "120.00", "李秀英", "13800002222", "是", "否"])
    writer.writerow(["1栋", "1", "102", "120.00", "王志强", "", "否", "否"])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


def stash(directory, data: bytes, community_id: int, user_id: int) -> str:
    """Keep an uploaded roster between preview and confirmation; returns its token."""
    token = secrets.token_hex(16)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{community_id}-{user_id}-{token}.roster").write_bytes(data)
    return token


def unstash(directory, token: str, community_id: int, user_id: int, *, remove: bool = False) -> bytes:
    """The stashed upload for this community and user, or a clear error if it is gone."""
    path = Path(directory) / f"{community_id}-{user_id}-{token}.roster"
    if not _TOKEN_RE.match(token or "") or not path.is_file():
        raise DomainError("bad_request", _l("This preview has expired. Upload the file again."), field="file")
    data = path.read_bytes()
    if remove:
        path.unlink(missing_ok=True)
    return data
