"""Background work for widgets, and the news that data changed.

``Op`` runs a service function on a worker thread (a QThreadPool), then calls back on the GUI
thread, after the idea of Anki's QueryOp/CollectionOp::

    Op(self, ctx, payments.home_header, ctx, home_id).success(self.show_header).run()
    Op(self, ctx, billing.run_month, ctx, month).write().with_progress("正在计费…").changes("ledger").run()

- the worker opens its own database connection (peewee: one per thread) and closes it at the end;
- ``success(result)`` runs on the GUI thread; a failure shows the Chinese message box of
  ui.common.ops.run_action unless ``failure(exc)`` says otherwise; neither runs once the parent
  widget is gone (the tab was closed meanwhile);
- ``with_progress(label)``: a busy dialog, shown only when the work takes longer than 0.6 s;
- ``write()``: app.system.dbguard.run_write (a locked database is retried, faults in Chinese); when
  the write waits for another desk's lock (SQLite busy, PostgreSQL lock wait) longer than 0.5 s the
  status bar (or, without one, a small dialog) says 另一台电脑正在保存，请稍候… until it goes on;
- ``changes(*kinds)``: after success, ``notify_changed(parent, *kinds)``.

``notify_changed(widget, *kinds)`` tells the open views that data of *kinds* changed (``"ledger"``,
``"archives"``, ``"service"``, ``"parking"``, ``"keys"``, ``"loans"``, ``"movein"``, ``"renovation"``):
the main window relays it to every tab (``MainWindow.changed``; a tab with ``on_data_changed(kinds,
source)`` is connected when created). Call it after every write a widget makes; a view answers
the news with a ``NewsFollower`` (reload now if shown, else when next shown).

``call_waiting(parent, ctx, fn, args, kwargs)`` is the same for a synchronous caller
(ui.common.ops.run_action): a service of app/ runs on a worker thread; when it waits for another
desk's lock the window says so and goes on painting (user input waits in the queue until it is
done); its result is returned or raised.

Start-up budget: only QtCore pieces at import; QtWidgets classes when first needed.
"""
from __future__ import annotations

import contextlib
import gc
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    QRunnable,
    Qt,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)

from ui.common import lockwatch

PROGRESS_DELAY_MS = 600        # the busy dialog appears only for work that takes longer than this
LOCK_WAIT_MS = 500             # a write waiting this long for another desk's lock says so
LOCK_POLL_MS = 250
BUSY_TEXT = "另一台电脑正在保存，请稍候…"
MAX_THREADS = 2
KINDS = frozenset({"archives", "ledger", "service", "parking", "keys", "loans", "frontdesk", "movein", "renovation",
                   "notices"})

_state: dict[str, Any] = {"pool": None}
_running: set[Op] = set()      # keeps each Op (its relay and its work) alive until it has finished


def pool() -> QThreadPool:
    """The runner's thread pool (a child of the application: its end waits for the workers)."""
    if _state["pool"] is None:
        p = QThreadPool(QCoreApplication.instance())
        p.setMaxThreadCount(MAX_THREADS)
        _state["pool"] = p
    return _state["pool"]


def wait_all(msecs: int = 30000) -> bool:
    """Wait for every running Op and deliver their results (tests; before acting on everything)."""
    done = pool().waitForDone(msecs)
    QCoreApplication.processEvents()
    QCoreApplication.processEvents()
    return done


def close_connection(ctx) -> None:
    """Close this thread's database connection (peewee keeps one per thread)."""
    db = getattr(ctx, "db", None)
    try:
        if db is not None and not db.is_closed():
            db.close()
    except Exception:  # noqa: BLE001 - the work's own result matters more than a failed close
        pass


def error_text(exc: BaseException) -> str:
    """A user error's own Chinese text; any other fault with its type."""
    from app.core.errors import UserError
    return str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"


def show_error(parent, exc: BaseException, details: str = "", title: str = "操作未完成") -> None:
    """The message box of ui.common.ops.run_action: a user error as a warning, anything else critical."""
    from PySide6.QtWidgets import QMessageBox

    from app.core.errors import UserError
    if isinstance(exc, UserError):
        QMessageBox.warning(parent, title, str(exc))
        return
    box = QMessageBox(QMessageBox.Icon.Critical, title, f"操作失败：{exc}", parent=parent)
    if details:
        box.setDetailedText(details)
    box.exec()


