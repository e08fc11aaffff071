"""The columns of a go-live register corrected and saved by name (issue 16, point 2 for every register): a
workbook with a renamed column gets a proposal leaving that field at 不导入 (or, when it is a key column,
proposed from the header names alone); a required field without a column is named before anything runs;
the user's choice as an exact mapping is what the import uses; saved by name (kind = the register), it is
proposed for the next file of that shape and found by `propertydesk import <kind> FILE --mapping NAME`."""
from __future__ import annotations

import pytest
from openpyxl import Workbook

from app.core.errors import NotFound, ValidationError
from app.golive import register_columns as rc
from app.golive import register_sheets as rs
from app.golive.balances_import import import_balances
from app.golive.owners_import import import_owners
from app.golive.registers_import import import_register
from models.golive import ImportMapping
from models.keys import Key
from models.ledger import Charge
from models.parking import Vehicle
from models.users import AuditLog
from tests.golive.test_history_import import run_cli
from tests.helpers.golive import ledger_rows, office_ledger

CODES = [code for code, _row in ledger_rows(36)]

# kind → (sheet, header, rows, the renamed field, its header, how to count what was written)
BOOKS = {
    "balances": ("期初余额", ["房号", "收费项目", "所属月份", "本期欠款", "预存金额(元)"],
                 [[CODES[0], "物业费", "2026-09", "100.00", None], [CODES[1], "水费", "2026-10", "35.60", None],
                  [CODES[2], None, None, None, "1200"]], "arrears", "本期欠款"),
    "keys": ("钥匙登记", ["钥匙描述", "钥匙类别", "数量", "存放位置", "保管人"],
             [["1号楼 楼道竖井", "公共钥匙", 2, "客服前台", "李娜"],
              ["2号楼 配电室", "公共钥匙", 1, "监控中心", "王强"],
              ["地下车库 消防通道", "公共钥匙", 3, "客服前台", None]], "area", "钥匙描述"),
    "vehicles": ("车位车辆", ["车位编号", "房屋编号", "号牌", "车主", "联系电话"],
                 [["B1-0001", CODES[0], "粤B10001", "张三", "13900000001"],
                  ["B1-0002", CODES[1], "粤B10002", "李四", "13900000002"],
                  ["B1-0003", CODES[2], "粤B10003", "王五", "13900000003"]], "plate", "号牌"),
}


def written(kind: str) -> int:
    if kind == "balances":
        return Charge.select().where(Charge.item_code.in_(["property_fee", "water"])).count()
    if kind == "keys":
        return Key.select().count()
    return Vehicle.select().count()


def book(path, kind: str, title: str = "上线登记"):
    sheet, header, rows, _f, _h = BOOKS[kind]
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def site(ctx, tmp_path):
    rep = import_owners(ctx, office_ledger(tmp_path / "台账.xlsx", homes=36))
    assert rep.created_homes == 36
    return ctx


def run(ctx, kind, path, mapping, dry_run=False):
    if kind == "balances":
        return import_balances(ctx, path, mapping, dry_run=dry_run)
    return import_register(ctx, kind, path, mapping, dry_run=dry_run)


def corrected(kind, p) -> dict[str, str]:
    _s, _h, _r, key, header = BOOKS[kind]
    return {**p.header_columns(), key: header}


@pytest.mark.parametrize("kind", ["balances", "keys", "vehicles"])
def test_renamed_column_corrected_used_exactly_saved_and_proposed_again(site, tmp_path, kind):
    ctx = site
    _s, header, _rows, key, renamed = BOOKS[kind]
    path = book(tmp_path / f"{kind}1.xlsx", kind)
    p = rc.column_proposal(path, kind)
    assert p.header_row == 1 and key not in p.columns and p.headers[header.index(renamed)] == renamed
    # keys: 钥匙名称 is the key column, so the shipped mapping does not fit and the names alone propose
    assert p.source == ("按表头名称推测" if kind == "keys" else rs.ROLE_WORDS[kind])
    m = rc.window_mapping(kind, "窗口", corrected(kind, p))
    assert m.exact and m.columns[key] == renamed
    dry = run(ctx, kind, path, m, dry_run=True)
    assert dry.rows == 3 and not dry.rejected and written(kind) == 0
    rep = run(ctx, kind, path, m)
    assert not rep.rejected and written(kind) == (2 if kind == "balances" else 3)
    if kind == "keys":
        assert Key.get(Key.area == "2号楼 配电室").keeper_place == "监控中心"
    if kind == "vehicles":
        assert {v.plate for v in Vehicle.select()} == {"粤B10001", "粤B10002", "粤B10003"}
    row = rc.save_register_mapping(ctx, m, f"旧系统{kind}")
    assert (row.kind, ImportMapping.get(ImportMapping.name == f"旧系统{kind}").kind) == (kind, kind)
    assert AuditLog.select().where(AuditLog.action == "golive.mapping").count() == 1
    again = rc.column_proposal(book(tmp_path / f"{kind}2.xlsx", kind, "第二份"), kind)
    assert again.source == f"旧系统{kind}" and again.columns[key] == header.index(renamed)
    loaded = rs.load(kind, f"旧系统{kind}")
    assert loaded.exact and loaded.columns == m.columns
    with pytest.raises(NotFound, match=f"可用：旧系统{kind}、"):
        rs.load(kind, "没有这个")


