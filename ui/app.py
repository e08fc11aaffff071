"""Start the GUI: check where the database lives, take the instance lock, check the file,
open the site's database, sign the user in, show the main window, back up on a timer and on exit."""
from __future__ import annotations

import sys


def _open(args, QMessageBox, APP_TITLE):
    """Everything before sign-in. Returns (ctx, lock) or (None, lock) after telling the user why."""
    from app.core.errors import UserError
    from app.system.checks import DatabaseDamaged, preflight
    from app.system.context import default_data_dir
    from app.system.instance import InstanceLock, check_location
    from models.db import default_url, sqlite_path

    data_dir = getattr(args, "data_dir", None) or default_data_dir()
    url = getattr(args, "database", None) or default_url(data_dir)
    path = sqlite_path(url)
    lock = None
    try:
        if path is not None:
            check_location(path)
            lock = InstanceLock(path).acquire()
        try:
            preflight(data_dir, url, full=False)       # the whole file: in the background (ui/system/startcheck.py)
        except DatabaseDamaged as exc:
            from app.core.settings import Settings
            from ui.system.restore_dialog import RestoreDialog
            QMessageBox.critical(None, APP_TITLE, str(exc))
            dlg = RestoreDialog(None, data_dir=data_dir, db_path=exc.path, problem=str(exc),
                                settings=Settings.load(data_dir))
            if not (dlg.exec() and dlg.restored):
                return None, lock
        return _open_with_key(data_dir, url, QMessageBox, APP_TITLE), lock
    except UserError as exc:
        QMessageBox.critical(None, APP_TITLE, str(exc))
    except Exception as exc:
        from app.system.dbguard import friendly_db_error
        QMessageBox.critical(None, APP_TITLE, friendly_db_error(exc, data_dir, url) or f"无法打开数据库：{exc}")
    return None, lock


def _open_with_key(data_dir, url, QMessageBox, APP_TITLE):
    """open_context; when this PC lacks the site key (or holds another one), the key is asked for
    from the recovery sheet and the opening tried again (cancel: the refusal stands)."""
    from app.system.context import open_context
    from app.system.keystore import KeyMismatch, KeyMissing
    while True:
        try:
            return open_context(data_dir, url)
        except (KeyMissing, KeyMismatch) as exc:
            from ui.system.key_dialog import key_import_dialog
            QMessageBox.warning(None, APP_TITLE, str(exc))
            if not key_import_dialog(None, data_dir, url).exec():
                raise


QT_CATALOGS = ("qtbase_zh_CN",)   # Qt's own texts: standard buttons, file, print and colour dialogs


def translations_dirs() -> list:
    """Where Qt's .qm files are: Qt's own path, then the wheel's folders (the Windows wheel keeps them in
    PySide6/translations, which the installer keeps: installer/build.py QT_TRANSLATIONS_KEEP)."""
    from pathlib import Path

    import PySide6
    from PySide6.QtCore import QLibraryInfo
    here = Path(PySide6.__file__).parent
    return [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)), here / "translations",
            here / "Qt" / "translations"]


# Qt texts whose current wording is missing from Qt's zh_CN catalogue (it has the older "Look in:")
QT_MISSING_ZH = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QPrintDialog", "Page &Set:"): "页面集(&S)：",
}


def _fill_in_translator(app):
    """A translator for QT_MISSING_ZH only, installed before Qt's own so that it is asked last."""
    from PySide6.QtCore import QTranslator

    class FillIn(QTranslator):
        def translate(self, context, source, disambiguation=None, n=-1):
            return QT_MISSING_ZH.get((context, source), "")

        def isEmpty(self):
            return False
    return FillIn(app)


def install_chinese(app) -> list:
    """Speak Chinese in Qt's own texts (OK/Cancel/Save, the file, print, colour and input dialogs) and
    format numbers and dates the Chinese way. Returns the installed QTranslators (kept on the app)."""
    from PySide6.QtCore import QLocale, QTranslator
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    installed = list(getattr(app, "zh_translators", []))
    if installed:
        return installed
    fill_in = _fill_in_translator(app)
    app.installTranslator(fill_in)
    installed.append(fill_in)
    for name in QT_CATALOGS:
        for folder in translations_dirs():
            tr = QTranslator(app)
            if tr.load(name, str(folder)):
                app.installTranslator(tr)
                installed.append(tr)
                break
    app.zh_translators = installed
    return installed


BACKUP_SHOWN_MS = 10_000           # how long the status bar shows a timed backup, and its failure
BACKUP_FAILED_SHOWN_MS = 30_000


def start_auto_backup(window, ctx):
    """Every backup.interval_minutes, a verified backup when data changed (SQLite only), on a
    worker thread (backup_in_background)."""
    from PySide6.QtCore import QTimer
    minutes = int(ctx.settings.get("backup.interval_minutes") or 0)
    if minutes <= 0:
        return None
    timer = QTimer(window)
    timer.setInterval(minutes * 60 * 1000)
    timer.timeout.connect(lambda: backup_in_background(window, ctx))
    timer.start()
    window.backup_timer = timer
    window.backup_op = None
    return timer


