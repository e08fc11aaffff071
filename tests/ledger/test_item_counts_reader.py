"""The counts sheet read by python-calamine (issue 17): the cells come in as openpyxl gave them (2 not
2.0), a month Excel turned into a date is read as its month, and the limits of every import still
refuse before a row is used, naming the import file."""
import datetime as dt

import pytest
import xlsxwriter

from app.core.errors import ValidationError
from app.ledger import charge_item_edit, item_counts
from models.item_counts import ItemCount
from tests.helpers.ledger import make_site


@pytest.fixture
def item(ctx, users):
    make_site(ctx, users)
    return charge_item_edit.save_item(ctx, {"name": "电动车充电桩管理费", "category": "periodic", "formula": "count",
                                            "rate": "8.00", "count_unit": "辆", "valid_from": "2026-01"})


def _sheet(path, rows):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    date = wb.add_format({"num_format": "yyyy-mm"})
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date)
            elif v is not None:
                ws.write(r, c, v)
    wb.close()
    return path


def test_numbers_and_a_month_typed_as_a_date(ctx, item, tmp_path):
    path = _sheet(tmp_path / "c.xlsx", [("房号", "收费项目", "数量", "起始月份", "备注"),
                                         ("5-101", "电动车充电桩管理费", 2, dt.date(2026, 11, 1), "两辆"),
                                         (None, None, None, None, None),
                                         ("5-102", item.code, 1.0, "2026-12", 7)])
    assert item_counts.read_sheet(path)[1] == ("5-101", "电动车充电桩管理费", 2, "2026-11", "两辆")
    assert item_counts.import_counts(ctx, path) == {"rows": 2, "changed": 2, "unchanged": 0}
    got = {(x.home.room_code, x.count, x.valid_from, x.memo) for x in ItemCount.select()}
    assert got == {("5-101", 2, "2026-11", "两辆"), ("5-102", 1, "2026-12", "7")}


def test_bad_cells_named_by_row_and_column(ctx, item, tmp_path):
    path = _sheet(tmp_path / "c.xlsx", [("房号", "收费项目", "数量"), ("5-101", "电动车充电桩管理费", 2.5)])
    with pytest.raises(ValidationError, match=r"第2行数量（C列）：应为 0 到 99 之间的整数，收到“2.5”"):
        item_counts.import_counts(ctx, path)
    path = _sheet(tmp_path / "h.xlsx", [("房号", "数量"), ("5-101", 2)])
    with pytest.raises(ValidationError, match="导入文件：第1行（表头）缺少列：收费项目"):
        item_counts.import_counts(ctx, path)
    assert ItemCount.select().count() == 0


def test_limits_refuse_before_reading(ctx, item, tmp_path, monkeypatch):
    far = tmp_path / "far.xlsx"
    wb = xlsxwriter.Workbook(str(far))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["房号", "收费项目", "数量"])
    ws.write(0, 40, "x")
    wb.close()
    with pytest.raises(ValidationError, match="导入文件") as exc:
        item_counts.import_counts(ctx, far)
    assert "AO1" in str(exc.value)
    text = tmp_path / "t.xlsx"
    text.write_text("房号,收费项目,数量\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="导入文件"):
        item_counts.import_counts(ctx, text)
    monkeypatch.setattr("app.core.imports.MAX_FILE_BYTES", 10)
    with pytest.raises(ValidationError, match="导入文件"):
        item_counts.import_counts(ctx, _sheet(tmp_path / "ok.xlsx", [("房号", "收费项目", "数量")]))
