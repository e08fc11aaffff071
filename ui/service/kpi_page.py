"""报事投诉, page 服务指标: the month's KPIs as a table and a bar chart (green when met, red when not,
with the target as a dashed tick), and the printed monthly service report."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.service import kpi
from ui.common.icons import icon
from ui.common.ops import run_action
from ui.common.tables import sortable
from ui.service.table_models import KpiTableModel

MONTHS_OFFERED = 24
KPI_ROWS = 7
KPI_ROW_HEIGHT = 26


def recent_months(today, count: int = MONTHS_OFFERED) -> list[str]:
    """"YYYY-MM" of this month and the *count* - 1 before it, newest first."""
    y, m, out = today.year, today.month, []
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


class KpiChart(QWidget):
    """Bars of each rate (green when met, red when not) with a target tick, drawn with QPainter."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.kpis = []
        self.setMinimumHeight(230)

    def set_kpis(self, kpis):
        self.kpis = [k for k in kpis if k.code != "valid_complaint_rate"]
        self.update()

    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        left, right, top, bottom = 44, 16, 16, 40
        plot_w, plot_h = max(w - left - right, 10), max(h - top - bottom, 10)
        p.fillRect(self.rect(), QColor("white"))
        font = QFont(self.font())
        font.setPointSize(8)
        p.setFont(font)
        p.setPen(QPen(QColor("#BDBDBD"), 1))
        for pct in range(0, 101, 20):
            y = top + plot_h - plot_h * pct / 100
            p.drawLine(left, int(y), left + plot_w, int(y))
            p.setPen(QColor("#616161"))
            p.drawText(QRectF(0, y - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       f"{pct}%")
            p.setPen(QPen(QColor("#BDBDBD"), 1))
        n = max(len(self.kpis), 1)
        slot = plot_w / n
        for i, k in enumerate(self.kpis):
            x = left + i * slot
            bar_w = slot * 0.5
            bx = x + (slot - bar_w) / 2
            if k.pct is not None:
                value = float(k.pct)   # drawing geometry only
                bh = plot_h * min(value, 100.0) / 100
                colour = QColor("#2E7D32") if k.met else QColor("#C62828")
                p.fillRect(QRectF(bx, top + plot_h - bh, bar_w, bh), colour)
                p.setPen(QColor("#212121"))
                p.drawText(QRectF(x, top + plot_h - bh - 16, slot, 14), Qt.AlignmentFlag.AlignCenter, k.pct_text)
            ty = top + plot_h - plot_h * float(k.target) / 100
            p.setPen(QPen(QColor("#1565C0"), 2, Qt.PenStyle.DashLine))
            p.drawLine(int(bx - 4), int(ty), int(bx + bar_w + 4), int(ty))
            p.setPen(QColor("#212121"))
            p.drawText(QRectF(x, top + plot_h + 4, slot, 16), Qt.AlignmentFlag.AlignCenter,
                       k.name.replace("率", ""))
        p.setPen(QColor("#1565C0"))
        p.drawText(QRectF(left, h - 18, plot_w, 16), Qt.AlignmentFlag.AlignRight, "虚线：目标值；绿色达标，红色未达标")
        p.end()


class KpiPage(QWidget):
    """Month choice, summary, the KPI table and chart, the report button."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.loaded = False
        self.month = QComboBox()
        self.month.addItems(recent_months(ctx.clock.today()))
        self.month.currentTextChanged.connect(lambda *_: self.refresh())
        self.print_report_button = QPushButton(icon("print"), "打印月度服务报告")
        self.print_report_button.clicked.connect(lambda _c=False: self.print_report())
        self.summary = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel("月份"))
        top.addWidget(self.month)
        top.addWidget(self.summary, 1)
        top.addWidget(self.print_report_button)
        self.model = KpiTableModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.verticalHeader().setDefaultSectionSize(KPI_ROW_HEIGHT)
        sortable(self.view, fit=False)
        self.view.setFixedHeight(KPI_ROWS * KPI_ROW_HEIGHT + self.view.horizontalHeader().sizeHint().height() + 4)
        self.chart = KpiChart()
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.view)
        lay.addWidget(self.chart, 1)

    def refresh(self):
        rep = run_action(self, kpi.month_report, self.ctx, self.month.currentText())
        if rep is None:
            return
        self.loaded = True
        self.model.set_kpis(rep.kpis)
        self.chart.set_kpis(rep.kpis)
        kinds = "，".join(f"{k} {v}" for k, v in rep.by_kind.items())
        self.summary.setText(f"本月受理 {rep.total} 件（{kinds}），已完成 {rep.finished} 件，"
                             f"未完成 {len(rep.open_rows)} 件；住户 {rep.homes} 户")

    def print_report(self):
        from app.service.forms import service_report_pdf
        from ui.common.print_preview import preview
        month = self.month.currentText()
        pdf = run_action(self, service_report_pdf, self.ctx, month, title="未能打印")
        if pdf is not None:
            return preview(self, pdf, f"月度客户服务报告 {month}", f"客户服务报告_{month}.pdf")
        return None
