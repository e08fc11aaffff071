"""A child process killed with SIGKILL in the middle of its transaction (the import tests' crash trials)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kill_at_marker(ctx, child_code: str, *args, marker: Path, timeout: float = 120) -> None:
    """Close this test's connection, run ``python -c child_code data_dir url *args marker``, wait for the
    child to create *marker* (it does so inside its open transaction), kill it with SIGKILL and reconnect."""
    url = os.environ.get("PROPERTYDESK_TEST_DATABASE", "")
    ctx.db.close()
    p = subprocess.Popen([sys.executable, "-c", child_code, str(ctx.data_dir), url, *map(str, args), str(marker)],
                         cwd=ROOT, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    try:
        deadline = time.monotonic() + timeout
        while not marker.exists():
            assert p.poll() is None, "the import ended before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.1)
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == -signal.SIGKILL
    ctx.db.connect(reuse_if_open=True)
