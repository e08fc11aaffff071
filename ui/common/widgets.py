"""Small widgets shared by tabs: a push button with its icon, a read-only list view, a bar chart
against a target line."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QHeaderView, QPushButton, QTableView, QWidget

from ui.common.icons import icon


class BarChart(QWidget):
    """Bars of percentages (0–100) with a dashed target line; bars under target in red."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.bars: list[tuple[str, float]] = []   # display only: (label, percent)
        self.target = 0
        self.setMinimumHeight(180)

    def set_data(self, bars, target):
        self.bars = list(bars)
        self.target = target
        self.update()

    def paintEvent(self, _event):
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        left, bottom, top = 40, 36, 12
        ch = h - bottom - top
        p.setPen(QPen(QColor("#888888")))
        p.drawLine(left, top, left, top + ch)
        p.drawLine(left, top + ch, w - 8, top + ch)
        for v in (0, 50, 100):
            y = top + ch - ch * v / 100
            p.drawText(QRectF(0, y - 8, left - 4, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       f"{v}%")
        n = max(len(self.bars), 1)
        slot = (w - left - 16) / n
        for i, (label, pct) in enumerate(self.bars):
            bh = ch * max(0.0, min(pct, 100.0)) / 100
            x = left + 8 + i * slot
            bw = min(max(slot * 0.6, 4), 90)
            p.fillRect(QRectF(x, top + ch - bh, bw, bh), QColor("#4A7FB5" if pct >= self.target else "#D9534F"))
            p.setPen(QColor("#333333"))
            p.drawText(QRectF(x + bw / 2 - slot / 2, top + ch + 2, slot, 16), Qt.AlignmentFlag.AlignCenter, label)
            p.drawText(QRectF(x + bw / 2 - slot / 2, top + ch - bh - 16, slot, 16), Qt.AlignmentFlag.AlignCenter,
                       f"{pct:.1f}%")
        if self.target:
            y = top + ch - ch * self.target / 100
            pen = QPen(QColor("#2E8B57"))
            pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(left, int(y), w - 8, int(y))
            p.drawText(QRectF(w - 120, y - 16, 110, 14), Qt.AlignmentFlag.AlignRight, f"目标 {self.target}%")
        p.end()


def list_view(model) -> QTableView:
    """A read-only, single-row-selection table over a list model, columns fitted to their contents."""
    t = QTableView()
    t.setModel(model)
    t.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    t.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setStretchLastSection(True)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.setAlternatingRowColors(True)
    return t


def button(text: str, purpose: str, slot, parent=None, enabled: bool = True) -> QPushButton:
    """A push button with the icon of its ``purpose`` (ui.common.icons), connected to ``slot``."""
    b = QPushButton(icon(purpose), text, parent)
    b.clicked.connect(slot)
    b.setEnabled(enabled)
    return b
