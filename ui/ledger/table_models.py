"""Table models of the ledger tab: lists of row dicts from the ledger services behind
QAbstractTableModel (no queries here). Money columns are fen formatted as 元 and right-aligned."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.core.money import fmt_fen, parse_yuan
from ui.common.lists import ALIGN, DISPLAY, RIGHT, ListModel, sort_key

EDIT = int(Qt.ItemDataRole.EditRole)
CHECK = int(Qt.ItemDataRole.CheckStateRole)
OWED = QBrush(QColor("#FDE2E2"))
VOID = QBrush(QColor("#999999"))
NO_PARENT = QModelIndex()


def money(key):
    """A money column's getter: fen → 元 text (the “（元）” header right-aligns it)."""
    return lambda r: fmt_fen(r[key]) if r.get(key) is not None else ""


class LedgerRowsModel(ListModel):
    """columns: (header, key | callable[, right]); ``shade(row)`` → QBrush or None; ``grey(row)``
    greys the row's text (void receipts). The cell text is its tooltip too."""

    def __init__(self, columns, shade=None, grey=None, parent=None):
        super().__init__(columns, shade, parent, tooltips=True,
                         foreground=(lambda r, _c: VOID if grey(r) else None) if grey is not None else None)


def charges_model(parent=None) -> LedgerRowsModel:
    return LedgerRowsModel([
        ("收费项目", "item"), ("所属月份", "period"), ("数量", "quantity"),
        ("单价（元）", money("unit_price_fen")), ("应收（元）", money("amount_fen")),
        ("已收（元）", money("paid_fen")), ("欠费（元）", money("owed_fen")), ("缴费期限", "due_date"),
        ("备注", "memo"),
    ], shade=lambda r: OWED if r["owed_fen"] > 0 and r["category"] not in ("deposit", "prepay") else None,
        parent=parent)


def receipts_model(parent=None) -> LedgerRowsModel:
    return LedgerRowsModel([
        ("编号", "number"), ("类别", lambda r: "收据" if r["kind"] == "receipt" else "退款凭证"),
        ("开具时间", "issued_at"), ("交款/领款人", "payer"), ("方式", "method"), ("参考号", "reference"),
        ("金额（元）", money("total_fen")), ("收款人", "cashier"), ("状态", "status"), ("补打次数", "reprints"),
        ("作废原因", "void_reason"),
    ], grey=lambda r: r["status"] == "作废", parent=parent)


def arrears_homes_model(parent=None) -> LedgerRowsModel:
    return LedgerRowsModel([
        ("房号", "room_code"), ("业主", "owners"), ("电话", "phone"), ("楼栋", "building"), ("组团", "cluster"),
        ("客服管理员", "area_manager"), ("欠费（元）", money("owed_fen")), ("笔数", "charges"),
        ("欠费月数", "months"), ("最早到期", "oldest_due"),
    ], parent=parent)


def arrears_groups_model(parent=None) -> LedgerRowsModel:
    return LedgerRowsModel([("名称", "name"), ("户数", "homes"), ("欠费（元）", money("owed_fen")),
                            ("笔数", "charges")], parent=parent)


def ageing_model(parent=None) -> LedgerRowsModel:
    return LedgerRowsModel([("账龄", "label"), ("户数", "homes"), ("欠费（元）", money("owed_fen"))], parent=parent)


def standards_model(parent=None) -> LedgerRowsModel:
    return LedgerRowsModel([("收费项目", "item_name"), ("标准", "variant"), ("单价（元）", money("rate_fen")),
                            ("单位", "unit"), ("收费依据", "basis")], parent=parent)


class PayChargesModel(QAbstractTableModel):
    """Open charges to pay: a check box per row and an editable amount in 元 (default: owed)."""
    HEADERS = ("收取", "收费项目", "所属月份", "欠费（元）", "本次收款（元）")
    AMOUNT = 4          # the editable column (本次收款)

    def __init__(self, charges, selected_ids=(), parent=None):
        super().__init__(parent)
        self.rows = list(charges)
        sel = set(selected_ids)
        self.checked = [(r["id"] in sel) if sel else True for r in self.rows]
        self.amount_text = [fmt_fen(r["owed_fen"]).replace(",", "") for r in self.rows]

    def rowCount(self, parent=NO_PARENT):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=NO_PARENT):
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=DISPLAY):
        if int(role) == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def flags(self, index):
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            f |= Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == self.AMOUNT:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        role = int(role)
        r, c = index.row(), index.column()
        row = self.rows[r]
        if role == CHECK and c == 0:
            return Qt.CheckState.Checked if self.checked[r] else Qt.CheckState.Unchecked
        if role in (DISPLAY, EDIT):
            return {1: row["item"], 2: row["period"], 3: fmt_fen(row["owed_fen"]),
                    4: self.amount_text[r] if self.checked[r] else ""}.get(c)
        if role == ALIGN and c in (3, 4):
            return RIGHT
        return None

    def setData(self, index, value, role=EDIT):
        role = int(role)
        r, c = index.row(), index.column()
        if c == 0 and role == CHECK:
            self.checked[r] = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value) or value is True
            self.dataChanged.emit(self.index(r, 0), self.index(r, 4))
            return True
        if c == self.AMOUNT and role == EDIT:
            self.amount_text[r] = str(value).strip()
            if self.amount_text[r]:
                self.checked[r] = True
            self.dataChanged.emit(self.index(r, 0), self.index(r, 4))
            return True
        return False

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        """A header click: the charges ordered by that column as shown (收取: ticked first), the
        ticks and amounts typed so far moving with their rows; blanks last. Column -1 (the third
        click) keeps the order the rows have."""
        if not 0 <= column < len(self.HEADERS):
            return
        lines = list(zip(self.rows, self.checked, self.amount_text, strict=True))
        if column == 0:
            keys = [(0 if on else 1,) for _row, on, _text in lines]
        else:
            keys = [sort_key(self.data(self.index(r, column))) for r in range(len(lines))]
        filled = sorted((i for i, k in enumerate(keys) if k is not None), key=keys.__getitem__,
                        reverse=order == Qt.SortOrder.DescendingOrder)
        new = filled + [i for i, k in enumerate(keys) if k is None]
        self.layoutAboutToBeChanged.emit()
        self.rows = [lines[i][0] for i in new]
        self.checked = [lines[i][1] for i in new]
        self.amount_text = [lines[i][2] for i in new]
        self.layoutChanged.emit()

    def plan(self) -> tuple[list[int], dict[int, int]]:
        """The charge ids ticked and their amounts in fen (parse_yuan; raises ValidationError)."""
        ids, amounts = [], {}
        for row, on, text in zip(self.rows, self.checked, self.amount_text, strict=True):
            if not on:
                continue
            fen = parse_yuan(text, f"{row['item']}{('（' + row['period'] + '）') if row['period'] else ''}收款金额")
            ids.append(row["id"])
            amounts[row["id"]] = fen
        return ids, amounts

    def total_fen(self) -> int | None:
        try:
            return sum(self.plan()[1].values())
        except Exception:
            return None


def readings_model(parent=None) -> LedgerRowsModel:
    return LedgerRowsModel([("表类", "kind"), ("抄表日期", "date"), ("读数", "reading", True),
                            ("新表起始", "new_meter"), ("备注", "note")], parent=parent)
