"""Small widgets shared by tabs: a push button with its icon, a read-only list view, a bar chart
against a target line, and ``fit_to_screen`` for windows and dialogs."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPen
from PySide6.QtWidgets import QPushButton, QTableView, QWidget

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


def list_view(model, name: str = "") -> QTableView:
    """A read-only, single-row-selection table over a list model: sorted by its headers, columns
    fitted to the first rows (ui.common.tables.table_view), rows in alternating shades."""
    from ui.common.tables import table_view
    t = table_view(model, None, name)
    t.setAlternatingRowColors(True)
    return t


def fit_to_screen(widget: QWidget) -> QWidget:
    """Never larger than the available screen (taskbar excluded; at 150 % scaling a 1366×768
    screen is 910×512): a window or dialog too big for it is shrunk to fit and moved on screen."""
    screen = widget.screen() if widget.screen() is not None else QGuiApplication.primaryScreen()
    if screen is None:
        return widget
    avail = screen.availableGeometry()
    frame = 40   # title bar and borders drawn by the window manager
    w = min(widget.width(), avail.width())
    h = min(widget.height(), avail.height() - frame)
    if (w, h) != (widget.width(), widget.height()):
        widget.resize(w, h)
    if widget.isWindow() and widget.isVisible():
        x = min(max(widget.x(), avail.x()), avail.right() - w)
        y = min(max(widget.y(), avail.y()), avail.bottom() - h - frame)
        widget.move(max(x, avail.x()), max(y, avail.y()))
    return widget


def button(text: str, purpose: str, slot, parent=None, enabled: bool = True) -> QPushButton:
    """A push button with the icon of its ``purpose`` (ui.common.icons), connected to ``slot``."""
    b = QPushButton(icon(purpose), text, parent)
    b.clicked.connect(slot)
    b.setEnabled(enabled)
    return b
