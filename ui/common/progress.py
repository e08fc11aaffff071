"""Long work in the background with a progress dialog and 取消, and pages that fill when their
data arrives (issue 20). Both run on the one background runner (ui.common.runner.Op).

``ProgressRun(parent, ctx, "正在导出…", fn, *args, **kwargs).run()`` calls ``fn(*args,
progress=…, **kwargs)`` on the worker; *progress* is an ``app.core.progress`` callback answering
whether to go on. After 0.6 s a QProgressDialog shows how far (rows done of total) with 取消 when
the work can stop between rows (``cancellable``); 取消 makes the next answer False, the service
raises ``Cancelled`` inside its one transaction and nothing is written — the user is told so.
Work that cannot stop between rows (a backup, 检查数据库) runs with ``cancellable=False``: the
service gets no *progress*, the dialog a busy bar and no 取消.

``PageLoad(parent, ctx, show)`` loads a page's rows through a service off the GUI thread: its
label says 正在加载… meanwhile, and only the newest request's result is shown (a date changed
twice shows the second date's rows)."""
from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer

from ui.common.runner import PROGRESS_DELAY_MS, Op, show_error

POLL_MS = 100
LOADING_TEXT = "正在加载…"
WAIT_TITLE = "请稍候"
CANCEL_TEXT = "取消"
CANCELLING_TEXT = "正在取消…"
CANCELLED_TITLE = "已取消"


_gc = {"holds": 0, "was_on": False}


def _run_holding_gc(op: Op) -> Op:
    """Run *op* with the cyclic collector off until it has finished (on the GUI thread), as
    runner.call_waiting does: a collection started by the worker's allocations would finalise this
    thread's unreachable Qt wrappers on the worker (a crash). Where ui.common.gc_guard already
    collects on the GUI thread only (the application), the collector stays as it was."""
    if _gc["holds"] == 0:
        _gc["was_on"] = gc.isenabled()
        gc.disable()
    _gc["holds"] += 1
    released = []

    def release():
        if released:
            return
        released.append(True)
        _gc["holds"] -= 1
        if _gc["holds"] == 0 and _gc["was_on"]:
            gc.enable()
    op._on_finish = release       # runs in Op.finish even when the parent widget is gone
    return op.run()


class Progress:
    """The callback handed to the service (called on the worker thread): it records how far the
    work is and answers whether to go on."""

    def __init__(self):
        self.done = self.total = 0
        self.cancelled = False
        self.calls = 0

    def __call__(self, done: int, total: int) -> bool:
        self.done, self.total = int(done), int(total)
        self.calls += 1
        return not self.cancelled


class ProgressRun:
    """One long piece of work with its progress dialog; see the module docstring."""

    def __init__(self, parent, ctx, label: str, fn: Callable, *args, cancellable: bool = True, write: bool = False,
                 title: str = "操作未完成", **kwargs):
        self.parent, self.label, self.cancellable = parent, label, cancellable
        self.progress = Progress()
        self.dialog = None
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        if cancellable:
            kwargs["progress"] = self.progress
        self.op = Op(parent, ctx, fn, *args, **kwargs)
        if write:
            self.op.write(title)
        self.op.title = title
        self.op.success(self._succeeded).failure(self._failed)
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._tick)

    def success(self, fn: Callable[[Any], None]) -> ProgressRun:
        self._success = fn
        return self

    def failure(self, fn: Callable[[BaseException], None]) -> ProgressRun:
        self._failure = fn
        return self

    def changes(self, *kinds: str) -> ProgressRun:
        self.op.changes(*kinds)
        return self

    def run(self) -> ProgressRun:
        _run_holding_gc(self.op)
        self.timer.start(PROGRESS_DELAY_MS)
        return self

    def done(self) -> bool:
        return self.op.done()

    @property
    def cancelled(self) -> bool:
        return self.progress.cancelled

    # the dialog (GUI thread) ------------------------------------------------------------------
    def _tick(self):
        from shiboken6 import isValid
        if self.op.done() or (self.parent is not None and not isValid(self.parent)):
            return
        if self.dialog is None:
            self._show()
        p = self.progress
        if p.total > 0:
            self.dialog.setMaximum(p.total)
            self.dialog.setValue(min(p.done, p.total))
            if not p.cancelled:
                self.dialog.setLabelText(f"{self.label}（{p.done:,} / {p.total:,}）")
        self.timer.start(POLL_MS)

    def _show(self):
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QProgressDialog
        dlg = QProgressDialog(self.label, CANCEL_TEXT, 0, 0, self.parent)
        if not self.cancellable:
            dlg.setCancelButton(None)
        dlg.setObjectName("progress_dialog")
        dlg.setWindowTitle(WAIT_TITLE)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.setMinimumDuration(0)
        dlg.canceled.connect(self.cancel)
        dlg.show()
        self.dialog = dlg

    def cancel(self):
        """取消: the service's next question is answered False (it stops between rows)."""
        if self.op.done() or not self.cancellable:
            return
        self.progress.cancelled = True
        if self.dialog is not None:
            self.dialog.setLabelText(CANCELLING_TEXT)
            button = self.dialog.findChild(_button_class())
            if button is not None:
                button.setEnabled(False)

    def _close(self):
        self.timer.stop()
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def _succeeded(self, result):
        self._close()
        if self._success is not None:
            self._success(result)

    def _failed(self, exc: BaseException):
        self._close()
        from app.core.progress import Cancelled
        if self._failure is not None:
            self._failure(exc)
        elif isinstance(exc, Cancelled):
            from PySide6.QtWidgets import QMessageBox
            QMessageBox.information(self.parent, CANCELLED_TITLE, str(exc))
        else:
            show_error(self.parent, exc, title=self.op.title)


def _button_class():
    from PySide6.QtWidgets import QPushButton
    return QPushButton


class PageLoad:
    """A page's data through a service in the background: *label* (a QLabel, optional) says
    正在加载… meanwhile; ``show(result)`` gets only the newest request's result; ``failed(exc)``
    (default: the message box of run_action) a failure of the newest request."""

    def __init__(self, parent, ctx, show: Callable[[Any], None], label=None,
                 failed: Callable[[BaseException], None] | None = None, *, write: bool = False):
        self.parent, self.ctx, self.show, self.label, self.failed = parent, ctx, show, label, failed
        self.write = write         # the service writes too (retried when the database is locked)
        self.generation = 0
        self.pending = 0

    def load(self, fn: Callable, *args, **kwargs) -> Op:
        self.generation += 1
        self.pending += 1
        gen = self.generation
        if self.label is not None:
            self.label.setText(LOADING_TEXT)

        def arrived(result):
            self.pending -= 1
            if gen == self.generation:
                self.show(result)

        def went_wrong(exc):
            self.pending -= 1
            if gen != self.generation:
                return
            if self.failed is not None:
                self.failed(exc)
            else:
                show_error(self.parent, exc)
        op = Op(self.parent, self.ctx, fn, *args, **kwargs).success(arrived).failure(went_wrong)
        return _run_holding_gc(op.write() if self.write else op)

    def busy(self) -> bool:
        return self.pending > 0
