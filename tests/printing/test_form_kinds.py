"""Every print names its form kind, so 打印… and quick print use that kind's printer, paper and
offset: the 催缴 notices and the renovation 整改通知单 preview as 通知单, the worker pass cards as
施工人员出入证, driven through the tabs' own buttons and menu."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from app.renovation import api as rv
from tests.helpers.renovation import APPLICATION, make_file, make_homes, make_id, pay_all
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)
from ui.common.print_preview import PrintPreviewDialog

pytestmark = pytest.mark.gui


def open_previews() -> list[PrintPreviewDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, PrintPreviewDialog) and w.isVisible()]


def button(widget, text) -> QPushButton:
    return next(b for b in widget.findChildren(QPushButton) if b.text() == text)


def test_dunning_notices_preview_as_notice(qtbot, ctx, owing, boxes):  # noqa: F811
    from ui.ledger.dunning_tab import Tab
    ctx.clock.set(dt.datetime(2026, 11, 20, 10))
    tab = Tab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    before = set(open_previews())
    qtbot.mouseClick(button(tab, "打印二次通知"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(tab.loaded)                         # the batch is drawn in the background
    assert any("二次" in t for t in boxes.texts("question")), boxes.texts()  # the count and total confirmed
    (dlg,) = set(open_previews()) - before
    assert dlg.kind == "notice" and "通知单" in dlg.pages_label.text()
    assert dlg.document.pageCount() == 2  # 3-101 and 7-102 owe
    dlg.close()
    qtbot.waitUntil(tab.loaded)                         # the board reloads in the background


@pytest.fixture
def renovation(ctx, tmp_path):
    homes = make_homes(ctx)
    home = homes["5-101"]
    r = rv.apply(ctx, home.id, APPLICATION, drawings=[make_file(tmp_path, "平面图.pdf")])
    rv.approve(ctx, r.id, "同意")
    rv.register_worker(ctx, r.id, {"name": "张木工", "id_number": make_id(), "card": "A", "trade": "木工",
                                   "valid_until": "2027-03-31"})
    pay_all(ctx, home.id, rv.unpaid_charge_ids(rv.get(ctx, r.id)))
    rv.record_tests(ctx, r.id, True, True, "王建国")
    rv.sign_fire_undertaking(ctx, r.id, "王建国")
    ctx.clock.advance(days=2)
    rv.issue_permit(ctx, r.id)
    rv.record_patrol(ctx, r.id, False, "楼道堆放装修垃圾", workers_present=3)
    rv.issue_notice(ctx, r.id, "整改通知单", "楼道堆放装修垃圾", "当日清运完毕")
    return r


def test_renovation_passes_and_notice_preview_with_their_kinds(qtbot, ctx, renovation):
    from ui.renovation.tab import Tab
    tab = Tab(ctx, None)
    qtbot.addWidget(tab)
    tab.resize(1366, 768)
    tab.show()
    tab.select_row(0)
    assert tab.current_id == renovation.id
    action = next(a for a in tab.print_btn.menu().actions() if a.text() == "施工人员出入证（卡片）")
    action.trigger()
    (cards,) = open_previews()
    assert cards.kind == "worker_pass" and "施工人员出入证" in cards.pages_label.text()
    cards.close()
    tab.notices.selectRow(0)
    qtbot.mouseClick(button(tab, "打印通知单"), Qt.MouseButton.LeftButton)
    (notice,) = open_previews()
    assert notice.kind == "notice" and "通知单" in notice.pages_label.text()
    notice.close()
    action = next(a for a in tab.print_btn.menu().actions() if a.text() == "施工人员出入证（A4裁切）")
    action.trigger()
    (sheet,) = open_previews()
    assert sheet.kind == "a4"
    sheet.close()
