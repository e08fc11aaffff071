"""Issue 19: a start-up failure is never invisible — the log file in the data folder and a Chinese
message naming it (the installed program runs under pythonw.exe: no console, sys.stderr is None)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run_as_pythonw(data_dir, *args, prelude=""):
    """``python -m propertydesk`` as the shortcut starts it, but with stderr and stdout gone (pythonw)."""
    code = (f"import sys, runpy\n{prelude}\nsys.stderr = None\nsys.stdout = None\n"
            f"sys.argv = ['propertydesk', '--data-dir', {str(data_dir)!r}, *{list(args)!r}]\n"
            "runpy.run_module('propertydesk', run_name='__main__')\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-c", code], check=False, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_a_failing_window_start_under_pythonw_is_logged_and_told(tmp_path):
    """The issue's case: the sign-in's password hasher fails (argon2 asked WMI, which Wine lacks). The
    message box is recorded to a file instead of blocking the offscreen test."""
    data = tmp_path / "data"
    shown = tmp_path / "shown.txt"
    prelude = (
        "from PySide6.QtWidgets import QMessageBox\n"
        f"QMessageBox.critical = staticmethod(lambda *a, **k: open({str(shown)!r}, 'w', encoding='utf-8')"
        ".write(a[2]))\n"
        "import ui.system.login as login\n"
        "def broken(ctx):\n    raise OSError('[WinError 0] WMI 不可用')\n"
        "login.sign_in = broken\n")
    out = _run_as_pythonw(data, prelude=prelude)
    assert out.returncode == 1
    log = (data / "logs" / "propertydesk.log").read_text(encoding="utf-8")
    assert "启动 PropertyDesk" in log and "启动失败" in log
    assert "WMI 不可用" in log and "Traceback" in log and "sign_in" in log
    text = shown.read_text(encoding="utf-8")
    assert text.startswith("物业前台无法启动：[WinError 0] WMI 不可用")
    assert str(data / "logs" / "propertydesk.log") in text
    if os.name == "posix":
        assert (data / "logs" / "propertydesk.log").stat().st_mode & 0o077 == 0


def test_a_command_error_without_a_console_lands_in_the_log(tmp_path):
    """What a command prints to stderr (here a settings file it cannot read) goes to the log under pythonw."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text("[site\nname = 1\n", encoding="utf-8")
    out = _run_as_pythonw(data, "settings")
    assert out.returncode != 0
    log = (data / "logs" / "propertydesk.log").read_text(encoding="utf-8")
    assert "格式错误" in log and "settings.toml" in log


def test_the_log_rotates(tmp_path):
    """512 KB per file, three old files kept: a year of starts never fills the disk."""
    from propertydesk.startlog import BACKUPS, MAX_BYTES
    data = tmp_path / "data"
    code = ("import logging\nfrom propertydesk.startlog import open_log\n"
            f"open_log({str(data)!r})\nlog = logging.getLogger('propertydesk')\n"
            "for i in range(3000):\n    log.info('x' * 1000)\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)
    files = sorted(p.name for p in (data / "logs").iterdir())
    assert files == ["propertydesk.log"] + [f"propertydesk.log.{i}" for i in range(1, BACKUPS + 1)]
    assert all((data / "logs" / f).stat().st_size <= MAX_BYTES + 2000 for f in files)