def test_an_exact_mapping_imports_only_what_it_names(site, tmp_path):
    """备注 left at 不导入 is not imported even though 说明/备注 is a header the app knows."""
    ctx = site
    path = tmp_path / "keys.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["钥匙名称", "数量", "备注"])
    ws.append(["1号楼 楼道竖井", 2, "只在白天借出"])
    wb.save(path)
    rep = import_register(ctx, "keys", path, rc.window_mapping("keys", "窗口", {"area": "钥匙名称", "copies": "数量"}))
    assert rep.written == 1 and Key.get().notes == "" and Key.get().copies == 2


@pytest.mark.parametrize(("kind", "columns", "words"), [
    ("keys", {"copies": "数量"}, "钥匙名称：必须指定对应的列"),
    ("balances", {"area": None, "room": "房号"}, "欠费金额：欠费金额和预存金额至少要指定一列"),
    ("balances", {"arrears": "预存金额(元)"}, "房号：必须指定对应的列"),
    ("vehicles", {"room": "房屋编号"}, "车位号：车位号和车牌号至少要指定一列"),
    ("vehicles", {"space": "车位编号", "plate": "车位编号"}, "车牌号：与“车位号”选了同一列“车位编号”"),
])
def test_a_required_field_without_a_column_is_named_before_anything_runs(site, tmp_path, kind, columns, words):
    ctx = site
    cols = {k: v for k, v in columns.items() if v}
    with pytest.raises(ValidationError, match=words):
        rc.window_mapping(kind, "窗口", cols)
    with pytest.raises(ValidationError, match=words):
        rc.save_register_mapping(ctx, rs.RegisterMapping("w", kind, "w", cols, exact=True), "不完整")
    assert not ImportMapping.select().exists() and written(kind) == 0


def test_a_saved_name_is_kept_apart_from_other_kinds_and_shipped_names(site):
    ctx = site
    m = rc.window_mapping("keys", "窗口", {"area": "钥匙描述"})
    rc.save_register_mapping(ctx, m, "旧系统")
    with pytest.raises(ValidationError, match="映射名称：“旧系统”已是另一类导入的映射名称"):
        rc.save_register_mapping(ctx, rc.window_mapping("vehicles", "窗口", {"plate": "号牌"}), "旧系统")
    with pytest.raises(ValidationError, match="系统自带映射的名称"):
        rc.save_register_mapping(ctx, m, "钥匙登记")
    with pytest.raises(ValidationError, match="用于钥匙登记，不能导入车位与车辆"):
        rs.load("vehicles", m)
    assert [x.name for x in rs.saved("keys")] == ["旧系统"] and rs.saved("vehicles") == []


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["balances", "keys", "vehicles"])
def test_the_command_line_finds_the_saved_mapping_by_name(site, data_dir, tmp_path, kind):
    ctx = site
    path = book(tmp_path / f"{kind}.xlsx", kind)
    p = rc.column_proposal(path, kind)
    rc.save_register_mapping(ctx, rc.window_mapping(kind, "窗口", corrected(kind, p)), "oldsys")
    r = run_cli(data_dir, "import", kind, str(path), "--mapping", "oldsys", "--dry-run")
    assert r.returncode == 0, r.stderr + r.stdout
    assert "试导入" in r.stdout and "映射：oldsys" in r.stdout and written(kind) == 0
    r = run_cli(data_dir, "import", kind, str(path), "--mapping", "oldsys")
    assert r.returncode == 0, r.stderr + r.stdout
    assert written(kind) == (2 if kind == "balances" else 3)
    r = run_cli(data_dir, "import", kind, str(book(tmp_path / "b.xlsx", kind, "另一份")), "--mapping", "nosuch")
    assert r.returncode == 2
    shipped = rs.shipped(kind)[0].name
    assert f"没有名为“nosuch”的导入映射（可用：oldsys、{shipped}）" in r.stderr + r.stdout


@pytest.mark.parametrize(("kind", "header", "rows", "key", "renamed"), [
    ("meters", ["房号", "表类", "表号", "止数"], [[CODES[0], "水", "S1", 100.5], [CODES[1], "电表", "D2", 2001]],
     "reading", "止数"),
    ("residents", ["房号", "家庭成员", "与业主关系", "电话"], [[CODES[0], "王小明", "子女", "13900001111"],
                                                     [CODES[1], "李桂芳", "配偶", None]], "name", "家庭成员"),
])
def test_meters_and_residents_take_the_corrected_column_too(site, tmp_path, kind, header, rows, key, renamed):
    from models.ledger import MeterReading
    from models.people import Resident
    ctx = site
    path = tmp_path / f"{kind}.xlsx"
    wb = Workbook()
    for r in [header, *rows]:
        wb.active.append(r)
    wb.save(path)
    p = rc.column_proposal(path, kind)
    assert p.source == "按表头名称推测" and key not in p.columns        # a key column renamed: no mapping fits
    with pytest.raises(ValidationError, match=f"{rs.label(kind, key)}：必须指定对应的列"):
        rc.window_mapping(kind, "窗口", p.header_columns())
    rep = import_register(ctx, kind, path, rc.window_mapping(kind, "窗口", corrected_to(p, key, renamed)))
    assert (rep.written, rep.rejected) == (2, [])
    assert (MeterReading if kind == "meters" else Resident).select().count() == 2


def corrected_to(p, key, header) -> dict[str, str]:
    return {**p.header_columns(), key: header}
