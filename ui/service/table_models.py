"""Table models of the service tab: requests (rows from app.service.queries.list_requests) and KPIs."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.service.records import status_label
from ui.common.lists import SortableRows

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FG = int(Qt.ItemDataRole.ForegroundRole)
_TIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_USER = int(Qt.ItemDataRole.UserRole)

RED = QBrush(QColor("#C62828"))
ORANGE = QBrush(QColor("#E65100"))
GREEN = QBrush(QColor("#2E7D32"))
GREY = QBrush(QColor("#757575"))
NO_PARENT = QModelIndex()


class RequestTableModel(SortableRows, QAbstractTableModel):
    COLUMNS = ["编号", "受理时间", "房号", "类别", "状态", "当前责任", "提醒", "投诉等级", "内容", "报事人", "电话",
               "首问责任人", "处理人", "方式"]
    NUMBER, RECEIVED, ROOM, KIND, STATUS, HOLDER, WARN, GRADE, CONTENT, CALLER, PHONE, RECEIVER, HANDLER, CHANNEL = \
        range(14)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows = []

    def set_rows(self, rows):
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row(self, i):
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def rowCount(self, parent=NO_PARENT):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=NO_PARENT):
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and int(role) == _DISPLAY:
            return self.COLUMNS[section]
        return None

    # column → the text of a request row in it
    TEXTS = {
        NUMBER: lambda r: r.number,
        RECEIVED: lambda r: f"{r.received_at:%Y-%m-%d %H:%M}",
        ROOM: lambda r: r.room_code,
        KIND: lambda r: r.kind + (f"·{r.complaint_class}" if r.complaint_class else ""),
        CHANNEL: lambda r: r.channel,
        CALLER: lambda r: r.caller,
        PHONE: lambda r: r.phone_masked,
        CONTENT: lambda r: r.content.replace("\n", " "),
        STATUS: lambda r: status_label(r.kind, r.status),
        RECEIVER: lambda r: r.receiver,
        HANDLER: lambda r: r.handler,
        HOLDER: lambda r: r.holder,
        GRADE: lambda r: r.grade,
        WARN: lambda r: r.warnings,
    }
    GRADE_COLOURS = {"重大": RED, "热点": ORANGE}

    def _text(self, r, c):
        text = self.TEXTS.get(c)
        return text(r) if text is not None else None

    def _colour(self, r, c):
        if (c == self.WARN and r.warnings) or (c == self.HOLDER and r.level):
            return RED
        if c == self.GRADE:
            return self.GRADE_COLOURS.get(r.grade)
        if c == self.STATUS and r.status == "已关闭":
            return GREY
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        c = index.column()
        role = int(role)
        if role == _DISPLAY:
            return self._text(r, c)
        if role == _TIP and c in (self.CONTENT, self.WARN):
            return self._text(r, c)
        if role == _FG:
            return self._colour(r, c)
        if role == _USER:
            return r.id
        return None


class KpiTableModel(SortableRows, QAbstractTableModel):
    rows_attr = "kpis"

    COLUMNS = ["指标", "分子", "分母", "实际", "目标", "结论"]
    VERDICT = 5

    def __init__(self, parent=None):
        super().__init__(parent)
        self.kpis = []

    def set_kpis(self, kpis):
        self.beginResetModel()
        self.kpis = list(kpis)
        self.endResetModel()

    def rowCount(self, parent=NO_PARENT):
        return 0 if parent.isValid() else len(self.kpis)

    def columnCount(self, parent=NO_PARENT):
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and int(role) == _DISPLAY:
            return self.COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        k = self.kpis[index.row()]
        c, role = index.column(), int(role)
        if role == _DISPLAY:
            return [k.name, str(k.num), str(k.den), k.pct_text, k.target_text, k.met_text][c]
        if role == _ALIGN and c:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == _FG and c == self.VERDICT:
            return {True: GREEN, False: RED}.get(k.met, GREY)
        return None