def notify_changed(widget, *kinds: str) -> bool:
    """Tell the open views that data of *kinds* changed: the nearest ancestor of *widget* with a
    ``changed`` signal (the main window) relays it to its tabs. False when there is none."""
    unknown = set(kinds) - KINDS
    if unknown:
        raise ValueError(f"unknown change kinds: {sorted(unknown)}")
    node = widget
    while node is not None:
        relay = getattr(node, "notify_changed", None)
        if callable(relay) and hasattr(node, "changed"):
            relay(frozenset(kinds), widget)
            return True
        node = node.parentWidget() if hasattr(node, "parentWidget") else None
    return False


class NewsFollower(QObject):
    """A view's answer to the news of ``notify_changed``: when news of one of *kinds* comes from
    another widget, *reload* runs now if the view is shown, else once when it is next shown::

        self.news = NewsFollower(self, {"ledger", "archives"}, self.refresh)

        def on_data_changed(self, kinds, source):     # MainWindow.changed is connected to this
            self.news.follow(kinds, source)
    """

    def __init__(self, view, kinds, reload: Callable[[], Any]):
        super().__init__(view)
        self.view = view
        self.kinds = frozenset(kinds)
        self.reload = reload
        self.stale = False
        view.installEventFilter(self)

    def follow(self, kinds, source) -> None:
        """News from MainWindow.changed: the view's own writes and other kinds are ignored."""
        if source is not self.view and self.kinds & set(kinds):
            self.mark_stale()

    def mark_stale(self) -> None:
        """The view's data is out of date: reload now if shown, else when shown."""
        if self.view.isVisible():
            self.stale = False
            self.reload()
        else:
            self.stale = True

    def eventFilter(self, watched, event) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self.reload()
        return False


class _Relay(QObject):
    """Lives on the GUI thread: the worker's result crosses over as a queued signal."""

    finished = Signal(object, object, str)     # result, exception or None, traceback text

    def __init__(self, op: Op):
        super().__init__()
        self.op = op
        self.finished.connect(self.deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object, object, str)
    def deliver(self, result, error, details):
        self.op.finish(result, error, details)


class _Work(QRunnable):
    def __init__(self, op: Op):
        super().__init__()
        self.op = op

    def run(self):
        op = self.op
        result, error, details = None, None, ""
        try:
            if op.watch is not None:
                op.watch.start(op.ctx)     # this thread's connection, for the GUI thread's lock check
            result = op.call()
        except Exception as exc:  # noqa: BLE001 - handed to the GUI thread, shown there
            error, details = exc, traceback.format_exc()
        finally:
            close_connection(op.ctx)
        op.outcome = (result, error)
        op.done_event.set()
        with contextlib.suppress(RuntimeError):      # the application is going away
            op.relay.finished.emit(result, error, details)