def backup_in_background(window, ctx):
    """One timed backup through ui.common.runner.Op (its own database connection), so the window
    stays live while the file is copied and checked. None while the previous one still runs.
    The result, or a failure, shows in the status bar: it never interrupts the user's work."""
    from app.system.backup import auto_backup
    from ui.common.runner import Op
    running = getattr(window, "backup_op", None)
    if running is not None and not running.done():
        return None

    def done(r):
        if r is not None:
            window.statusBar().showMessage(f"已自动备份：{r.path.name}", BACKUP_SHOWN_MS)

    def failed(exc):
        window.statusBar().showMessage(f"自动备份失败：{exc}", BACKUP_FAILED_SHOWN_MS)

    window.backup_op = (Op(window, ctx, auto_backup, ctx, "interval").write("自动备份未完成")
                        .success(done).failure(failed).run())
    return window.backup_op


EXIT_BACKUP_TEXT = "正在备份…"


def backup_at_exit(ctx, QMessageBox, APP_TITLE) -> bool:
    """The backup on exit (the window is gone), after any timed backup still running: the copy and
    its check run on the background runner (ui.common.runner.Op) while a small window says 正在备份…
    under a wait cursor; the GUI thread waits in a local event loop, so that window paints, and the
    program exits after it. True when the copy passed integrity_check."""
    from PySide6.QtCore import QEventLoop, Qt
    from PySide6.QtWidgets import QApplication

    from app.system.backup import auto_backup
    from ui.common.runner import Op, wait_all
    wait_all()
    note = exit_backup_note(APP_TITLE)
    loop = QEventLoop()
    outcome: dict = {}

    def ended(key, value):
        outcome[key] = value
        loop.quit()

    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        op = (Op(None, ctx, auto_backup, ctx, "exit").write("退出时自动备份未完成")
              .success(lambda r: ended("result", r)).failure(lambda exc: ended("error", exc)).run())
        if not op.done():
            loop.exec()
    finally:
        QApplication.restoreOverrideCursor()
        note.close()
        note.deleteLater()
    if "error" not in outcome:
        return outcome.get("result") is not None
    QMessageBox.warning(None, APP_TITLE, f"退出时自动备份失败：{outcome['error']}")
    return False


def exit_backup_note(title: str):
    """The small window that stays on screen while the exit backup runs (no button: it closes itself)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QProgressDialog
    note = QProgressDialog(EXIT_BACKUP_TEXT, "", 0, 0)
    note.setCancelButton(None)
    note.setWindowTitle(title)
    note.setObjectName("exit_backup_note")
    note.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
    note.setMinimumDuration(0)
    note.setMinimumWidth(280)
    note.show()
    return note


def close_cleanly(ctx, verified_today: bool) -> bool:
    """Close the database and mark the clean close, so that the next start may skip the integrity
    check of an untouched file (app.system.checks.preflight). Never stops the exit."""
    from app.system.checks import mark_clean_close
    from models.db import close_database, sqlite_path
    try:
        close_database()
        return mark_clean_close(ctx.data_dir, sqlite_path(ctx.url), verified_today, ctx.clock.today())
    except Exception:  # no mark: the next start simply checks the file
        return False


def set_app_icon(app) -> None:
    """The product's own icon (resources/app.ico, installer/make_icon.py) on every window and dialog."""
    from pathlib import Path

    from PySide6.QtGui import QIcon
    ico = Path(__file__).resolve().parents[1] / "resources" / "app.ico"
    if ico.is_file():
        app.setWindowIcon(QIcon(str(ico)))


def run_gui(args) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app import APP_TITLE

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("PropertyDesk")
    app.setApplicationDisplayName(APP_TITLE)
    install_chinese(app)
    set_app_icon(app)
    from ui.common.gc_guard import install as collect_on_gui_thread
    collect_on_gui_thread(app)
    ctx, lock = _open(args, QMessageBox, APP_TITLE)
    try:
        if ctx is None:
            return 2
        from ui.system.login import sign_in
        user = sign_in(ctx)
        if user is None:
            return 1
        ctx.user = user
        from app.system.restore_guard import record_pending
        record_pending(ctx)       # wrong manager passwords at a start-up restore, into this database's audit
        from ui.main_window import MainWindow
        window = MainWindow(ctx)
        if not hasattr(window, "security_menu"):
            from ui.system.security_menu import install_menus
            install_menus(window)
        start_auto_backup(window, ctx)
        window.show()
        from ui.system.startcheck import start_background_check
        start_background_check(window, ctx)
        code = app.exec()
        backup_at_exit(ctx, QMessageBox, APP_TITLE)
        close_cleanly(ctx, verified_today=False)   # the exit backup checks its copy's header, not the whole file
        return code
    finally:
        if lock is not None:
            lock.release()
