"""Import limits (issue 15): how long ``propertydesk import readings`` and ``import owners`` take to
refuse a 5 KB workbook with one value in XFD1048576, whose declared range is honest, missing or
lying, and how long a real month of readings (15,000 rows: 5,000 homes × water, power, gas) takes
to read and check.

    .venv/bin/python benchmarks/bench_imports.py [--rows 15000]

Target: a refused file is refused in under 2 s of command-line time (process start included);
before issue 15 the honest file ran for over 60 s holding the write lock.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-pass-1"   # the site's manager (the command line runs only as an account that proved it)
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 2.0


def _far_cell_files(folder: Path, header: list[str]) -> dict[str, Path]:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    ws["XFD1048576"] = 1
    honest = folder / f"honest-{header[1]}.xlsx"
    wb.save(honest)
    out = {"声明范围如实": honest}
    for label, ref in (("无声明范围", None), ("声明范围不实", "A1:D2")):
        dst = folder / f"{label}-{header[1]}.xlsx"
        with zipfile.ZipFile(honest) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
            for info in zi.infolist():
                data = zi.read(info.filename)
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = re.sub(r"<dimension [^>]*/>", "" if ref is None else f'<dimension ref="{ref}"/>',
                                  data.decode()).encode()
                zo.writestr(info, data)
        out[label] = dst
    return out


def _cli(data_dir: Path, *args) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    env = dict(os.environ, PROPERTYDESK_USER="manager", PROPERTYDESK_PASSWORD=PASSWORD)   # the command line signs in
    r = subprocess.run([sys.executable, "-m", "propertydesk", *args, "--data-dir", str(data_dir)], cwd=ROOT, env=env,
                       capture_output=True, text=True, encoding="utf-8", timeout=300, check=False)
    return time.perf_counter() - started, r


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=15000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pd-bench-imports-"))
    from app.system.context import open_context
    from models.db import close_database
    from models.users import User
    ctx = open_context(folder / "data")
    from app.system.accounts import hash_password
    ctx.user = User.create(username="manager", display_name="经理", role="manager",
                           password_hash=hash_password(PASSWORD))
    close_database()
    worst = 0.0
    for command, header in ((["import", "readings", "--file"], ["房号", "表类", "读数", "抄表日期"]),
                            (["import", "owners"], ["房号", "业主姓名"])):
        for label, path in _far_cell_files(folder, header).items():
            took, r = _cli(folder / "data", *command, str(path))
            worst = max(worst, took)
            print(f"{' '.join(command[:2])}  {label}（{path.stat().st_size} 字节）：{took:.2f} 秒，"
                  f"退出码 {r.returncode}：{r.stderr.strip()[:90]}")
    from openpyxl import Workbook

    from app.core.imports import read_table
    wb = Workbook()
    ws = wb.active
    ws.append(["房号", "表类", "读数", "抄表日期"])
    for i in range(args.rows):
        ws.append([f"{i // 30 + 1}-{i % 30 + 101}", "水电燃气"[i % 3], f"{i}.5", dt.date(2026, 10, 31)])
    big = folder / "readings.xlsx"
    wb.save(big)
    started = time.perf_counter()
    rows = read_table(big, max_rows=50_000, max_cols=50)
    took = time.perf_counter() - started
    print(f"读取并检查 {len(rows) - 1} 行抄表（{big.stat().st_size // 1024} KB）：{took:.2f} 秒")
    print(f"拒绝最慢 {worst:.2f} 秒（目标 ≤ {TARGET_SECONDS} 秒）：{'达标' if worst <= TARGET_SECONDS else '未达标'}")
    return 0 if worst <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
