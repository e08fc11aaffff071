"""Parking spaces (车位): the list, adding a space, giving one to an owner of the selected household
(bought 产权 or rented 租用) or freeing it. Writes need the structure.edit permission."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from app import archives as ar
from app.errors import UserError


class ParkingDialog(QDialog):
    def __init__(self, ctx, household: dict | None = None, parent=None):
        super().__init__(parent)
        self.ctx, self.household = ctx, household
        self.setWindowTitle("车位管理")
        self.resize(640, 480)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["车位编号", "位置", "状态", "业主", "房号"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.code = QLineEdit()
        self.code.setPlaceholderText("新车位编号，如 B1-001")
        self.level = QComboBox()
        self.level.addItems(ar.PARKING_LEVELS)
        add = QPushButton("新增车位")
        add.clicked.connect(self.add)
        self.owner = QComboBox()
        self.kind = QComboBox()
        self.kind.addItems(["产权", "租用"])
        assign = QPushButton("分配给该业主")
        assign.clicked.connect(self.assign)
        free = QPushButton("收回（空闲）")
        free.clicked.connect(self.free)
        if household:
            for o in household["owners"]:
                self.owner.addItem(o["name"], o["id"])
        for w in (self.owner, self.kind, assign):
            w.setEnabled(bool(household and household["owners"]))
        self.message = QLabel("")
        self.message.setStyleSheet("color: #C62828;")
        row1 = QHBoxLayout()
        for w in (self.code, self.level, add):
            row1.addWidget(w)
        row2 = QHBoxLayout()
        row2.addWidget(QLabel(f"{household['room_code']} 的业主：" if household else "未选择房屋"))
        for w in (self.owner, self.kind, assign, free):
            row2.addWidget(w)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 1)
        lay.addLayout(row1)
        lay.addLayout(row2)
        lay.addWidget(self.message)
        self.load()

    def load(self):
        self.spaces = ar.list_parking(self.ctx)
        self.table.setRowCount(len(self.spaces))
        for i, p in enumerate(self.spaces):
            for j, key in enumerate(("code", "level", "state", "owner", "home")):
                self.table.setItem(i, j, QTableWidgetItem(p[key]))

    def _selected(self):
        row = self.table.currentRow()
        return self.spaces[row]["id"] if 0 <= row < len(self.spaces) else None

    def _do(self, fn, *args):
        self.message.setText("")
        try:
            fn(self.ctx, *args)
        except UserError as exc:
            self.message.setText(str(exc))
            return False
        self.load()
        return True

    def add(self):
        if self._do(ar.create_parking_space, self.code.text(), self.level.currentText()):
            self.code.clear()

    def assign(self):
        sid = self._selected()
        if sid is None:
            self.message.setText("请先在列表中选择车位")
            return
        self._do(ar.assign_parking, sid, self.owner.currentData(), self.household["id"], self.kind.currentText())

    def free(self):
        sid = self._selected()
        if sid is None:
            self.message.setText("请先在列表中选择车位")
            return
        self._do(ar.assign_parking, sid, None)
