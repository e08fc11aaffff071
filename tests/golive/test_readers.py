"""Reading go-live workbooks: .xlsx/.xls/.csv, every sheet, header rows, full-width digits, Excel and
text dates, formula cells named, the limits of every import."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.core.errors import ValidationError
from app.golive import fields, readers
from tests.helpers.golive import system_export

XLS_SAMPLE = Path(__file__).with_name("data") / "ledger.xls"


def _book(path, rows, title="台账"):
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_sheets_listed_and_read_with_dates_and_numbers(tmp_path):
    p = system_export(tmp_path / "导出.xlsx")
    assert readers.sheet_names(p) == ["楼栋单元", "业主信息", "房屋信息", "车位信息"]
    sheets = readers.read_workbook(p, ["房屋信息"])
    assert [s.name for s in sheets] == ["房屋信息"]
    rows = sheets[0].rows
    assert rows[0][:6] == ("房屋编号", "楼栋编号", "单元编号", "楼层", "建筑面积", "业主编号")
    assert rows[1][:2] == (101, 1) and len({len(r) for r in rows}) == 1
    p2 = _book(tmp_path / "d.xlsx", [["房号", "交房日期"], ["5-203", dt.datetime(2011, 6, 10)], ["5-204", 40704]])
    rows = readers.read_workbook(p2)[0].rows
    assert rows[1][1] == dt.date(2011, 6, 10) and rows[2][1] == 40704


def test_header_row_found_below_titles_and_explanations_ignored(tmp_path):
    p = system_export(tmp_path / "导出.xlsx")
    owners = readers.read_workbook(p, ["业主信息"])[0]
    h = fields.find_header(owners.rows, "owners")
    assert h.row == 0 and h.proposal == {"owner_no": 0, "name": 1, "gender": 2, "phone": 3, "id_number": 4}
    assert 6 not in h.names                        # the 说明 column after the empty one is not data
    p2 = _book(tmp_path / "l.xlsx", [["天伦庄园业主台账"], ["制表：客服中心"],
                                     ["楼号", "房间号", "业主", "手机号码", "联系电话（手机）", "面积(㎡)"]])
    h = fields.find_header(readers.read_workbook(p2)[0].rows, "ledger")
    assert h.row == 2 and h.proposal == {"building": 0, "room": 1, "name": 2, "phone": 3, "phone2": 4, "area": 5}
    # a header remembered from a saved mapping wins over the guess
    h = fields.find_header(readers.read_workbook(p2)[0].rows, "ledger", {"联系电话（手机）": "spouse_phone"})
    assert h.proposal["spouse_phone"] == 4


def test_formula_cells_named_with_and_without_value(tmp_path):
    p = _book(tmp_path / "f.xlsx", [["房号", "业主", "面积"], ["5-203", "张伟", "=100+23.45"]])
    s = readers.read_workbook(p)[0]
    assert s.formulas == {(1, 2): "=100+23.45"} and s.uncached == {(1, 2)}   # openpyxl stores no value
    assert s.cell_name(1, 2) == "C2"


def test_csv_in_utf8_and_gbk_with_full_width_digits(tmp_path):
    text = "房号,业主姓名,手机号码\n５－２０３,张伟,１３８１２３４５６７８\n\n"
    for enc in ("utf-8-sig", "gbk"):
        p = tmp_path / f"{enc}.csv"
        p.write_bytes(text.encode(enc))
        s = readers.read_workbook(p)[0]
        assert s.name == enc
        assert s.rows == [("房号", "业主姓名", "手机号码"), ("５－２０３", "张伟", "１３８１２３４５６７８")]


def test_xls_read_through_calamine():
    s = readers.read_workbook(XLS_SAMPLE)[0]
    assert s.rows[0][:3] == ("房号", "业主姓名", "联系电话")
    assert s.rows[1][:2] == ("5-1-203", "张伟")


@pytest.mark.parametrize(("name", "content", "expect"), [
    ("a.xlsx", b"not a workbook at all", "不是Excel文件"),
    ("a.xls", b"", "空文件"),
    ("a.txt", b"x", "不是可导入的文件类型"),
    ("a.xlsx", b"PK\x03\x04garbage", "损坏"),
])
def test_bad_files_refused_in_chinese(tmp_path, name, content, expect):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(ValidationError, match=expect) as e:
        readers.read_workbook(p)
    assert e.value.field == "文件"


def test_limits_name_the_far_cell_and_the_row(tmp_path, monkeypatch):
    wb = Workbook()
    wb.active.append(["房号", "业主"])
    wb.active["AB9"] = "远处的值"
    p = tmp_path / "far.xlsx"
    wb.save(p)
    with pytest.raises(ValidationError, match="AB9"):
        readers.read_workbook(p, max_rows=5, max_cols=20)
    c = tmp_path / "many.csv"
    c.write_text("房号,业主\n" + "5-101,张三\n" * 12, encoding="utf-8")
    with pytest.raises(ValidationError, match="第12行"):
        readers.read_workbook(c, max_rows=10)
    monkeypatch.setattr("app.core.imports.MAX_FILE_BYTES", 10)
    with pytest.raises(ValidationError, match="超过导入上限"):
        readers.read_workbook(c)
