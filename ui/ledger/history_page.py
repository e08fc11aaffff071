"""缴费历史…: the household's payment history from before going live (app.golive.history_import), with
its 已缴至, in a window of its own opened from the 费用明细 bar (ui.ledger.home_actions)."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout

from app.core.money import fmt_fen
from app.golive.history_import import home_history
from app.ledger.paid_until import paid_until_text
from ui.common.icons import icon
from ui.common.ops import info, run_action
from ui.common.tables import RowsModel, table_view

COLUMNS = [("收费项目", "item"), ("所属期间", "period"), ("缴费日期", "paid_on"),
           ("应收（元）", lambda r: fmt_fen(r["billed_fen"])), ("实收（元）", lambda r: fmt_fen(r["paid_fen"])),
           ("收款人", "cashier"), ("车牌号", "plate"), ("备注", "memo")]


class HistoryDialog(QDialog):
    def __init__(self, ctx, home_id, room_code="", parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"缴费历史 {room_code}")
        self.resize(860, 420)
        rows = run_action(self, home_history, ctx, home_id) or []
        until = paid_until_text(home_id)
        lay = QVBoxLayout(self)
        self.summary = QLabel(f"上线前的缴费记录 {len(rows)} 笔（仅供查阅，不是收据）。"
                              + (f"已缴至：{until}" if until else "尚无已缴月份。"))
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.model = RowsModel(COLUMNS, parent=self)
        self.model.set_rows(rows)
        self.view = table_view(self.model, self, "ledger_history")
        lay.addWidget(self.view, 1)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        self.close_button = box.button(QDialogButtonBox.StandardButton.Close)


def open_history(tab):
    if tab.home_id is None:
        info(tab, "请先查找房屋")
        return None
    dlg = HistoryDialog(tab.ctx, tab.home_id, (tab.header_data or {}).get("room_code", ""), tab)
    tab.last_dialog = dlg
    dlg.exec()
    return dlg


def buttons(tab) -> list:
    b = QPushButton(icon("search"), "缴费历史…")
    b.setObjectName("ledger_history")
    b.clicked.connect(lambda: open_history(tab))
    return [b]
