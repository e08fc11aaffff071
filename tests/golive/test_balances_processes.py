"""Opening balances and registers with real processes: the command line (dry run, import, the same
file refused, exit codes) and an import killed with SIGKILL mid-transaction leaving nothing."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from app.golive.owners_import import import_owners
from models.golive_opening import RegisterImport
from models.ledger import Charge, Payment
from models.users import AuditLog
from tests.archives.test_cli_archives import first_manager, run
from tests.helpers.golive import office_ledger
from tests.helpers.golive_registers import balances_workbook, keys_workbook, meters_workbook
from tests.helpers.killed import kill_at_marker

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_cli_imports_balances_and_registers(tmp_path):
    d = tmp_path / "data"
    first_manager(d)
    rc, out, err = run("import", "owners", str(office_ledger(tmp_path / "台账.xlsx", homes=40)), data_dir=d)
    assert rc == 0, out + err
    path = balances_workbook(tmp_path / "期初余额.xlsx", homes=40)
    rc, out, err = run("import", "balances", str(path), "--dry-run", data_dir=d)
    assert rc == 3, out + err                                             # the bad rows are listed
    assert "试导入（未写入）：期初欠费与预存 20 条，拒绝 7 行" in out and "拒绝 第23行：房号：“99-9-999”" in out
    rc, out, err = run("import", "balances", str(path), "--mapping", "opening_balances", data_dir=d)
    assert rc == 3 and "导入完成：期初欠费与预存 20 条" in out and "预存余额：4 笔 4,800.00 元" in out, out + err
    rc, out, err = run("import", "balances", str(path), data_dir=d)
    assert rc == 2 and "不会重复导入" in err, out + err
    rc, out, err = run("import", "keys", str(keys_workbook(tmp_path / "钥匙.xlsx")), "--mapping", "meters",
                       data_dir=d)
    assert rc == 2 and "映射“水电气表号与读数”用于水电气表，不能导入钥匙登记" in err, out + err
    rc, out, err = run("import", "meters", str(meters_workbook(tmp_path / "水电表.xlsx", homes=40)), data_dir=d)
    assert rc == 3 and "导入完成：水电气表 80 条，拒绝 2 行" in out, out + err


CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from app.system.context import open_context
    from app.golive import balances_import
    from models.users import User
    ctx = open_context(Path(sys.argv[1]), sys.argv[2] or None)
    ctx.user = User.get(User.username == "manager")
    import app.ledger.arrears as arrears
    real = arrears.refresh_arrears_flags
    def stall(*a, **k):
        n = real(*a, **k)                       # charges, payments and the import row written, not committed
        Path(sys.argv[4]).write_text("writing")
        time.sleep(120)
        return n
    arrears.refresh_arrears_flags = stall
    balances_import.import_balances(ctx, sys.argv[3])
""")


def test_balances_killed_mid_transaction_leave_nothing(ctx, data_dir, tmp_path):
    import_owners(ctx, office_ledger(tmp_path / "台账.xlsx"))
    path = balances_workbook(tmp_path / "期初余额.xlsx")
    marker = tmp_path / "marker"
    before = AuditLog.select().count()
    kill_at_marker(ctx, CHILD, path, marker=marker)
    assert (Charge.select().count(), Payment.select().count(), RegisterImport.select().count()) == (0, 0, 0)
    assert AuditLog.select().count() == before
