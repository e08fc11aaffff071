"""The import wizard's 试导入 (step ④, 业主档案 › 导入…) on the background runner (issues 16/20): 下一步 from
the preview starts it as a ProgressRun; while the worker is held at a row of a 1,500-home ledger the
GUI thread keeps handling events (a timer ticks, typing into another window's field arrives, the
wizard's buttons wait); 取消 in the progress dialog stops it with nothing written and says so, the
wizard staying on the preview; run again it finishes with the full row report and the bar's total."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLineEdit

from models.people import Owner
from models.property import Home
from models.users import AuditLog
from tests.helpers.golive import office_ledger
from tests.ui.test_progress_cancel import LEFT, cancel_at_the_row, hold  # noqa: F401  (fixture)
from ui.golive.wizard import ImportWizard

HOMES = 1500


def test_dry_run_in_the_background_cancelled_then_run(qtbot, ctx, tmp_path, hold):  # noqa: F811
    from app.golive import owners_import
    path = office_ledger(tmp_path / "台账.xlsx", homes=HOMES)
    dlg = ImportWizard(ctx, None, str(path))
    qtbot.addWidget(dlg)
    dlg.show()
    other = QLineEdit()                       # a field of the main window, beside the wizard
    qtbot.addWidget(other)
    other.show()
    for _ in range(2):                        # sheets and columns, preview
        qtbot.mouseClick(dlg.next_button, LEFT)
    assert dlg.stack.currentIndex() == 2
    audits = AuditLog.select().count()
    held = hold(owners_import, "import_owners", at=500)
    ticks = []
    ticker = QTimer()
    ticker.timeout.connect(lambda: ticks.append(1))
    ticker.start(20)
    qtbot.mouseClick(dlg.next_button, LEFT)
    assert dlg.busy() and not dlg.next_button.isEnabled() and not dlg.back_button.isEnabled()
    qtbot.waitUntil(held.reached.is_set, timeout=30000)
    before = len(ticks)
    qtbot.keyClicks(other, "1-1-101")
    qtbot.waitUntil(lambda: len(ticks) >= before + 3)              # the GUI thread ticks while the worker waits
    assert other.text() == "1-1-101" and dlg.busy()
    run = dlg.last_run
    cancel_at_the_row(qtbot, run, held, "正在试导入业主档案")
    ticker.stop()
    assert dlg.stack.currentIndex() == 2 and dlg.next_button.isEnabled()
    assert "试导入已取消，未写入任何数据。" in dlg.message.text()
    assert (Home.select().count(), Owner.select().count(), AuditLog.select().count()) == (0, 0, audits)

    held.at = 10**9
    qtbot.mouseClick(dlg.next_button, LEFT)
    qtbot.waitUntil(lambda: not dlg.busy(), timeout=60000)
    assert dlg.stack.currentIndex() == 3
    report = dlg.dry_text.toPlainText()
    assert report.startswith("试导入（未写入）") and f"新建房屋 {HOMES} 户" in report
    assert dlg.last_run.progress.total == HOMES and dlg.last_run.progress.done == HOMES
    assert dlg.last_run.progress.calls > 2
    assert (Home.select().count(), AuditLog.select().count()) == (0, audits)     # a dry run writes nothing
    qtbot.mouseClick(dlg.next_button, LEFT)                                     # on to ⑤ 导入
    assert dlg.stack.currentIndex() == 4
