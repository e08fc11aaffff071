"""Start the GUI: open the site's database, sign the user in, show the main window."""
from __future__ import annotations

import sys


def run_gui(args) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app import APP_TITLE
    from app.context import open_context
    from app.errors import UserError

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("PropertyDesk")
    app.setApplicationDisplayName(APP_TITLE)
    try:
        ctx = open_context(getattr(args, "data_dir", None), getattr(args, "database", None))
    except UserError as exc:
        QMessageBox.critical(None, APP_TITLE, str(exc))
        return 2
    except Exception as exc:
        QMessageBox.critical(None, APP_TITLE, f"无法打开数据库：{exc}")
        return 2
    from .dialogs.login import sign_in
    user = sign_in(ctx)
    if user is None:
        return 1
    ctx.user = user
    from .main_window import MainWindow
    window = MainWindow(ctx)
    window.show()
    return app.exec()
