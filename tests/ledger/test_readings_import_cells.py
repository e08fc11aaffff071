"""The readings import reads the sheet with python-calamine (issue 20: 10,000 rows ≤ 2 s): cells typed
as numbers, dates and date-times, blank rows and a meter's stored history read as openpyxl read them."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from app.core.errors import ValidationError
from app.ledger import meters
from models.ledger import MeterReading
from models.users import AuditLog
from tests.helpers.ledger import make_site


@pytest.fixture
def site(ctx, users):
    return make_site(ctx, users)


def _save(tmp_path, rows, name="cells.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(["房号", "表类", "读数", "抄表日期", "新表", "备注"])
    for r in rows:
        ws.append(list(r))
    wb.save(tmp_path / name)
    return tmp_path / name


def _stored(home, kind):
    return [(r.reading_date, r.reading_x100, r.new_meter, r.note) for r in MeterReading.select()
            .where((MeterReading.home == home) & (MeterReading.kind == kind))
            .order_by(MeterReading.reading_date, MeterReading.id)]


def test_typed_cells_read_as_numbers_and_dates(ctx, site, tmp_path):
    path = _save(tmp_path, [
        ("5-101", "水", 1234, dt.date(2026, 11, 1), None, None),              # whole number, date cell
        ("5-102", "电费", 12.5, dt.datetime(2026, 11, 2, 8, 30), None, "早班"),  # decimal, date-time cell
        (None, None, None, None, None, None),                               # a blank row in between
        ("5-102", "电", 3, "2026/11/5", "是", None)])                        # text date, a new meter's start
    n0 = AuditLog.select().count()
    assert meters.import_readings(ctx, path) == 3
    assert _stored(site["5-101"].id, "water") == [(dt.date(2026, 11, 1), 123400, False, "")]
    assert _stored(site["5-102"].id, "power") == [(dt.date(2026, 11, 2), 1250, False, "早班"),
                                                  (dt.date(2026, 11, 5), 300, True, "")]
    assert AuditLog.select().count() == n0 + 1


def test_the_latest_earlier_reading_and_a_later_one_are_the_neighbours(ctx, site, tmp_path):
    hid = site["5-101"].id
    for value, day in (("100", dt.date(2026, 8, 1)), ("200", dt.date(2026, 9, 1)), ("400", dt.date(2026, 11, 20))):
        meters.record_reading(ctx, hid, "water", value, day)
    with pytest.raises(ValidationError) as err:     # the last stored reading before the file's date, not an older one
        meters.import_readings(ctx, _save(tmp_path, [("5-101", "水", 150, dt.date(2026, 10, 1), None, None)]))
    assert err.value.field == "第2行" and "不能小于上次读数 200.00（2026-09-01）" in err.value.problem
    with pytest.raises(ValidationError) as err:     # a stored reading after the file's date bounds it from above
        meters.import_readings(ctx, _save(tmp_path, [("5-101", "水", 250, dt.date(2026, 10, 1), None, None),
                                                     ("5-101", "水", 450, dt.date(2026, 11, 10), None, None)]))
    assert err.value.field == "第3行" and "不能大于之后的读数 400.00（2026-11-20）" in err.value.problem
    assert len(_stored(hid, "water")) == 3                                  # all rows or none
    assert meters.import_readings(ctx, _save(tmp_path, [("5-101", "水", 250, dt.date(2026, 10, 1), None, None),
                                                        ("5-101", "水", 390, dt.date(2026, 11, 10), None, None)])) == 2
    assert [r[1] for r in _stored(hid, "water")] == [10000, 20000, 25000, 39000, 40000]


def test_empty_required_cell_and_unknown_kind_named(ctx, site, tmp_path):
    with pytest.raises(ValidationError) as err:
        meters.import_readings(ctx, _save(tmp_path, [("5-101", "水", 1, "2026-11-01", None, None),
                                                     ("5-102", "水", None, "2026-11-01", None, None)]))
    assert err.value.field == "第3行" and "读数（C列）不能为空" in err.value.problem
    with pytest.raises(ValidationError) as err:
        meters.import_readings(ctx, _save(tmp_path, [("5-101", "暖气", 1, "2026-11-01", None, None)]))
    assert err.value.field == "第2行" and "应为水、电或燃气" in err.value.problem
    assert MeterReading.select().count() == 0
