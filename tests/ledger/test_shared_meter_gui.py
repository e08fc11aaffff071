"""公摊 in the 收费项目 editor, driven as the manager does: 新增 a 公摊电费 with the formula 公摊（按面积）
and no rate, select it, click 公摊金额…, a bad amount refused naming 公摊金额, then the month's amount
saved; the monthly run splits it over the homes (tests.helpers.ledger.make_site, 653.45 ㎡ billed)."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.ledger import billing
from models.ledger import Charge
from models.shared_meter import SharedMeterReading
from tests.helpers.ledger import make_site
from tests.helpers.notices import type_text  # Chinese typed as an input method sends it

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def tab(qtbot, ctx, users):
    make_site(ctx, users)
    from ui.ledger.tab import Tab
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.inner.setCurrentIndex(w.BILLING_PAGE)
    return w


def click_row(qtbot, view, name):
    model = view.model()
    row = next(r for r in range(model.rowCount()) if model.rows[r]["name"] == name)
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(model.index(row, 0)).center())


def test_shared_item_added_and_its_month_entered(qtbot, tab, ctx):
    qtbot.mouseClick(tab.findChild(QPushButton, "ledger_charge_items"), LEFT)
    dlg = tab.charge_items_dialog
    qtbot.waitUntil(dlg.isVisible)
    assert not dlg.shared_button.isEnabled()
    qtbot.mouseClick(dlg.add_button, LEFT)
    form = dlg.item_form
    qtbot.waitUntil(form.isVisible)
    type_text(qtbot, form.widget("name"), "公摊电费")
    form.widget("category").setCurrentIndex(form.widget("category").findData("metered"))
    form.widget("formula").setCurrentIndex(form.widget("formula").findData("shared_area"))
    form.widget("valid_from").clear()
    qtbot.keyClicks(form.widget("valid_from"), "2026-01")
    qtbot.mouseClick(form.ok_button, LEFT)
    qtbot.waitUntil(lambda: not form.isVisible())
    row = next(r for r in dlg.model.rows if r["name"] == "公摊电费")
    assert row["standard"] == "公摊（按面积），按月公摊表金额" and row["shared"]

    click_row(qtbot, dlg.view, "公摊电费")
    assert dlg.shared_button.isEnabled()
    qtbot.mouseClick(dlg.shared_button, LEFT)
    reading = dlg.shared_form
    qtbot.waitUntil(reading.isVisible)
    reading.widget("period").clear()
    qtbot.keyClicks(reading.widget("period"), "2026-11")
    qtbot.keyClicks(reading.widget("amount"), "-5")
    qtbot.mouseClick(reading.ok_button, LEFT)
    assert reading.isVisible() and "公摊金额" in reading.error_label.text()
    reading.widget("amount").clear()
    qtbot.keyClicks(reading.widget("amount"), "1234.57")
    qtbot.keyClicks(reading.widget("usage"), "1543.21")
    qtbot.mouseClick(reading.ok_button, LEFT)
    qtbot.waitUntil(lambda: not reading.isVisible())
    saved = SharedMeterReading.get()
    assert (saved.period, saved.amount_fen, saved.usage_x100) == ("2026-11", 123457, 154321)
    qtbot.mouseClick(dlg.findChild(QPushButton, "charge_items_close"), LEFT)
    qtbot.waitUntil(lambda: not dlg.isVisible())

    billing.run_month(ctx, "2026-11")
    got = list(Charge.select().where(Charge.item_code == saved.item.code))
    assert len(got) == 5 and sum(c.amount_fen for c in got) == 123457
