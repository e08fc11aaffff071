"""A real print system for the printing tests: CUPS with the cups-pdf printer named PDF (.ci/run
and run.sh's CI set-up install and start it). The tests skip only when no CUPS is present."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

PRINTER = "PDF"
SETTLE_S = 1.0      # cups-pdf writes its file just after CUPS marks the job done


def cups_pdf_dirs() -> list[Path]:
    """Where cups-pdf writes its files (Out in /etc/cups/cups-pdf.conf, ${HOME} of the job's user)."""
    out = "${HOME}/PDF"
    conf = Path("/etc/cups/cups-pdf.conf")
    if conf.exists():
        for line in conf.read_text(errors="replace").splitlines():
            m = re.match(r"\s*Out\s+(\S+)", line)
            if m:
                out = m.group(1)
    home = str(Path.home())
    return [Path(out.replace("${HOME}", home)), Path("/var/spool/cups-pdf/ANONYMOUS")]


def _printer_ready() -> str | None:
    if not shutil.which("lpstat"):
        return "CUPS 未安装（没有 lpstat）：打印测试需要 cups 与 printer-driver-cups-pdf"
    r = subprocess.run(["lpstat", "-p", PRINTER], capture_output=True, text=True, check=False)
    if r.returncode != 0:
        return f"CUPS 没有名为 {PRINTER} 的打印机或 cupsd 未运行：{(r.stderr or r.stdout).strip()}"
    return None


class PdfPrinterOutput:
    """The files cups-pdf writes: wait for the one a job made after ``mark``."""

    def __init__(self):
        self.dirs = cups_pdf_dirs()
        self.mark()

    def mark(self):
        """Start from a quiet printer: an earlier test's job still in the queue would otherwise land
        its file after the mark and be taken for this test's."""
        self.drain()
        self.before = {p for d in self.dirs if d.is_dir() for p in d.glob("*.pdf")}
        self.since = time.time()

    def drain(self, timeout: float = 60.0) -> None:
        """Wait until CUPS has no job left for the printer and cups-pdf's last file has settled."""
        end = time.time() + timeout
        while time.time() < end:
            queued = subprocess.run(["lpstat", "-o", PRINTER], capture_output=True, text=True, check=False).stdout
            if not queued.strip():
                break
            time.sleep(0.3)
        time.sleep(SETTLE_S)

    def wait(self, timeout: float = 60.0) -> Path:
        end = time.time() + timeout
        while time.time() < end:
            new = [p for d in self.dirs if d.is_dir() for p in d.glob("*.pdf") if p not in self.before]
            for p in new:  # complete when its size has settled and it ends with %%EOF
                size = p.stat().st_size
                time.sleep(0.3)
                if size and size == p.stat().st_size and p.read_bytes().rstrip().endswith(b"%%EOF"):
                    self.before.add(p)
                    return p
            time.sleep(0.3)
        jobs = subprocess.run(["lpstat", "-W", "all", "-o"], capture_output=True, text=True, check=False).stdout
        raise AssertionError(f"cups-pdf wrote no file in {self.dirs} within {timeout} s; jobs: {jobs}")


@pytest.fixture
def cups_pdf():
    reason = _printer_ready()
    if reason:
        pytest.skip(reason)
    return PdfPrinterOutput()


@pytest.fixture
def print_settings(tmp_path):
    """The PC's print settings (QSettings) in a temporary folder, not the user's."""
    from PySide6.QtCore import QSettings
    conf = tmp_path / "qsettings"
    conf.mkdir()
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(conf))
    yield conf
    home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, home)
