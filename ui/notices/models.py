"""The notice register's table model (row dicts from app.notices.register): rows shaded by what is
due (expired red, due today yellow, taken down grey) and the grade's word in its heading colour
(通告 green, 重要通告 yellow, 紧急通告 red, 温馨提示 blue: domain.md §10), with a dot of that colour."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from ui.common.lists import ListModel
from ui.common.tables import DONE, DUE, OVERDUE

# the grade's text colour in the table: the printed heading's colour, the yellow darkened to stay legible
GRADE_TEXT = {"通告": "#2E7D32", "重要通告": "#B26A00", "紧急通告": "#C62828", "温馨提示": "#1565C0"}
GRADE_COLUMN = 1
DECORATION = int(Qt.ItemDataRole.DecorationRole)
_icons: dict[str, QIcon] = {}


def _shade(r):
    if r.get("flag", "").startswith("过期"):
        return OVERDUE
    if r.get("flag") == "今日到期":
        return DUE
    return DONE if r.get("state") == "已撤下" else None


def grade_colour(grade: str) -> str | None:
    """The text colour of a grade ("#RRGGBB"), None for an unknown one."""
    return GRADE_TEXT.get(grade)


def grade_icon(grade: str) -> QIcon | None:
    """A round dot in the grade's colour (drawn once per grade)."""
    colour = grade_colour(grade)
    if colour is None:
        return None
    if grade not in _icons:
        pm = QPixmap(12, 12)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(colour))
        p.drawEllipse(1, 1, 10, 10)
        p.end()
        _icons[grade] = QIcon(pm)
    return _icons[grade]


class NoticesModel(ListModel):
    """The register's rows; the 等级 column in the grade's colour with its dot."""

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and index.column() == GRADE_COLUMN and int(role) == DECORATION:
            return grade_icon(self.rows[index.row()].get("grade", ""))
        return super().data(index, role)


def _foreground(row, col):
    return grade_colour(row.get("grade", "")) if col == GRADE_COLUMN else None


def notices_model(parent=None) -> NoticesModel:
    return NoticesModel([
        ("编号", "number"), ("等级", "grade"), ("标题", "title"), ("张贴范围", "scope_text"), ("张贴期", "period"),
        ("状态", "state"), ("提醒", "flag"), ("打印份数", "print_count"), ("发布日期", "issue_date"),
    ], _shade, parent, foreground=_foreground, tooltips=True, money_right=False)
