"""The read-back script (复述) read to the caller shows the phone so the clerk can read it back: in
full to the receiver who took the call and to whoever may correct the request; masked for others;
the list and its head line stay masked."""
import pytest
from PySide6.QtCore import Qt

from app.service import intake, records
from tests.helpers.service import make_homes, new_request


@pytest.fixture
def taken(ctx, as_role):
    """A repair taken by the front desk (刘女士, 13812345678)."""
    return new_request(as_role("frontdesk"), make_homes(2)[0])


@pytest.mark.parametrize(("role", "full"), [("frontdesk", True), ("manager", True), ("area_manager", False),
                                            ("cashier", False)])
def test_read_back_phone_by_who_may_correct(ctx, as_role, taken, role, full):
    r = records.get(taken.id)
    phone = intake.read_back_phone(as_role(role), r)
    assert phone == ("13812345678" if full else "138****5678")
    script = intake.request_read_back(r, phone)
    assert f"联系电话 {phone}" in script and "以上内容是否准确" in script
    assert "138****5678" in intake.request_read_back(r)          # without the clerk's phone: masked


def test_intake_dialog_reads_the_typed_phone_back(qtbot, ctx):
    make_homes(2)
    from ui.service.intake import IntakeDialog
    dlg = IntakeDialog(ctx)
    qtbot.addWidget(dlg)
    assert "未留联系电话" in dlg.read_back_text.text()
    qtbot.keyClicks(dlg.room, "5-102")
    qtbot.keyClicks(dlg.phone, "139 1234 5678")
    dlg.content.setPlainText("客厅灯不亮")
    text = dlg.read_back_text.text()
    assert "5-102" in text and "联系电话 139 1234 5678" in text and "客厅灯不亮" in text


def test_service_tab_detail_reads_back_in_full_for_the_receiver(qtbot, ctx, as_role, taken):
    from ui.service.tab import Tab
    for role, shown in (("frontdesk", "13812345678"), ("cashier", "138****5678")):
        w = Tab(as_role(role))
        qtbot.addWidget(w)
        w.resize(1280, 760)
        w.show()
        w.refresh()
        assert w.model.rowCount() == 1
        rect = w.view.visualRect(w.model.index(0, 1))
        qtbot.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        text = w.detail.toPlainText()
        head, _sep, script = text.partition("复述：")
        assert f"联系电话 {shown}" in script, role
        assert "138****5678" in head and "13812345678" not in head       # the head line, like the list, masked
        assert all("13812345678" not in str(w.model.data(w.model.index(0, c))) for c in range(w.model.columnCount()))
