"""A finding of the rounds becomes a service request in one step (转报修): channel 巡查, prefilled
from the finding, the finding closed with the request's number; one transaction (a refused intake
leaves the finding open and no request), audited; the service register shows 巡查. The GUI: the
button 转报修… on the 巡查记录 page, the intake dialog prefilled, 受理 clicked."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.errors import PermissionDenied, StateError, ValidationError
from app.frontdesk import rounds, rounds_service, shifts
from app.service import queries
from models.frontdesk import RoundEntry
from models.service import CHANNELS, ServiceRequest
from models.users import AuditLog
from tests.helpers.gui import accept_next_dialog, click_page, click_row
from tests.helpers.keys import DEFAULT_HOMES, make_homes

REQUEST = {"kind": "报修", "room_code": "5-201", "caller": "王经理", "content": "5号楼大堂单元门闭门器损坏",
           "read_back": True}


@pytest.fixture
def homes(ctx):
    return make_homes(DEFAULT_HOMES)


def test_a_finding_becomes_a_request_in_one_step(ctx, homes, as_role):
    assert "巡查" in CHANNELS
    e = rounds.record_round(ctx, {"place": "5号楼大堂", "found": "单元门闭门器损坏"})
    assert rounds_service.intake_defaults(e) == {"channel": "巡查", "kind": "报修", "caller": "王经理",
                                                 "content": "巡查发现（5号楼大堂）：单元门闭门器损坏"}
    done, r = rounds_service.to_service(ctx, e.id, {**REQUEST, "channel": "电话"})   # the channel is always 巡查
    assert (r.number, r.channel, r.kind, r.home.room_code, r.status) == ("FW2026-000001", "巡查", "报修", "5-201",
                                                                           "待派工")
    assert r.phone == ""                                          # 巡查 needs no caller's phone
    e = RoundEntry.get_by_id(e.id)
    assert (e.status, e.result, e.handled_at) == ("已处理", "已转报修，服务单号 FW2026-000001", ctx.clock.now())
    assert done.result == e.result
    row = rounds.round_row(e)
    assert rounds_service.request_number(row) == "FW2026-000001"
    assert dict((label, n) for label, n, _u in shifts.open_items(ctx))["巡查发现待跟进"] == 0
    acts = [a.action for a in AuditLog.select().order_by(AuditLog.id)]
    assert acts[-2:] == ["service.intake", "rounds.to_service"]
    last = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert (last.entity, last.entity_id) == ("round_entry", str(e.id)) and "FW2026-000001" in last.after
    with pytest.raises(StateError) as err:                        # once only
        rounds_service.to_service(ctx, e.id, REQUEST)
    assert "FW2026-000001" in str(err.value) and ServiceRequest.select().count() == 1
    register = queries.register_rows(ctx, "2026-11")
    assert [cells[2] for cells in register] == ["巡查"]            # the register shows the channel


def test_a_refused_intake_leaves_the_finding_open(ctx, homes, as_role):
    e = rounds.record_round(ctx, {"place": "东门", "found": "岗亭灯不亮"})
    with pytest.raises(ValidationError) as err:
        rounds_service.to_service(ctx, e.id, {**REQUEST, "room_code": "9-999"})
    assert err.value.field == "房号"
    with pytest.raises(ValidationError) as err:
        rounds_service.to_service(ctx, e.id, {**REQUEST, "read_back": False})
    assert err.value.field == "复述确认"
    assert RoundEntry.get_by_id(e.id).status == "待跟进" and ServiceRequest.select().count() == 0
    assert not AuditLog.select().where(AuditLog.action.in_(["rounds.to_service", "service.intake"])).exists()
    with pytest.raises(PermissionDenied):
        rounds_service.to_service(as_role("cashier"), e.id, REQUEST)
    desk = as_role("frontdesk")
    _e, r = rounds_service.to_service(desk, e.id, {**REQUEST, "caller": "李前台"})
    assert r.receiver.id == desk.user.id and r.channel == "巡查"


PAGE = 7   # … 交接班记录, 租售登记, 巡查记录


@pytest.mark.gui
def test_the_button_opens_the_intake_prefilled(qtbot, ctx, homes, box_texts):
    from ui.frontdesk.tab import Tab
    rounds.record_round(ctx, {"place": "地下车库B区", "found": "照明两盏不亮"})
    w = Tab(ctx, None)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    click_page(qtbot, w.inner, PAGE)
    page = w.rounds
    assert page.service_button.text() == "转报修…" and page.service_button.isEnabled()
    qtbot.mouseClick(page.service_button, Qt.MouseButton.LeftButton)         # nothing selected yet
    assert box_texts == ["请先在列表中选择巡查记录。"]
    click_row(qtbot, page.table, 0)
    seen = {}

    def fill(dlg):
        seen.update(channel=dlg.channel.currentText(), channel_enabled=dlg.channel.isEnabled(),
                    kind=dlg.kind.currentText(), caller=dlg.caller.text(), content=dlg.content.toPlainText(),
                    title=dlg.windowTitle())
        dlg.grab().save(str(ctx.data_dir.parent / "round_intake.png"))
        qtbot.keyClicks(dlg.room, "5-102")
        qtbot.keyClick(dlg.read_back, Qt.Key.Key_Space)
    accept_next_dialog(qtbot, "受理", fill)
    qtbot.mouseClick(page.service_button, Qt.MouseButton.LeftButton)
    assert seen == {"channel": "巡查", "channel_enabled": False, "kind": "报修", "caller": "王经理",
                    "content": "巡查发现（地下车库B区）：照明两盏不亮", "title": seen["title"]}
    assert seen["title"].startswith("转报修：XC2026-000001")
    r = ServiceRequest.get()
    assert (r.channel, r.home.room_code, r.content) == ("巡查", "5-102", "巡查发现（地下车库B区）：照明两盏不亮")
    assert box_texts[-1] == f"已转报修，服务单号 {r.number}。"
    assert page.model.rowCount() == 0                                         # no longer open
    page.view.setCurrentIndex(1)                                              # 今日巡查 shows the number
    texts = [page.model.index(0, c).data() for c in range(page.model.columnCount())]
    assert f"已转报修，服务单号 {r.number}" in texts
    click_row(qtbot, page.table, 0)
    qtbot.mouseClick(page.service_button, Qt.MouseButton.LeftButton)          # handled: told so, nothing opens
    assert r.number in box_texts[-1] and QApplication.activeModalWidget() is None
    assert ServiceRequest.select().count() == 1
