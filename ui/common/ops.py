"""Run a service call from a widget: user errors become a Chinese message box, nothing else changes."""
from __future__ import annotations

import traceback

from PySide6.QtWidgets import QMessageBox

from app.core.errors import UserError


def run_action(parent, fn, *args, title: str = "操作未完成", **kwargs):
    """Call fn(*args, **kwargs). On UserError show its message and return None (the caller keeps
    the user's input on screen); on any other error show a short Chinese message with details.
    Database faults are translated by app.system.dbguard: a locked database is retried, then the message
    names who holds it; a full disk says so (the transaction was rolled back, nothing is saved)."""
    from ui.common.runner import call_waiting  # a service runs off the GUI thread (the window never freezes)
    ctx = args[0] if args and hasattr(args[0], "db") and hasattr(args[0], "settings") else None
    try:
        return call_waiting(parent, ctx, fn, args, kwargs)
    except UserError as exc:
        QMessageBox.warning(parent, title, str(exc))
    except Exception as exc:  # defect or environment fault
        box = QMessageBox(QMessageBox.Icon.Critical, title, f"操作失败：{exc}", parent=parent)
        box.setDetailedText(traceback.format_exc())
        box.exec()
    return None


def info(parent, text: str, title: str = "提示"):
    QMessageBox.information(parent, title, text)


def confirm(parent, text: str, title: str = "请确认") -> bool:
    return QMessageBox.question(parent, title, text) == QMessageBox.StandardButton.Yes
