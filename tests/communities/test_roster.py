"""Household roster import: CSV and XLSX, preview, per-row errors, all or nothing."""

from __future__ import annotations

import io
import re

import pytest
from flask_babel import force_locale
from openpyxl import Workbook
from sqlalchemy import func, select

from app.communities import access, roster
from app.communities.models import Building, Household, HouseholdOwner
from app.core.errors import DomainError
from app.extensions import db

HEADER = "楼栋,单元,室号,建筑面积,业主姓名,业主手机,代表人,开发商未售\n"
GOOD = HEADER + (
    "3栋,1,101,89.5,赵大勇,13811112222,是,否\n"
    "3栋,1,102,120.35,钱小红,13811113333,是,否\n"
    "3栋,1,102,120.35,孙立新,,否,否\n"
    "3栋,2,601,100,开发商,,是,是\n"
)


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Building)),
        db.session.scalar(select(func.count()).select_from(Household)),
        db.session.scalar(select(func.count()).select_from(HouseholdOwner)),
    )


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("area", ["89.5", "89.50", "89.5㎡", "0.01", "1,089.50"])
def test_parse_area_is_exact(area):
    expected = {"89.5": 8950, "89.50": 8950, "89.5㎡": 8950, "0.01": 1, "1,089.50": 108950}[area]
    assert roster.parse_area(area) == expected


@pytest.mark.parametrize("area", ["0", "-5", "abc", "89.505", "", "NaN", "Infinity", "1e9"])
def test_parse_area_refuses(area):
    with pytest.raises(ValueError):
        roster.parse_area(area)


def test_good_csv_parses(app):
    preview = roster.parse(GOOD.encode("utf-8-sig"), "roster.csv")
    assert preview.ok and len(preview.rows) == 4 and preview.household_count == 3
    assert preview.rows[0].area_centi_m2 == 8950


def test_gbk_csv_from_excel_parses(app):
    preview = roster.parse(GOOD.encode("gb18030"), "roster.csv")
    assert preview.ok and preview.rows[0].owner_name == "赵大勇"


def test_xlsx_parses_numbers_as_written(app):
    data = xlsx(
        [
            ["楼栋", "单元", "室号", "建筑面积", "业主姓名", "业主手机", "代表人"],
            ["3栋", 1, 101, 89.5, "赵大勇", 13811112222, "是"],
        ]
    )
    preview = roster.parse(data, "roster.xlsx")
    assert preview.ok, preview.errors
    row = preview.rows[0]
    assert (row.unit, row.room, row.area_centi_m2, row.owner_phone) == ("1", "101", 8950, "13811112222")


def test_bad_rows_are_reported_with_line_numbers(app):
    data = HEADER + (
        "3栋,1,101,89.5,赵大勇,13811112222,是,否\n"
        "3栋,1,102,-3,钱小红,12345,是,否\n"
        ",1,103,80,李四,,是,否\n"
        "3栋,1,104,80,,,也许,否\n"
    )
    with force_locale("en"):  # outside a request the messages are in the default locale, Chinese
        preview = roster.parse(data.encode(), "roster.csv")
    assert not preview.ok
    by_line = {e.line: e.message for e in preview.errors}
    assert set(by_line) == {3, 4, 5}
    assert "area" in by_line[3] and "12345" in by_line[3]
    assert "building is empty" in by_line[4]
    assert "owner name is empty" in by_line[5] and "也许" in by_line[5]


def test_co_owned_unit_needs_exactly_one_representative(app):
    data = HEADER + "3栋,1,102,120.35,钱小红,,否,否\n3栋,1,102,120.35,孙立新,,否,否\n"
    with force_locale("en"):
        preview = roster.parse(data.encode(), "roster.csv")
    assert [e.line for e in preview.errors] == [2]
    assert "exactly one as representative" in preview.errors[0].message


def test_rows_of_one_unit_must_agree_on_area(app):
    data = HEADER + "3栋,1,102,120.35,钱小红,,是,否\n3栋,1,102,99,孙立新,,否,否\n"
    with force_locale("en"):
        preview = roster.parse(data.encode(), "roster.csv")
    assert "different areas" in preview.errors[0].message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV or XLSX"),
        (b"PK\x03\x04 not really a zip", "could not be read"),
        ("姓名,电话\n张三,138\n".encode(), "Missing"),
        (HEADER.encode(), "no rows"),
        (b"\xff\xfe\xfa\xfb invalid", "not readable text"),
    ],
)
def test_wrong_format_is_refused(app, data, message):
    with pytest.raises(DomainError) as excinfo:
        roster.parse(data, "x.csv")
    with force_locale("en"):
        assert message in str(excinfo.value.message)


def test_too_many_rows(app):
    data = HEADER + "".join(f"3栋,1,{100 + i},80,业主{i},,是,否\n" for i in range(11))
    with pytest.raises(DomainError):
        roster.parse(data.encode(), "x.csv", max_rows=10)


