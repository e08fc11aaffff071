"""另存为PDF… in the print preview: the PDF goes where the clerk chose (.pdf added when left out) and a
Chinese message names the full path; a folder that cannot be written gets a Chinese warning."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app.printing.calibration import render_calibration
from ui.common.print_preview import PrintPreviewDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def preview_dialog(qtbot):
    dlg = PrintPreviewDialog(render_calibration("A4"), "通知单", "通知单.pdf", kind="notice")
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def choose_file(monkeypatch, path):
    asked = []

    def ask(parent, caption, name, filters):
        asked.append((caption, name, filters))
        return str(path), filters
    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    return asked


def test_save_says_where_the_file_went(qtbot, preview_dialog, boxes, tmp_path, monkeypatch):
    asked = choose_file(monkeypatch, tmp_path / "催缴" / "五号楼通知")
    (tmp_path / "催缴").mkdir()
    qtbot.mouseClick(preview_dialog.save_button, Qt.MouseButton.LeftButton)
    assert asked == [("另存为PDF", "通知单.pdf", "PDF 文件 (*.pdf)")]
    saved = tmp_path / "催缴" / "五号楼通知.pdf"
    assert saved.read_bytes() == preview_dialog.pdf_bytes
    assert boxes.last.kind == "information" and boxes.last.title == "已保存"
    assert boxes.last.text == f"PDF 文件已保存到：\n{saved}"


def test_save_cancelled_says_nothing(qtbot, preview_dialog, boxes, monkeypatch):
    choose_file(monkeypatch, "")
    qtbot.mouseClick(preview_dialog.save_button, Qt.MouseButton.LeftButton)
    assert not boxes.texts()


def test_save_to_missing_folder_warns_in_chinese(qtbot, preview_dialog, boxes, tmp_path, monkeypatch):
    target = tmp_path / "没有这个文件夹" / "通知.pdf"
    choose_file(monkeypatch, target)
    qtbot.mouseClick(preview_dialog.save_button, Qt.MouseButton.LeftButton)
    assert boxes.last.kind == "warning" and boxes.last.title == "未能保存"
    assert boxes.last.text == f"PDF 文件未能保存到 {target}：文件夹不存在"
    assert not target.exists()
