"""The parking register with real processes: `propertydesk import vehicles` (dry run, import, the same file
refused, exit codes) and an import killed with SIGKILL mid-transaction leaving nothing."""
from __future__ import annotations

import textwrap

import pytest

from app.golive.owners_import import import_owners
from models.golive import PendingCheck
from models.golive_opening import RegisterImport
from models.parking import Vehicle
from models.people import ParkingOwner
from models.property import ParkingSpace
from models.users import AuditLog
from tests.archives.test_cli_archives import first_manager, run
from tests.golive.test_vehicles_import import EXTRA
from tests.helpers.golive import office_ledger
from tests.helpers.golive_vehicles import vehicles_workbook
from tests.helpers.killed import kill_at_marker

pytestmark = pytest.mark.slow


def test_cli_imports_vehicles(tmp_path):
    d = tmp_path / "data"
    first_manager(d)
    rc, out, err = run("import", "owners", str(office_ledger(tmp_path / "台账.xlsx", homes=36)), data_dir=d)
    assert rc == 0, out + err
    path = vehicles_workbook(tmp_path / "车位车辆.xlsx", homes=36, extra=EXTRA)
    rc, out, err = run("import", "vehicles", str(path), "--dry-run", data_dir=d)
    assert rc == 3, out + err                                  # rows were refused: listed by row
    assert out.startswith("试导入（未写入）：车位 39 个（新建 39，与已有车位匹配 0，关联房屋 37 个），车辆 20 辆，"
                          "待核对 2 项，拒绝 3 处（共 42 行）"), out
    assert "  第3行：车位 B1-0001 新建，关联 1-1-101；车辆 粤B10000（1-1-101）" in out
    assert "拒绝 第42行：车牌号：粤B10000 与第3行重复" in out
    rc, out, err = run("import", "vehicles", str(path), "--mapping", "vehicles", data_dir=d)
    assert rc == 3 and out.startswith("导入完成：车位 39 个") and "第3行：车位" not in out, out + err
    assert "提示 第41行：联系电话“138 1234 567”待核对" in out
    rc, out, err = run("import", "vehicles", str(path), data_dir=d)
    assert rc == 2 and "不会重复导入" in err, out + err
    other = vehicles_workbook(tmp_path / "车位2.xlsx", homes=4)
    rc, out, err = run("import", "vehicles", str(other), "--mapping", "keys", data_dir=d)
    assert rc == 2 and "映射“钥匙登记”用于钥匙登记，不能导入车位与车辆" in err, out + err


CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from app.system.context import open_context
    from app.golive import vehicles_import
    from models.users import User
    ctx = open_context(Path(sys.argv[1]), sys.argv[2] or None)
    ctx.user = User.get(User.username == "manager")
    real = vehicles_import._write
    def stall(*a, **k):
        real(*a, **k)                           # spaces, holders, vehicles, 待核对 and the import row written
        Path(sys.argv[4]).write_text("writing")
        time.sleep(120)
    vehicles_import._write = stall
    vehicles_import.import_vehicles(ctx, sys.argv[3])
""")


def test_vehicles_import_killed_mid_transaction_leaves_nothing(ctx, data_dir, tmp_path):
    import_owners(ctx, office_ledger(tmp_path / "台账.xlsx", homes=36))
    path = vehicles_workbook(tmp_path / "车位车辆.xlsx", homes=36, extra=EXTRA)
    marker = tmp_path / "marker"
    before = AuditLog.select().count()
    kill_at_marker(ctx, CHILD, path, marker=marker)
    assert (ParkingSpace.select().count(), ParkingOwner.select().count(), Vehicle.select().count()) == (0, 0, 0)
    assert (RegisterImport.select().count(), PendingCheck.select().where(PendingCheck.entity == "vehicle").count()) \
        == (0, 0)
    assert AuditLog.select().count() == before
