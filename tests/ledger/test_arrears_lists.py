"""欠费清单 per area manager and per building (domain.md §7: by the 5th): PDF, Excel, command line, buttons."""
import datetime as dt
import subprocess
import sys

from openpyxl import load_workbook
from PySide6.QtCore import Qt

from app.ledger import arrears_lists
from models.property import Building
from tests.helpers.pdf import pdf_pages
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)

DAY = dt.date(2026, 11, 23)


def test_grouped_per_manager_and_per_building(ctx, owing):  # noqa: F811
    by_manager = arrears_lists.arrears_list(ctx, DAY, "manager")
    assert [s.title for s in by_manager.sections] == ["客服管理员：张管家"]
    sec = by_manager.sections[0]
    assert [x.room_code for x in sec.lines] == ["3-101", "7-102"] and sec.total_fen == 71200
    assert all(x.months == 2 and x.phone == "136****1111" for x in sec.lines)
    by_building = arrears_lists.arrears_list(ctx, DAY, "building")
    assert [(s.title, s.total_fen) for s in by_building.sections] == [("3号楼", 35600), ("7号楼", 35600)]
    b7 = Building.get(Building.code == "7").id
    only = arrears_lists.arrears_list(ctx, DAY, "building", building_id=b7)
    assert [s.title for s in only.sections] == ["7号楼"]
    pages = [p.replace("\n", "").replace(" ", "") for p in pdf_pages(arrears_lists.arrears_list_pdf(ctx, DAY,
                                                                                                    "building"))]
    assert len(pages) == 2 and "3号楼" in pages[0] and "7-102" in pages[1] and "合计356.00" in pages[1]
    assert "13600001111" not in "".join(pages)


def test_excel_and_command_line(ctx, owing, data_dir, tmp_path):  # noqa: F811
    path = tmp_path / "list.xlsx"
    assert arrears_lists.arrears_list_xlsx(ctx, path, DAY, "manager") == 2
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("客服管理员", "房号") and rows[-1][1] == "合计" and rows[-1][-1] == 712
    ctx.db.close()
    out, xlsx = tmp_path / "l.pdf", tmp_path / "l.xlsx"
    r = subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), "dunning", "--date",
                        "2026-11-23", "--arrears-list", "building", "--building", "3", "--out", str(out),
                        "--xlsx", str(xlsx)], capture_output=True, text=True, encoding="utf-8", check=False)
    assert r.returncode == 0, r.stderr
    assert "已导出欠费清单 1 户" in r.stdout and out.exists() and "3-101" in pdf_pages(out.read_bytes())[0]


def test_board_buttons(qtbot, ctx, owing, tmp_path, monkeypatch, boxes):  # noqa: F811
    from PySide6.QtWidgets import QFileDialog

    from ui.ledger.dunning_tab import Tab
    ctx.clock.set(dt.datetime(2026, 11, 5, 9))
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 700)
    w.show()
    qtbot.waitUntil(w.loaded)                           # the pages load in the background
    qtbot.mouseClick(w.list_button, Qt.MouseButton.LeftButton)
    assert w.last_preview is not None and w.last_preview.document.pageCount() == 1
    w.last_preview.close()
    out = tmp_path / "清单.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    qtbot.mouseClick(w.list_export, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(w.last_run.done)                    # exported in the background
    assert out.exists() and boxes.last.text == f"已导出欠费清单 2 户：{out}"
    w.grab().save("/tmp/w17/dunning_list_buttons.png")
