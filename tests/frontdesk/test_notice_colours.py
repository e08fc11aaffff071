"""The notice register shows each grade in its heading's colour (通告 green, 重要通告 yellow,
紧急通告 red, 温馨提示 blue) with a dot of that colour, on the tab's real table."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.helpers.notices import draft, make_buildings

EXPECTED = {"通告": "#2e7d32", "重要通告": "#b26a00", "紧急通告": "#c62828", "温馨提示": "#1565c0"}


@pytest.fixture
def tab(qtbot, ctx):
    make_buildings()
    from ui.notices.tab import Tab
    w = Tab(ctx, None)
    qtbot.addWidget(w)
    w.resize(1300, 600)
    w.show()
    return w


def test_each_grade_is_shown_in_its_colour(qtbot, tab, ctx):
    for grade in EXPECTED:
        draft(ctx, grade=grade, title=f"{grade}的标题")
    tab.refresh()
    m = tab.model
    assert m.rowCount() == 4
    grade_col = next(c for c in range(m.columnCount()) if m.headerData(c, Qt.Orientation.Horizontal) == "等级")
    title_col = next(c for c in range(m.columnCount()) if m.headerData(c, Qt.Orientation.Horizontal) == "标题")
    seen = {}
    for r in range(m.rowCount()):
        grade = m.data(m.index(r, grade_col))
        seen[grade] = m.data(m.index(r, grade_col), Qt.ItemDataRole.ForegroundRole).color().name()
        icon = m.data(m.index(r, grade_col), Qt.ItemDataRole.DecorationRole)
        image = icon.pixmap(12, 12).toImage()
        assert image.pixelColor(6, 6).name() == EXPECTED[grade]
        assert m.data(m.index(r, title_col), Qt.ItemDataRole.ForegroundRole) is None
    assert seen == EXPECTED
    # the colour follows the row when the user sorts by another column
    tab.view.sortByColumn(title_col, Qt.SortOrder.DescendingOrder)
    for r in range(m.rowCount()):
        grade = m.data(m.index(r, grade_col))
        assert m.data(m.index(r, grade_col), Qt.ItemDataRole.ForegroundRole).color().name() == EXPECTED[grade]