def test_import_creates_and_updates(app, world):
    before = counts()
    result = roster.import_roster(
        access.viewer(world.users["staff"], world.community), world.community, roster.parse(GOOD.encode())
    )
    db.session.commit()
    assert (result.buildings_created, result.households_created, result.owners) == (1, 3, 4)
    after = counts()
    assert after == (before[0] + 1, before[1] + 3, before[2] + 4)
    new_building = db.session.scalar(select(Building).where(Building.name == "3栋"))
    in_new = select(Household).where(Household.building_id == new_building.id)
    co_owned = db.session.scalar(in_new.where(Household.room == "102"))
    assert co_owned.representative.name == "钱小红"
    unsold = db.session.scalar(in_new.where(Household.room == "601"))
    assert unsold.developer_unsold
    # Importing a corrected area again updates, adds nothing.
    corrected = GOOD.replace("89.5,", "90.25,")
    result = roster.import_roster(
        access.viewer(world.users["staff"], world.community), world.community, roster.parse(corrected.encode())
    )
    db.session.commit()
    assert result.households_created == 0 and result.households_updated == 3
    assert counts() == after
    assert db.session.scalar(in_new.where(Household.room == "101")).area_centi_m2 == 9025


def test_import_keeps_owner_links_to_accounts(app, world):
    owner = world.households["a101"].owners[0]
    owner.user_id = world.users["owner"].id
    db.session.commit()
    data = HEADER + f"1栋,1,101,95,张建国,{owner.phone},是,否\n"
    roster.import_roster(
        access.viewer(world.users["staff"], world.community), world.community, roster.parse(data.encode())
    )
    db.session.commit()
    again = db.session.scalar(select(HouseholdOwner).where(HouseholdOwner.household_id == world.households["a101"].id))
    assert again.user_id == world.users["owner"].id


def test_import_with_errors_writes_nothing(app, world):
    before = counts()
    preview = roster.parse((GOOD + "3栋,1,103,abc,李四,,是,否\n").encode())
    with pytest.raises(DomainError):
        roster.import_roster(access.viewer(world.users["staff"], world.community), world.community, preview)
    assert counts() == before


def test_import_needs_staff(app, world):
    with pytest.raises(DomainError) as excinfo:
        roster.import_roster(
            access.viewer(world.users["leader_a"], world.community), world.community, roster.parse(GOOD.encode())
        )
    assert excinfo.value.status_code == 403


def _upload(client, data: bytes, name="roster.csv"):
    return client.post(
        "/c/cuizhuyuan/roster/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_preview_then_confirm_over_http(client, auth, world):
    auth.login(world.users["staff"])
    before = counts()
    response = _upload(client, GOOD.encode("utf-8-sig"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "赵大勇" in body and counts() == before  # preview writes nothing
    token = re.search(r'name="token"[^>]*value="([0-9a-f]{32})"', body) or re.search(
        r'value="([0-9a-f]{32})"[^>]*name="token"', body
    )
    response = client.post("/c/cuizhuyuan/roster/import/confirm", data={"token": token.group(1)})
    assert response.status_code == 302
    assert counts()[1] == before[1] + 3
    # The stashed file is gone: confirming again is refused and changes nothing.
    client.post("/c/cuizhuyuan/roster/import/confirm", data={"token": token.group(1)})
    assert counts()[1] == before[1] + 3


def test_preview_shows_row_errors_over_http(client, auth, world):
    auth.login(world.users["staff"])
    before = counts()
    response = _upload(client, (HEADER + "3栋,1,101,-1,赵大勇,,是,否\n").encode())
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "area must be greater than 0" in body and 'name="token"' not in body
    assert counts() == before


def test_upload_of_wrong_format_over_http(client, auth, world):
    auth.login(world.users["staff"])
    response = _upload(client, b"\x89PNG\r\n\x1a\n\x00\x00", "photo.csv")
    assert response.status_code == 400
    assert "not a CSV or XLSX" in response.get_data(as_text=True)
    assert client.post("/c/cuizhuyuan/roster/import", data={}).status_code == 400


def test_confirm_with_a_forged_token(client, auth, world):
    auth.login(world.users["staff"])
    before = counts()
    for token in ("../../etc/passwd", "0" * 32, ""):
        response = client.post("/c/cuizhuyuan/roster/import/confirm", data={"token": token})
        assert response.status_code in (302, 400)
    assert counts() == before


def test_roster_template_downloads(client, auth, world):
    auth.login(world.users["staff"])
    response = client.get("/c/cuizhuyuan/roster/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert roster.parse(response.data).ok


def test_cli_import_roster(app, world, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["yishi", "import-roster", str(good), "--community", "cuizhuyuan"])
    assert result.exit_code == 0, result.output
    assert "3 new households" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "3栋,1,101,xx,赵大勇,,是,否\n", encoding="utf-8")
    before = counts()
    result = runner.invoke(args=["yishi", "import-roster", str(bad), "--community", "cuizhuyuan"])
    assert result.exit_code == 1
    assert "line 2" in result.output and "nothing was imported" in result.output
    assert counts() == before
    result = runner.invoke(args=["yishi", "import-roster", str(good), "--community", "nowhere"])
    assert result.exit_code == 1
