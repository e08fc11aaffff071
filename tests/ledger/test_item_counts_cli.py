"""propertydesk counts set / import (issue 17), in real processes: a count set from a month, a sheet of
counts imported all-or-nothing, a bad count named by its row and column."""
from __future__ import annotations

import pytest

from app.ledger import billing, charge_item_edit
from models.item_counts import ItemCount
from models.ledger import Charge
from tests.helpers.ledger import make_site
from tests.ledger.test_ledger_cli import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture
def item(ctx, users):
    make_site(ctx, users)
    return charge_item_edit.save_item(ctx, {"name": "电动车充电桩管理费", "category": "periodic", "formula": "count",
                                            "rate": "8.00", "count_unit": "辆", "valid_from": "2026-01"})


def _sheet(path, rows):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_cli_counts_set_from_a_month(ctx, item, data_dir):
    r = run_cli(data_dir, "counts", "set", "--room", "5-101", "--item", item.code, "--count", "2",
                "--from", "2026-11")
    assert r.returncode == 0, r.stderr
    assert "5-101 电动车充电桩管理费：0 → 2（自 2026-11 起）" in r.stdout
    r = run_cli(data_dir, "counts", "set", "--room", "5-101", "--item", "电动车充电桩管理费", "--count", "3",
                "--from", "2026-12")
    assert r.returncode == 0 and "2 → 3（自 2026-12 起）" in r.stdout, r.stderr
    assert [(x.count, x.valid_from, x.valid_to) for x in ItemCount.select().order_by(ItemCount.id)] == [
        (2, "2026-11", "2026-11"), (3, "2026-12", None)]
    r = run_cli(data_dir, "counts", "set", "--room", "5-101", "--item", item.code, "--count", "120")
    assert r.returncode != 0 and "数量（电动车充电桩管理费）：应为 0 到 99 之间的整数" in r.stderr
    billing.run_month(ctx, "2026-11")
    assert Charge.get(Charge.item_code == item.code).amount_fen == 1600


def test_cli_counts_import_all_or_nothing(ctx, item, data_dir, tmp_path):
    bad = _sheet(tmp_path / "bad.xlsx", [("房号", "收费项目", "数量"), ("5-101", "电动车充电桩管理费", 2),
                                          ("5-102", "电动车充电桩管理费", "二")])
    r = run_cli(data_dir, "counts", "import", str(bad))
    assert r.returncode != 0 and "第3行数量（C列）" in r.stderr, r.stderr
    assert ItemCount.select().count() == 0
    good = _sheet(tmp_path / "good.xlsx", [("房号", "收费项目", "数量", "起始月份", "备注"),
                                            ("5-101", "电动车充电桩管理费", 2, "2026-11", "两辆"),
                                            ("5-102", item.code, 1, "2026-11", None),
                                            ("6-101", "电动车充电桩管理费", 0)])
    r = run_cli(data_dir, "counts", "import", str(good), "--dry-run")
    assert r.returncode == 0 and "检查通过（未写入）：共 3 行，变更 2 户项，未变 1 户项" in r.stdout, r.stderr
    assert ItemCount.select().count() == 0
    r = run_cli(data_dir, "counts", "import", str(good))
    assert r.returncode == 0 and "已导入：共 3 行，变更 2 户项" in r.stdout, r.stderr
    billing.run_month(ctx, "2026-11")
    got = {c.home.room_code: c.amount_fen for c in Charge.select().where(Charge.item_code == item.code)}
    assert got == {"5-101": 1600, "5-102": 800}
    assert ItemCount.get(ItemCount.count == 2).memo == "两辆"
