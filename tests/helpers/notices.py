"""A small site for the notice tests: building 5 with entrances 1 and 2, building 6 with one."""
from __future__ import annotations

from models.property import Building, Cluster, Entrance


def make_buildings() -> dict:
    c = Cluster.create(code="A", name="罗马假日", sort_order=1)
    b5 = Building.create(cluster=c, code="5", name="5号楼", floors=6, sort_order=1)
    b6 = Building.create(cluster=c, code="6", name="6号楼", floors=3, sort_order=2)
    return {"5-1": Entrance.create(building=b5, code="1"), "5-2": Entrance.create(building=b5, code="2"),
            "6-1": Entrance.create(building=b6, code="1")}


def draft(ctx, **kw):
    from app.notices.notices import create_notice
    data = {"grade": "通告", "title": "电梯维护保养通知", "body": "尊敬的业主：\n5号楼电梯明日保养。\n- 请走楼梯",
            "buildings": ["5"], "post_from": "2026-11-23", "post_to": "2026-11-30"}
    data.update(kw)
    return create_notice(ctx, data)


def posted(ctx, **kw):
    """A notice drafted, approved, printed (its job recorded) and posted."""
    from app.notices import notices, prints
    n = draft(ctx, **kw)
    notices.approve(ctx, n.id)
    prints.notice_pdf(ctx, n.id)
    return notices.post(ctx, n.id)


def type_text(qtbot, widget, text: str):
    """Type *text* into a widget as key presses: QTest types ASCII only, so each other character
    (Chinese, full-width punctuation) goes as a key event carrying its text, as an input method sends it."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication
    widget.setFocus()
    for ch in text:
        if ch == "\n":
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        elif ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))
