"""The whole-file check of the database after the window shows (issue 20).

The start checks at once only what a crash damages (``app.system.checks.preflight(..., full=False)``);
when the whole file is due (after a crash, a copy, a week since the last check) it is read here in
the one background runner while the clerk works. The status bar says it runs and how it ended; a
damaged file is named in a message box, and the next start checks the whole file before opening it
and offers the backups."""
from __future__ import annotations

RUNNING_TEXT = "正在后台检查数据库文件完整性…"
PASSED_TEXT = "数据库文件完整性检查通过"
SHOWN_MS = 8000


def start_background_check(window, ctx):
    """Run the due whole-file check on the runner; the Op, or None when nothing is due."""
    from app.system import checks
    from models.db import sqlite_path
    from ui.common.runner import Op, status_bar_of
    path = sqlite_path(ctx.url)
    if not checks.full_check_due(path):
        return None
    bar = status_bar_of(window)

    def done(result: str):
        if result == "ok":
            if bar is not None:
                bar.showMessage(PASSED_TEXT, SHOWN_MS)
            return
        if bar is not None:
            bar.clearMessage()
        from PySide6.QtWidgets import QMessageBox

        from app import APP_TITLE
        QMessageBox.critical(window, APP_TITLE,
                             f"后台完整性检查发现数据库文件 {path} 已损坏（{result}）。请不要继续录入，"
                             "先退出程序：下次启动时将先检查整个文件，并提供从备份恢复。")

    if bar is not None:
        bar.showMessage(RUNNING_TEXT)
    return Op(window, ctx, checks.run_due_check, ctx.data_dir, path).success(done).run()
