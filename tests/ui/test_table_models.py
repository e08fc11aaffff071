"""ui.common.lists.ListModel: the one list model behind the tabs' tables."""
import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush

from ui.common.lists import RIGHT, ListModel
from ui.common.tables import OVERDUE, RowsModel
from ui.ledger.table_models import VOID, LedgerRowsModel, money
from ui.renovation.table_models import RED, fee_model
from ui.system.table_models import TupleModel

R = Qt.ItemDataRole


def test_cells_colours_alignment_tooltips(qtbot):
    m = ListModel([("名称", "name"), ("金额（元）", money("fen")), ("时间", lambda r: r["at"]),
                   ("在库", "ok"), ("备注", "missing")],
                  colour=lambda r: "#FDE2E2" if r["fen"] > 0 else None)
    m.set_rows([{"name": "甲", "fen": 12345, "at": dt.datetime(2026, 11, 23, 9, 5, 7), "ok": True},
                {"name": "乙", "fen": 0, "at": dt.date(2026, 11, 1), "ok": False}])
    assert m.rowCount() == 2 and m.columnCount() == 5 and m.headerData(1, Qt.Orientation.Horizontal) == "金额（元）"
    assert [m.text(0, c) for c in range(5)] == ["甲", "123.45", "2026-11-23 09:05", "是", ""]
    assert [m.text(1, c) for c in range(5)] == ["乙", "0.00", "2026-11-01", "", ""]
    assert m.data(m.index(0, 1), R.TextAlignmentRole) == RIGHT and m.data(m.index(0, 0), R.TextAlignmentRole) is None
    assert isinstance(m.data(m.index(0, 0), R.BackgroundRole), QBrush)
    assert m.data(m.index(1, 0), R.BackgroundRole) is None
    assert m.data(m.index(0, 0), R.ToolTipRole) is None           # tooltips only when asked for
    assert m.data(m.index(1, 0), R.UserRole)["name"] == "乙"
    assert m.row(1)["name"] == "乙" and m.row(5) is None and m.row_at(m.index(0, 0))["name"] == "甲"


def test_area_models_keep_their_behaviour(qtbot):
    keys = RowsModel([("押金（元）", "deposit"), ("逾期", "overdue")],
                     shade=lambda r: OVERDUE if r["overdue"] else None)
    keys.set_rows([{"deposit": "50.00", "overdue": True}])
    assert keys.data(keys.index(0, 0), R.TextAlignmentRole) is None          # key/loan lists: no right-alignment
    assert keys.data(keys.index(0, 1), R.ToolTipRole) == "是"
    assert keys.data(keys.index(0, 0), R.BackgroundRole).color() == OVERDUE

    ledger = LedgerRowsModel([("编号", "number"), ("读数", "reading", True)], grey=lambda r: r["void"])
    ledger.set_rows([{"number": "SJ1", "reading": "120.50", "void": True},
                     {"number": "SJ2", "reading": "1", "void": False}])
    assert ledger.data(ledger.index(0, 1), R.TextAlignmentRole) == RIGHT
    assert ledger.data(ledger.index(0, 0), R.ForegroundRole) is VOID
    assert ledger.data(ledger.index(1, 0), R.ForegroundRole) is None

    fees = fee_model()
    fees.set_rows([{"item": "装修押金", "who": "", "amount": 300000, "paid": 0, "refunded": 0}])
    assert fees.text(fees.row(0), 2) == "3,000.00" and fees.data(fees.index(0, 2), R.TextAlignmentRole) == RIGHT
    assert fees.data(fees.index(0, 0), R.ForegroundRole) is RED

    t = TupleModel(["序号", "操作"])
    t.set_rows([(1, "owner.update"), (2, None)], ["a", "b"])
    assert t.rows[0][1] == "owner.update" and t.keys == ["a", "b"]
    assert t.data(t.index(1, 1), R.DisplayRole) == "" and t.data(t.index(0, 0), R.ToolTipRole) == "1"
