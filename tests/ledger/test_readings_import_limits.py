"""propertydesk import readings: the limits of every import (app/core/imports.py), run as the real
command line in a subprocess with a timeout: file size, a sheet's used range (a 5 KB file with one
value in XFD1048576, with an honest, a missing or a lying declared range), short rows, full-width
digits; nothing written when the file is refused."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.core import imports
from app.core.errors import ValidationError
from app.ledger import meters
from models.ledger import MeterReading
from tests.helpers.ledger import make_site

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["房号", "表类", "读数", "抄表日期"]
CLI_TIMEOUT = 60   # seconds; a refused file is refused at once (benchmarks/bench_imports.py measures it)


def run_cli(data_dir, *args, timeout=CLI_TIMEOUT):
    return subprocess.run([sys.executable, "-m", "propertydesk", *args, "--data-dir", str(data_dir)], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout, check=False)


@pytest.fixture
def site(ctx, users):
    return make_site(ctx, users)


def _save(tmp_path, rows, name="抄表.xlsx", far_cell=None) -> Path:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    if far_cell:
        ws[far_cell] = 1
    path = tmp_path / name
    wb.save(path)
    return path


def _rewrite_dimension(src: Path, dst: Path, ref: str | None) -> Path:
    """A copy of *src* whose sheet declares *ref* as its range (None: no declared range at all)."""
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            data = zi.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                repl = "" if ref is None else f'<dimension ref="{ref}"/>'
                data = re.sub(r"<dimension [^>]*/>", repl, data.decode()).encode()
            zo.writestr(info, data)
    return dst


@pytest.mark.slow
@pytest.mark.parametrize("declared", ["honest", "missing", "lying"])
def test_far_cell_refused_at_once(ctx, site, data_dir, tmp_path, declared):
    honest = _save(tmp_path, [HEADER, ["5-101", "水", 10, "2026-10-31"]], "far.xlsx", far_cell="XFD1048576")
    path = {"honest": honest,
            "missing": _rewrite_dimension(honest, tmp_path / "nodim.xlsx", None),
            "lying": _rewrite_dimension(honest, tmp_path / "lie.xlsx", "A1:D2")}[declared]
    assert path.stat().st_size < 8 * 1024
    r = run_cli(data_dir, "import", "readings", "--file", str(path))   # before issue 15: over 60 s
    assert r.returncode == 2, r.stdout + r.stderr
    assert "超出" in r.stderr and "上限" in r.stderr
    if declared != "honest":   # the cell itself is named, whatever the file declares
        assert "XFD1048576" in r.stderr
    assert "Traceback" not in r.stderr and "IndexError" not in r.stderr
    assert MeterReading.select().count() == 0


@pytest.mark.slow
def test_short_rows_and_full_width_digits(ctx, site, data_dir, tmp_path):
    good = _save(tmp_path, [HEADER + ["备注"], ["５－１０１", "水", "１２３．５", "２０２６－１０－３１"],
                            ["5-102", "电", "１，２３４", dt.date(2026, 10, 31), "全角"]])
    r = run_cli(data_dir, "import", "readings", "--file", str(good))
    assert r.returncode == 0, r.stderr
    assert "已导入 2 条" in r.stdout
    water = MeterReading.get((MeterReading.home == site["5-101"]) & (MeterReading.kind == "water"))
    assert water.reading_x100 == 12350 and water.reading_date == dt.date(2026, 10, 31)
    power = MeterReading.get((MeterReading.home == site["5-102"]) & (MeterReading.kind == "power"))
    assert power.reading_x100 == 123400
    # a short row (its reading and date cells missing, no declared range to pad it): row and column named
    short = _rewrite_dimension(_save(tmp_path, [HEADER, ["6-101", "水", 5, "2026-10-31"], ["6-102", "水"]],
                                     "short0.xlsx"), tmp_path / "short.xlsx", None)
    r = run_cli(data_dir, "import", "readings", "--file", str(short))
    assert r.returncode == 2
    assert "第3行" in r.stderr and "读数（C列）不能为空" in r.stderr
    assert "IndexError" not in r.stderr and "Traceback" not in r.stderr
    assert MeterReading.select().where(MeterReading.home == site["6-101"]).count() == 0   # all or nothing


@pytest.mark.slow
def test_file_size_and_not_excel(ctx, site, data_dir, tmp_path):
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(imports.MAX_FILE_BYTES + 1)
    r = run_cli(data_dir, "import", "readings", "--file", str(big))
    assert r.returncode == 2 and "超过导入上限 20 MB" in r.stderr
    text = tmp_path / "抄表.xlsx"
    text.write_text("房号,表类,读数,抄表日期\n", encoding="utf-8")
    r = run_cli(data_dir, "import", "readings", "--file", str(text))
    assert r.returncode == 2 and "不是Excel(.xlsx)文件" in r.stderr
    missing = _save(tmp_path, [["房号", "读数"], ["5-101", 1]], "cols.xlsx")
    r = run_cli(data_dir, "import", "readings", "--file", str(missing))
    assert r.returncode == 2 and "缺少列：表类、抄表日期" in r.stderr


def test_row_limit_named(ctx, site, tmp_path, monkeypatch):
    monkeypatch.setattr(meters, "IMPORT_MAX_ROWS", 3)
    rows = [HEADER] + [["5-101", "水", i, "2026-10-31"] for i in range(4)]
    with pytest.raises(ValidationError, match="A5 单元格有内容，超出导入上限（3 行数据"):
        meters.import_readings(ctx, _save(tmp_path, rows))
    monkeypatch.setattr(meters, "IMPORT_MAX_ROWS", 4)
    with pytest.raises(ValidationError, match="第3行"):   # read, then refused by the service (same date twice)
        meters.import_readings(ctx, _save(tmp_path, rows))
    assert MeterReading.select().count() == 0


def test_read_table_pads_and_stops_at_last_value(tmp_path):
    path = _save(tmp_path, [["a", "b", "c"], ["x"], [None, None, None], ["y", None, 3]])
    rows = imports.read_table(path, max_rows=10, max_cols=5)
    assert rows == [("a", "b", "c"), ("x", None, None), (None, None, None), ("y", None, 3)]
    assert imports.cell(("x",), 2) is None
    assert imports.number_text("１２３．５") == "123.5" and imports.number_text(" 1,234 ") == "1234"
    assert [imports.column_name(i) for i in (0, 25, 26, 16383)] == ["A", "Z", "AA", "XFD"]


@pytest.mark.slow
def test_owner_import_shares_the_limits(ctx, site, data_dir, tmp_path):
    honest = _save(tmp_path, [["房号", "业主姓名"], ["5-101", "王五"]], "owners.xlsx", far_cell="XFD1048576")
    path = _rewrite_dimension(honest, tmp_path / "owners-nodim.xlsx", None)
    r = run_cli(data_dir, "import", "owners", str(path))
    assert r.returncode == 2 and "XFD1048576 单元格有内容，超出导入上限" in r.stderr, r.stdout + r.stderr


def test_cells_without_references_read_the_same(tmp_path):
    """Some writers leave out the cells' r="B7": the sheet is then scanned element by element."""
    path = _save(tmp_path, [["a", "b"], ["x"], [1, 2]])
    bare = tmp_path / "bare.xlsx"
    with zipfile.ZipFile(path) as zi, zipfile.ZipFile(bare, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            data = zi.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(r'(<c) r="[A-Z]+\d+"', r"\1", data.decode()).encode()
                assert b'<c r="' not in data
            zo.writestr(info, data)
    assert imports.scan_extent(bare, 10, 5) == (3, 2)
    assert imports.read_table(bare, max_rows=10, max_cols=5) == [("a", "b"), ("x", None), (1, 2)]
    with pytest.raises(ValidationError, match="A3 单元格有内容，超出导入上限（1 行数据"):
        imports.scan_extent(bare, 1, 5)
