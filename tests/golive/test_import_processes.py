"""Going live with real processes: the command line recognises the workbook, prints the row-level
report, saves the mapping by name; an import killed with SIGKILL mid-transaction leaves nothing."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from models.golive import ImportMapping, PendingCheck
from models.people import Owner
from models.property import Home
from models.users import AuditLog
from tests.archives.test_cli_archives import first_manager, run
from tests.helpers.golive import office_ledger, system_export
from tests.helpers.killed import kill_at_marker

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def cli(*args, data_dir):
    """The command line as the archives' tests run it (signed in as the site's first manager)."""
    return run(*args, data_dir=data_dir)


def test_cli_recognises_reports_and_saves_the_mapping(tmp_path):
    d = tmp_path / "data"
    export = system_export(tmp_path / "物业系统导出.xlsx")
    first_manager(d)
    rc, out, err = cli("import", "owners", str(export), "--dry-run", data_dir=d)
    assert rc == 3, err                                           # the home without room number
    assert "映射：物业系统导出（楼栋单元、业主、房屋、车位）" in out and "试导入（未写入）" in out
    assert "新建房屋 119 户" in out and "新建车位 12 个" in out and "待核对 2 项" in out
    assert "拒绝 工作表“房屋信息”第121行：房号" in out
    assert "待核对 工作表“业主信息”第14行：联系电话“1391234567”" in out
    rc, out, err = cli("import", "owners", str(export), "--mapping", "system_export", "--save-mapping", "老系统导出",
                       data_dir=d)
    assert rc == 3 and "导入完成" in out and "映射已保存为“老系统导出”" in out, out + err
    ledger = office_ledger(tmp_path / "台账.xlsx", homes=40)
    rc, out, err = cli("import", "owners", str(ledger), data_dir=d)
    assert rc == 0 and "映射：业主台账（单表）" in out and "导入 40 行" in out, out + err
    assert "新建房屋 4 户" in out        # 36 of its rooms (1-1-101 …) came with the export already
    rc, out, err = cli("export", "worklist", str(tmp_path / "待核对.xlsx"), data_dir=d)
    assert rc == 0 and "已导出待核对 2 项" in out, out + err
    rc, out, err = cli("import", "owners", str(ledger), "--mapping", "没有这个", data_dir=d)
    assert rc == 2 and "没有名为“没有这个”的导入映射" in err


CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from app.system.context import open_context
    from app.golive import owners_import, worklist
    from models.users import User
    ctx = open_context(Path(sys.argv[1]), sys.argv[2] or None)
    ctx.user = User.get(User.username == "manager")
    real = worklist.flag_many
    def stall(*a, **k):
        n = real(*a, **k)                       # homes, owners and 待核对 items written, not committed
        Path(sys.argv[4]).write_text("writing")
        time.sleep(120)
        return n
    worklist.flag_many = stall
    owners_import.import_owners(ctx, sys.argv[3])
""")


def test_import_killed_mid_transaction_leaves_nothing(ctx, data_dir, tmp_path):
    path = office_ledger(tmp_path / "台账.xlsx")
    marker = tmp_path / "marker"
    before = AuditLog.select().count()
    kill_at_marker(ctx, CHILD, path, marker=marker)
    assert (Home.select().count(), Owner.select().count(), PendingCheck.select().count()) == (0, 0, 0)
    assert AuditLog.select().count() == before and ImportMapping.select().count() == 0
