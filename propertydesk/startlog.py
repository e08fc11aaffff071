"""Nothing fails unseen: the program's log file in the data folder, and a Chinese message naming it.

The shortcut starts ``pythonw.exe -m propertydesk``: no console, ``sys.stderr`` is None, and an
exception at start-up used to end the program with nothing on the screen and nothing on disk. Now
every start writes to ``<data folder>/logs/propertydesk.log`` (rotated: 512 KB × 4 files, readable by
the user only): the version and the command, anything written to stderr when there is no console,
uncaught exceptions with their traceback, and a hard crash's stack (faulthandler). When the program
cannot start, the user is told in Chinese where the log is (a message box for the window, stderr for
a command).
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

LOG_DIR = "logs"
LOG_NAME = "propertydesk.log"
MAX_BYTES, BACKUPS = 512 * 1024, 3
_state: dict = {}


def data_dir_from_argv(argv: list[str]) -> Path:
    """The data folder the command line names (--data-dir X or --data-dir=X), else the default one."""
    for i, arg in enumerate(argv):
        if arg == "--data-dir" and i + 1 < len(argv):
            return Path(argv[i + 1])
        if arg.startswith("--data-dir="):
            return Path(arg.split("=", 1)[1])
    from app.system.context import default_data_dir
    return default_data_dir()


def open_log(data_dir: Path) -> Path | None:
    """Start logging to the data folder's log file; None when the folder cannot be written."""
    import logging
    from logging.handlers import RotatingFileHandler
    folder = Path(data_dir) / LOG_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)
        path = folder / LOG_NAME
        handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    log = logging.getLogger("propertydesk")
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    _state.update(path=path, handler=handler)
    if sys.stderr is None:            # pythonw: no console — what would go to stderr goes to the log
        sys.stderr = _LogStream(log)
    with contextlib.suppress(Exception):
        import faulthandler
        faulthandler.enable(file=handler.stream)
    sys.excepthook = _log_uncaught
    return path


class _LogStream:
    """stderr under pythonw: each line written becomes a log line."""

    def __init__(self, log):
        self.log, self.buf = log, ""

    def write(self, text):
        self.buf += text
        while "\n" in self.buf:
            line, self.buf = self.buf.split("\n", 1)
            if line.strip():
                self.log.warning(line)
        return len(text)

    def flush(self):
        pass


def _log_uncaught(kind, value, tb):
    """An exception nobody caught (in the window's event loop too): into the log, then as Python would."""
    import logging
    logging.getLogger("propertydesk").error("未处理的异常", exc_info=(kind, value, tb))
    sys.__excepthook__(kind, value, tb)


def log_path() -> Path | None:
    return _state.get("path")


def tell_cannot_start(exc: BaseException, gui: bool) -> str:
    """The Chinese message for a start that failed, shown in a box (the window) or on stderr."""
    where = log_path()
    text = f"物业前台无法启动：{exc}\n\n详细信息已写入日志文件：\n{where}" if where else \
        f"物业前台无法启动：{exc}\n\n（数据目录不可写，未能写入日志文件）"
    if gui:
        try:
            from PySide6.QtWidgets import QApplication, QMessageBox
            app = QApplication.instance() or QApplication(sys.argv[:1])
            QMessageBox.critical(None, "物业前台", text)
            del app
        except Exception:   # Qt itself failed: the system's own box on Windows
            if sys.platform == "win32":
                import ctypes
                ctypes.windll.user32.MessageBoxW(None, text, "物业前台", 0x10)
    if sys.stderr is not None:
        print(text, file=sys.stderr)
    return text


def guarded_main(argv: list[str] | None = None) -> int:
    """``python -m propertydesk``: the command line's main, with its log and a message when it fails."""
    import logging
    argv = list(sys.argv[1:] if argv is None else argv)
    if not any(a in ("-h", "--help", "--version") for a in argv):
        with contextlib.suppress(Exception):
            open_log(data_dir_from_argv(argv))
    from app import __version__
    log = logging.getLogger("propertydesk")
    shown = [a if not a.startswith("--password") else "--password=***" for a in argv]
    log.info("启动 PropertyDesk %s：%s", __version__, " ".join(shown) or "（窗口）")
    gui = not _positional(argv)   # no subcommand: the window
    try:
        from propertydesk.cli import main
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except BaseException as exc:   # the start failed in a way nobody caught: never silently
        log.exception("启动失败")
        tell_cannot_start(exc, gui)
        return 1
    log.info("退出，代码 %s", code)
    return code


def _positional(argv: list[str]) -> list[str]:
    """The words of the command line that are not options or option values (a subcommand if any)."""
    takes_value = {"--data-dir", "--database", "--user"}
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in takes_value:
            skip = True
            continue
        if not a.startswith("-"):
            out.append(a)
    return out