class Op:
    """One piece of work off the GUI thread; see the module docstring."""

    def __init__(self, parent, ctx, fn: Callable, *args, **kwargs):
        self.parent, self.ctx = parent, ctx
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._progress_label = ""
        self._kinds: tuple[str, ...] = ()
        self._write = False
        self.title = "操作未完成"
        self.relay: _Relay | None = None
        self.progress = None
        self.finished = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.watch: lockwatch.LockWatch | None = None
        self.waited_for_lock = False   # True once BUSY_TEXT was shown for this write
        self._busy_shown = False
        self._on_finish: Callable[[], None] | None = None
        self.done_event = threading.Event()     # set by the worker when the work has ended
        self.outcome: tuple[Any, BaseException | None] = (None, None)

    # building ------------------------------------------------------------------------------
    def success(self, fn: Callable[[Any], None]) -> Op:
        self._success = fn
        return self

    def failure(self, fn: Callable[[BaseException], None]) -> Op:
        self._failure = fn
        return self

    def with_progress(self, label: str = "正在处理，请稍候…") -> Op:
        self._progress_label = label
        return self

    def write(self, title: str = "操作未完成") -> Op:
        self._write, self.title = True, title
        self.watch = lockwatch.LockWatch()
        return self

    def changes(self, *kinds: str) -> Op:
        self._kinds = kinds
        return self

    # running -------------------------------------------------------------------------------
    def call(self):
        """The work itself (on the worker thread)."""
        if self._write:
            from app.system.dbguard import run_write
            return run_write(self.ctx, self.fn, *self.args, **self.kwargs)
        return self.fn(*self.args, **self.kwargs)

    def run(self) -> Op:
        self.relay = _Relay(self)
        _running.add(self)
        if self._progress_label:
            QTimer.singleShot(PROGRESS_DELAY_MS, self.relay, self._show_progress)
        if self.watch is not None:
            QTimer.singleShot(LOCK_WAIT_MS, self.relay, self._check_lock)
        pool().start(_Work(self))
        return self

    def _check_lock(self):
        """GUI thread, from 0.5 s on: is the write waiting for another desk's lock? Say so, or stop saying it."""
        if self.finished or self.done_event.is_set() or not self._parent_alive():
            return
        waiting = self.watch.waiting()
        if waiting != self._busy_shown:
            self._show_busy(waiting)
        QTimer.singleShot(LOCK_POLL_MS, self.relay, self._check_lock)

    def _show_busy(self, on: bool):
        self._busy_shown = on
        self.waited_for_lock = self.waited_for_lock or on
        bar = status_bar_of(self.parent)
        if self.progress is not None:
            self.progress.setLabelText(BUSY_TEXT if on else self._progress_label)
        elif bar is None and on:      # a dialog without a main window behind it: a small note instead
            self._progress_label = self._progress_label or "正在保存…"
            self._show_progress()
            self.progress.setLabelText(BUSY_TEXT)
        if bar is not None:
            if on:
                bar.showMessage(BUSY_TEXT)
            elif bar.currentMessage() == BUSY_TEXT:
                bar.clearMessage()

    def done(self) -> bool:
        return self.finished

    def _parent_alive(self) -> bool:
        if self.parent is None:
            return True
        from shiboken6 import isValid
        return isValid(self.parent)

    def _show_progress(self):
        if self.finished or not self._parent_alive():
            return
        from PySide6.QtWidgets import QProgressDialog
        dlg = QProgressDialog(self._progress_label, "", 0, 0, self.parent)
        dlg.setCancelButton(None)
        dlg.setWindowTitle("请稍候")
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(0)
        dlg.show()
        self.progress = dlg

    def finish(self, result, error, details):
        """Back on the GUI thread: close the progress dialog, call back, tell the views."""
        self.finished, self.result, self.error = True, result, error
        _running.discard(self)
        if self._busy_shown and self._parent_alive():
            self._show_busy(False)
        if self._on_finish is not None:
            self._on_finish()
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        if self.relay is not None:
            self.relay.deleteLater()
        if not self._parent_alive():
            return
        if error is not None:
            if self._failure is not None:
                self._failure(error)
            else:
                show_error(self.parent, error, details, self.title)
            return
        if self._success is not None:
            self._success(result)
        if self._kinds:
            notify_changed(self.parent, *self._kinds)


def status_bar_of(widget):
    """The status bar of the main window *widget* is in (through the dialogs' parents), or None."""
    node = widget
    while node is not None:
        window = node.window()
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            return bar()
        node = window.parentWidget()
    return None


def call_waiting(parent, ctx, fn: Callable, args: tuple, kwargs: dict):
    """``run_write(ctx, fn, *args, **kwargs)`` for a synchronous caller. A service of app/ (no Qt)
    runs on a worker thread; this thread waits for it as before (no events run meanwhile) unless,
    after 0.5 s, the write turns out to wait for another desk's lock: then the window says
    另一台电脑正在保存，请稍候… and keeps painting (a local event loop that leaves user input queued)
    until the write is done. Anything else (a widget's own function) runs here as before."""
    from app.system.dbguard import run_write
    app = QCoreApplication.instance()
    off_thread = (ctx is not None and app is not None and QThread.currentThread() is app.thread()
                  and getattr(fn, "__module__", "").startswith("app."))
    if not off_thread:
        return run_write(ctx, fn, *args, **kwargs)
    # No garbage collection while the worker runs: a collection started by the worker's allocations
    # would finalise this thread's unreachable Qt wrappers (a closed dialog, a preview) on the worker
    # thread, and Qt objects deleted off their thread crash the program (seen: the recovery sheet's
    # font loading collected a dialog). This thread waits meanwhile; it collects afterwards.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        op = Op(parent, ctx, fn, *args, **kwargs).write().failure(lambda _exc: None)
        op.run()
        waited = 0
        while not op.done_event.wait(LOCK_POLL_MS / 1000):
            waited += LOCK_POLL_MS
            if waited >= LOCK_WAIT_MS and op.watch.waiting():
                loop = QEventLoop()
                op._on_finish = loop.quit
                op._show_busy(True)
                if not op.finished:
                    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
                break
        op.done_event.wait()
    finally:
        if gc_was_on:
            gc.enable()
    result, error = op.outcome
    if error is not None:
        raise error
    return result
