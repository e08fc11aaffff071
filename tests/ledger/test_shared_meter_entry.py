"""The shared meter's month entered without the manager's 收费项目 list (issue 17): the meter reader reads the
公摊 meter like any other meter (起读数, 止读数 × 单价 → the amount, half-up to the fen); the manager sets an
amount from the command line (`propertydesk shared-meter set|list`, real processes). Refused once billed,
audited, a bad input names its field. Homes of tests.helpers.ledger.make_site (653.45 ㎡ billed)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from app.core.errors import NotFound, PermissionDenied, StateError, ValidationError
from app.ledger import billing, charge_item_edit, shared_meter
from models.ledger import Charge
from models.shared_meter import SharedMeterReading
from models.users import AuditLog
from tests.helpers.ledger import make_site
from tests.ledger.test_ledger_cli import ROOT, run_cli

PERIOD = "2026-11"


@pytest.fixture
def site(ctx, users):
    make_site(ctx, users)
    return charge_item_edit.save_item(ctx, {"name": "公摊电费", "category": "metered", "formula": "公摊（按面积）",
                                            "scope": "all", "cycle": "month", "valid_from": "2026-01"})


def _billed(code, period=PERIOD) -> int:
    return sum(c.amount_fen for c in Charge.select().where((Charge.item_code == code) & (Charge.bill_period == period)))


def test_meter_reader_enters_readings_and_price(ctx, as_role, site):
    reader = as_role("area_manager")
    row = shared_meter.read_meter(reader, site.id, PERIOD, "1200", "3404.5", "0.5683", "地下车库、电梯")
    # 2,204.50 度 × 0.5683 元 = 1,252.81735 → 1,252.82 元
    assert (row.amount_fen, row.usage_x100, row.created_by_id) == (125282, 220450, reader.user.id)
    assert row.note == "抄表 起1200.00 止3404.50 单价0.5683；地下车库、电梯"
    [listed] = shared_meter.readings(ctx, site.id)
    assert listed["readings"] == {"from": "1200.00", "to": "3404.50", "price": "0.5683", "note": "地下车库、电梯"}
    assert (listed["entered_by"], listed["usage"], listed["billed"]) == ("张管家", "2204.50", False)
    audit = AuditLog.select().where(AuditLog.action == "ledger.shared_reading").order_by(AuditLog.id.desc()).first()
    after = json.loads(audit.after)
    assert (after["amount_fen"], after["读数"], audit.username) == (125282, "抄表 起1200.00 止3404.50 单价0.5683",
                                                                  "area_manager")
    # the next month suggests last month's 止读数 and price
    assert shared_meter.last_reading(site.id, "2026-12")["to"] == "3404.50"
    assert shared_meter.last_reading(site.id, PERIOD)["to"] == ""
    # a correction before billing (the cashier reads again), then the run splits it exactly
    shared_meter.read_meter(as_role("cashier"), site.id, PERIOD, "1200", "3400", "0.5683")
    assert SharedMeterReading.select().count() == 1
    billing.run_month(ctx, PERIOD)
    assert _billed(site.code) == 125026                                      # 2,200.00 × 0.5683 = 1,250.26 元
    with pytest.raises(StateError, match="已出账，公摊读数不能再修改"):
        shared_meter.read_meter(reader, site.id, PERIOD, "1200", "3500", "0.5683")


@pytest.mark.parametrize(("args", "words"), [
    (("1200", "1200", "0.56"), "止读数：应大于起读数 1200.00"),
    (("1200", "", "0.56"), "止读数：不能为空"),
    (("一千", "1300", "0.56"), "起读数：“一千”不是数字"),
    (("1200", "1300.123", "0.56"), "止读数：最多 2 位小数"),
    (("1200", "1300", "0.56789"), "单价：最多 4 位小数"),
    (("1200", "1300", "0"), "单价：应大于零"),
    (("-5", "1300", "0.56"), "起读数：应在 0 到 99999999.99 之间"),
])
def test_bad_readings_name_the_field(ctx, site, args, words):
    with pytest.raises(ValidationError, match=words):
        shared_meter.read_meter(ctx, site.id, PERIOD, *args)
    assert SharedMeterReading.select().count() == 0


def test_reader_roles_only_and_manager_sets_the_amount(ctx, as_role, site):
    with pytest.raises(PermissionDenied):
        shared_meter.read_meter(as_role("backup"), site.id, PERIOD, "1", "2", "1")
    with pytest.raises(PermissionDenied):                                    # an amount typed: the manager's
        shared_meter.set_month(as_role("cashier"), site.code, PERIOD, "1234.57")
    row = shared_meter.set_month(ctx, "公摊电费", PERIOD, "1234.57")          # by name, no readings
    assert (row.amount_fen, row.usage_x100, row.note) == (123457, None, "")
    row = shared_meter.set_month(ctx, site.code, PERIOD, "1234.57", "1200", "3404.5", "电梯")
    assert (row.amount_fen, row.usage_x100, row.note) == (123457, 220450, "抄表 起1200.00 止3404.50；电梯")
    with pytest.raises(NotFound, match="收费项目“custom_99”不存在"):
        shared_meter.set_month(ctx, "custom_99", PERIOD, "1")
    with pytest.raises(ValidationError, match="收费项目：“物业服务费”不是公摊分摊项目"):
        shared_meter.set_month(ctx, "物业服务费", PERIOD, "1")
    with pytest.raises(ValidationError, match="止读数：不能为空"):
        shared_meter.set_month(ctx, site.code, PERIOD, "1234.57", "1200", None)


# -------------------------------------------------------------------------------------- command line
@pytest.mark.slow
def test_cli_set_and_list(ctx, site, data_dir):
    r = run_cli(data_dir, "shared-meter", "set", "--item", site.code, "--month", "2026-12", "--amount", "1234.57",
                "--reading-from", "1200", "--reading-to", "3404.5")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "已录入 公摊电费 2026-12 公摊金额 1,234.57 元，用量 2204.50（出账前可更正）" in r.stdout
    row = SharedMeterReading.get(SharedMeterReading.period == "2026-12")
    assert (row.amount_fen, row.usage_x100, row.note) == (123457, 220450, "抄表 起1200.00 止3404.50")
    assert AuditLog.select().where((AuditLog.action == "ledger.shared_reading")
                                   & (AuditLog.username == "manager")).count() == 1
    shared_meter.read_meter(ctx, site.id, PERIOD, "1000", "1200", "0.6")
    r = run_cli(data_dir, "shared-meter", "list")
    assert r.returncode == 0, r.stderr
    assert f"公摊项目：公摊电费（{site.code}）" in r.stdout and "已录入 2 个月" in r.stdout
    line = f"2026-12 公摊电费（{site.code}） 1,234.57 元 用量 2204.50 读数 1200.00→3404.50 未出账 录入 王经理"
    assert line in r.stdout, r.stdout
    assert "2026-11 公摊电费" in r.stdout and "读数 1000.00→1200.00 单价 0.6" in r.stdout


@pytest.mark.slow
def test_cli_refusals(ctx, site, data_dir):
    r = run_cli(data_dir, "shared-meter", "set", "--item", site.code, "--month", PERIOD, "--amount", "-5")
    assert r.returncode != 0 and "公摊金额" in r.stderr, r.stderr
    r = run_cli(data_dir, "shared-meter", "set", "--item", "custom_99", "--month", PERIOD, "--amount", "5")
    assert r.returncode != 0 and "收费项目“custom_99”不存在" in r.stderr, r.stderr
    r = run_cli(data_dir, "shared-meter", "set", "--item", site.code, "--month", PERIOD, "--amount", "5",
                "--reading-from", "300", "--reading-to", "200")
    assert r.returncode != 0 and "止读数：应大于起读数 300.00" in r.stderr, r.stderr
    cashier = subprocess.run([sys.executable, "-m", "propertydesk", "shared-meter", "set", "--item", site.code,
                              "--month", PERIOD, "--amount", "5", "--data-dir", str(data_dir)], cwd=ROOT,
                             capture_output=True, text=True, encoding="utf-8", timeout=120, check=False,
                             env=dict(os.environ, PROPERTYDESK_USER="cashier"))
    assert cashier.returncode != 0 and "经理" in cashier.stderr, cashier.stderr
    assert SharedMeterReading.select().count() == 0
    shared_meter.set_month(ctx, site.code, PERIOD, "653.45")
    billing.run_month(ctx, PERIOD)
    r = run_cli(data_dir, "shared-meter", "set", "--item", site.code, "--month", PERIOD, "--amount", "700")
    assert r.returncode != 0 and "公摊电费 2026-11 已出账，公摊读数不能再修改" in r.stderr, r.stderr
    assert _billed(site.code) == 65345
