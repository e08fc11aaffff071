"""Table models of the renovation tab: plain Python lists of service rows, reset on refresh."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, Qt
from PySide6.QtGui import QBrush, QColor

from app.money import fmt_fen

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
USER = int(Qt.ItemDataRole.UserRole)
RED = QBrush(QColor("#C62828"))
GREY = QBrush(QColor("#777777"))
GREEN = QBrush(QColor("#2E7D32"))
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def _d(v) -> str:
    return v.isoformat() if isinstance(v, dt.date) else (v or "")


class _ListModel(QAbstractTableModel):
    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows):
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=None):
        return 0 if (parent is not None and parent.isValid()) else len(self.rows)

    def columnCount(self, parent=None):
        return 0 if (parent is not None and parent.isValid()) else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if int(role) == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def row(self, i):
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        role = int(role)
        if role == DISPLAY:
            return self.text(r, index.column())
        if role == USER:
            return r
        if role == FOREGROUND:
            return self.colour(r, index.column())
        if role == ALIGN:
            return self.align(index.column())
        return None

    def text(self, r, col) -> str:
        raise NotImplementedError

    def colour(self, r, col):
        return None

    def align(self, col):
        return None


class DueModel(_ListModel):
    """What needs doing (app.renovation.DueItem)."""
    HEADERS = ("待办类别", "房号", "期限", "事项")

    def text(self, r, col):
        return (r.category, r.room_code, _d(r.due), r.what + ("（逾期）" if r.overdue else ""))[col]

    def colour(self, r, col):
        return RED if r.overdue else None


class RenovationModel(_ListModel):
    """Renovations (app.renovation.Row)."""
    HEADERS = ("申请编号", "房号", "户型", "申请人", "电话", "施工单位", "状态", "下一步", "申请日期", "许可证")

    def text(self, r, col):
        return (r.number, r.room_code, r.house_type, r.applicant, r.phone_masked, r.contractor, r.state, r.next_step,
                _d(r.applied_on), _d(r.permit_on))[col]

    def colour(self, r, col):
        if r.state in ("已驳回", "已放弃"):
            return GREY
        return None


class StageModel(_ListModel):
    """The nine stages (app.renovation.Stage)."""
    HEADERS = ("", "阶段", "日期", "经办", "情况")

    def text(self, r, col):
        return ("✔" if r.done else str(r.no), r.name, _d(r.day), r.by, r.text)[col]

    def colour(self, r, col):
        return GREEN if (r.done and col == 0) else None


class WorkerModel(_ListModel):
    """Worker passes: rows are (RenovationWorker, state text)."""
    HEADERS = ("证号", "姓名", "身份证号", "工种", "类别", "有效期至", "状态", "押金退还")

    def text(self, r, col):
        w, state = r
        return (w.pass_number, w.name, w.id_masked, w.trade, f"{w.card}证", _d(w.valid_until), state,
                fmt_fen(w.deposit_refund_fen) if w.deposit_refund_fen else "")[col]

    def colour(self, r, col):
        return RED if r[1] == "已过期" else None


class PatrolModel(_ListModel):
    """Patrol log lines: rows are (RenovationPatrol, inspector name)."""
    HEADERS = ("日期", "巡查人", "结果", "巡查情况", "在场人数", "抽查")

    def text(self, r, col):
        p, who = r
        return (_d(p.patrol_on), who, "正常" if p.ok else "违规/问题", p.findings, str(p.workers_present or ""),
                "是" if p.spot_check else "")[col]

    def colour(self, r, col):
        return None if r[0].ok else RED


class NoticeModel(_ListModel):
    """Notices: rows are (RenovationNotice, today)."""
    HEADERS = ("编号", "类别", "开具日期", "内容", "整改期限", "关闭")

    def text(self, r, col):
        n, _today = r
        return (n.number, n.kind, _d(n.issued_on), n.content, _d(n.deadline),
                f"{_d(n.closed_on)} {n.closure_note}" if n.closed_on else "未关闭")[col]

    def colour(self, r, col):
        n, today = r
        return RED if (not n.closed_on and n.deadline < today) else None


class FeeModel(_ListModel):
    """Ledger charges of a renovation (dicts from app.renovation.fees_of)."""
    HEADERS = ("项目", "人员", "应收", "已收", "已退")

    def text(self, r, col):
        return (r["item"], r["who"], fmt_fen(r["amount"]), fmt_fen(r["paid"]), fmt_fen(r["refunded"]))[col]

    def colour(self, r, col):
        return RED if r["paid"] < r["amount"] else None

    def align(self, col):
        return RIGHT if col >= 2 else None
