"""Move-in: the five desk steps in order, defects to closure, events, single hand-overs, prints."""
import datetime as dt

import pytest

from app.core.errors import NotFound, PermissionDenied, StateError, ValidationError
from app.core.validation import id_check_char
from app.movein import api as movein
from models.archive import ArchiveDocument, Visit
from models.movein import Defect, HandoverStep
from models.people import HomeOwner, Owner
from models.property import Building, Cluster, Entrance, Home
from tests.helpers.pdf import pdf_pages, pdf_text


def make_id(prefix17):
    return prefix17 + id_check_char(prefix17)


OWNER_ID = make_id("14010219800512003")


@pytest.fixture
def site(ctx):
    """A cluster with four homes not handed over; 5-101 has its owner on file (from the developer)."""
    c = Cluster.create(code="A", name="罗马假日")
    b = Building.create(cluster=c, code="5", name="5号楼")
    e = Entrance.create(building=b, code="1")
    homes = {}
    for room, area in (("5-101", 12000), ("5-102", 9850), ("5-201", 14300), ("5-202", 8800)):
        homes[room] = Home.create(entrance=e, building=b, cluster=c, room_code=room, area_x100=area, house_type="洋房")
    o = Owner.create(name="陈志强", phone="13911112222")
    HomeOwner.create(home=homes["5-101"], owner=o)
    from app.desk.keys import register_door_keys
    for h in homes.values():
        register_door_keys(ctx, h.id, copies=2)
    return {"cluster": c, "homes": homes, "owner": o}


def walk_to(ctx, h, upto):
    """Do the steps of hand-over h up to and including *upto*."""
    if upto in ("identity", "agreements", "payment", "inspection", "keys"):
        movein.do_identity(ctx, h.id, owner={"name": "陈志强", "id_number": OWNER_ID, "phone": "13911112222"})
    if upto in ("agreements", "payment", "inspection", "keys"):
        movein.do_agreements(ctx, h.id, [c for c, _n in movein.AGREEMENTS])
    if upto in ("payment", "inspection", "keys"):
        movein.do_payment(ctx, h.id, "现金", "陈志强")
    if upto in ("inspection", "keys"):
        movein.complete_inspection(ctx, h.id, True, {"water": "12", "power": "30"})
    if upto == "keys":
        movein.do_keys(ctx, h.id, "陈志强", gifts="地垫一块")


def test_whole_handover(ctx, site):
    home = site["homes"]["5-101"]
    h = movein.start_handover(ctx, "5-101")
    assert movein.next_step(h.id) == "identity"
    movein.do_identity(ctx, h.id, owner={"name": "陈志强", "id_number": OWNER_ID, "phone": "139 1111 2222"})
    # the archive documents are ticked automatically
    on_file = {d.doc_code for d in ArchiveDocument.select()
               .where((ArchiveDocument.home == home.id) & ArchiveDocument.on_file)}
    assert {"id_copy_photo", "owner_info_form"} <= on_file
    assert Owner.select().count() == 1  # the owner on file was updated, not duplicated
    movein.do_agreements(ctx, h.id, ["owner_covenant", "service_agreement", "reno_agreement"])
    receipt = movein.do_payment(ctx, h.id, "现金", "陈志强")
    # one year of property fee: 120 m² × 1.78 元 = 213.60 元 a month, × 12
    assert receipt.total_fen == 21360 * 12
    d1 = movein.record_defect(ctx, h.id, "卫生间", "防水", "淋浴区墙角渗水")
    d2 = movein.record_defect(ctx, h.id, "主卧", "门窗", "窗扇关闭不严")
    assert d1.order_number != d2.order_number
    movein.complete_inspection(ctx, h.id, True, {"water": "12", "power": "30", "gas": ""})
    ctx.clock.advance(hours=1)
    movein.do_keys(ctx, h.id, "陈志强", gifts="地垫一块")
    home = Home.get_by_id(home.id)
    assert home.state == "已入住" and home.move_in_date == ctx.clock.today()
    from app.desk.keys import home_door_keys
    assert home_door_keys(home.id) == []  # the door keys left the register to the owner
    kinds = {v.kind: v.planned_date for v in Visit.select().where(Visit.home == home.id)}
    assert kinds["入住三日回访"] == ctx.clock.today() + dt.timedelta(days=3)
    assert HandoverStep.select().where(HandoverStep.handover == h.id).count() == 5
    keys_step = HandoverStep.get((HandoverStep.handover == h.id) & (HandoverStep.step == "keys"))
    assert "钥匙 2 把" in keys_step.notes  # the door key was registered with two copies
    steps = movein.handover_detail(h.id)["steps"]
    assert all(s["done_by"] == "王经理" for s in steps)
    # defects followed to closure
    movein.send_defect(ctx, d1.id, "中建三局")
    movein.defect_fixed(ctx, d1.id)
    movein.close_defect(ctx, d1.id, owner_confirmed=True)
    assert Defect.get_by_id(d1.id).status == "已关闭"
    assert [d.id for d in movein.open_defects()] == [d2.id]


def test_step_refused_out_of_order(ctx, site):
    h = movein.start_handover(ctx, "5-101")
    with pytest.raises(StateError, match="请先完成“身份核验”"):
        movein.do_agreements(ctx, h.id, [c for c, _n in movein.AGREEMENTS])
    walk_to(ctx, h, "agreements")
    with pytest.raises(StateError, match="请先完成“缴纳物业费”"):
        movein.complete_inspection(ctx, h.id, True)
    with pytest.raises(StateError, match="请先完成"):
        movein.record_defect(ctx, h.id, "客厅", "墙面", "裂缝")
    with pytest.raises(StateError, match="已于"):
        movein.do_identity(ctx, h.id, owner_id=site["owner"].id)
    assert HandoverStep.select().where(HandoverStep.handover == h.id).count() == 2


def test_interrupted_handover_resumed(ctx, site):
    h = movein.start_handover(ctx, "5-101")
    walk_to(ctx, h, "payment")
    # the owner leaves; the next day the desk picks the same hand-over up again
    ctx.clock.advance(days=1)
    again = movein.start_handover(ctx, "5-101")
    assert again.id == h.id and movein.next_step(h.id) == "inspection"
    movein.complete_inspection(ctx, h.id, True)
    movein.do_keys(ctx, h.id, "陈志强")
    assert Home.get(Home.room_code == "5-101").state == "已入住"
    with pytest.raises(StateError, match="已交付"):
        movein.start_handover(ctx, "5-101")


def test_bad_input_saves_nothing(ctx, site):
    h = movein.start_handover(ctx, "5-102")
    with pytest.raises(ValidationError, match="身份证号"):
        movein.do_identity(ctx, h.id, owner={"name": "刘洋", "id_number": "140102198005120031", "phone": "13800001111"})
    with pytest.raises(ValidationError, match="联系电话"):
        movein.do_identity(ctx, h.id, owner={"name": "刘洋", "id_number": make_id("14010219800512004"), "phone": "12"})
    with pytest.raises(ValidationError, match="身份证原件"):
        movein.do_identity(ctx, h.id, owner={"name": "刘洋", "id_number": make_id("14010219800512004")},
                           id_checked=False)
    assert Owner.select().where(Owner.name == "刘洋").count() == 0
    assert HandoverStep.select().where(HandoverStep.handover == h.id).count() == 0
    movein.do_identity(ctx, h.id, owner={"name": "刘洋", "id_number": make_id("14010219800512004")})
    with pytest.raises(ValidationError, match="装修管理协议"):
        movein.do_agreements(ctx, h.id, ["owner_covenant", "service_agreement"])
    with pytest.raises(NotFound, match="9-999"):
        movein.start_handover(ctx, "9-999")


def test_keys_step_needs_handover_doc_and_manuals(ctx, site):
    h = movein.start_handover(ctx, "5-101")
    walk_to(ctx, h, "payment")
    with pytest.raises(ValidationError, match="房屋交接书"):
        movein.complete_inspection(ctx, h.id, False)
    with pytest.raises(ValidationError, match="电表读数"):
        movein.complete_inspection(ctx, h.id, True, {"power": "abc"})
    movein.complete_inspection(ctx, h.id, True)
    with pytest.raises(ValidationError, match="质量保证书"):
        movein.do_keys(ctx, h.id, "陈志强", manuals_given=False)
    assert Home.get(Home.room_code == "5-101").state == "未交付"


def test_single_handover_needs_developer_formalities(ctx, site):
    h = movein.start_handover(ctx, "5-201", kind="零星交付")
    with pytest.raises(StateError, match="开发商手续"):
        movein.do_identity(ctx, h.id, owner={"name": "周敏", "id_number": make_id("14010219850101002")})
    movein.confirm_developer(ctx, h.id)
    movein.do_identity(ctx, h.id, owner={"name": "周敏", "id_number": make_id("14010219850101002")})
    assert movein.next_step(h.id) == "agreements"


def test_event_board_counts(ctx, site):
    ev = movein.create_event(ctx, site["cluster"].id, "A组团集中交房", "2026-11-23", "2026-11-25", "会所一楼")
    h1 = movein.start_handover(ctx, "5-101", event_id=ev.id)
    walk_to(ctx, h1, "keys")
    h2 = movein.start_handover(ctx, "5-102", event_id=ev.id)
    movein.do_identity(ctx, h2.id, owner={"name": "刘洋", "id_number": make_id("14010219800512004")})
    h3 = movein.start_handover(ctx, "5-201", event_id=ev.id)
    walk_to(ctx, h3, "payment")
    movein.record_defect(ctx, h3.id, "厨房", "管道", "下水管接口渗漏")
    board = movein.progress_board(event_id=ev.id)
    c = board.counts
    assert c["已完成"] == 1 and c["签署协议"] == 1 and c["验房交接"] == 1 and c["待办理"] == 1 and c["有缺陷"] == 1
    with pytest.raises(ValidationError, match="结束日期"):
        movein.create_event(ctx, site["cluster"].id, "x", "2026-11-25", "2026-11-23")


def test_permissions(ctx, as_role, site):
    with pytest.raises(PermissionDenied):
        movein.create_event(as_role("frontdesk"), site["cluster"].id, "x", "2026-11-23", "2026-11-24")
    h = movein.start_handover(as_role("frontdesk"), "5-101")
    walk_to(as_role("frontdesk"), h, "agreements")
    with pytest.raises(PermissionDenied):  # the front desk sends the owner to the cashier
        movein.do_payment(as_role("frontdesk"), h.id, "现金", "陈志强")
    receipt = movein.do_payment(as_role("cashier"), h.id, "现金", "陈志强")
    assert receipt.number
    with pytest.raises(PermissionDenied):  # the cashier does not inspect homes
        movein.complete_inspection(as_role("cashier"), h.id, True)


def test_visits_and_bookings(ctx, site):
    h = movein.start_handover(ctx, "5-101")
    walk_to(ctx, h, "keys")
    due_today = movein.visits_due(ctx)
    assert [v.kind for v in due_today] == ["入住祝贺"]
    due = movein.visits_due(ctx, ctx.clock.today() + dt.timedelta(days=3))
    three = next(v for v in due if v.kind == "入住三日回访")
    with pytest.raises(ValidationError, match="三日回访"):
        movein.record_visit(ctx, three.id, intercom_explained=False)
    movein.record_visit(ctx, three.id, residents_info="三口之家", opinions="满意")
    assert all(v.kind != "入住三日回访" for v in movein.visits_due(ctx, ctx.clock.today() + dt.timedelta(days=9)))
    with pytest.raises(ValidationError, match="搬家日期"):
        movein.book_moving(ctx, "5-101", "2020-01-01", "上午", "陈志强", "13911112222")
    b = movein.book_moving(ctx, "5-101", ctx.clock.today() + dt.timedelta(days=2), "上午", "陈志强", "13911112222",
                           "大众搬家")
    movein.pass_booking_to_gate(ctx, b.id)
    assert movein.bookings(ctx.clock.today())[0].passed_to_gate


def test_prints(ctx, site):
    from app.movein import prints as f
    ev = movein.create_event(ctx, site["cluster"].id, "A组团集中交房", "2026-11-23", "2026-11-25", "会所一楼")
    text = pdf_text(f.notice_pdf(ctx, ev.id))
    assert "入住通知书" in text and "陈志强" in text and "5-101" in text and "2,563.20" in text  # 213.60 × 12
    assert len(pdf_pages(f.notice_pdf(ctx, ev.id))) == 4  # one per home of the cluster
    h = movein.start_handover(ctx, "5-101", event_id=ev.id)
    walk_to(ctx, h, "payment")
    d = movein.record_defect(ctx, h.id, "卫生间", "防水", "淋浴区墙角渗水")
    movein.complete_inspection(ctx, h.id, True)
    movein.do_keys(ctx, h.id, "陈志强")
    t = pdf_text(f.procedure_pdf(ctx, h.id))
    assert "入住手续书" in t and "身份核验" in t and "王经理" in t and "139****2222" in t
    assert "13911112222" not in t
    assert "淋浴区墙角渗水" in pdf_text(f.inspection_pdf(ctx, h.id))
    assert "房屋交接书" in pdf_text(f.handover_doc_pdf(ctx, h.id))
    assert "入户门" in pdf_text(f.key_list_pdf(ctx, h.id))
    assert d.order_number in pdf_text(f.repair_order_pdf(ctx, d.id))


def test_command_line(ctx, site, data_dir, tmp_path):
    import subprocess
    import sys
    ev = movein.create_event(ctx, site["cluster"].id, "A组团集中交房", "2026-11-23", "2026-11-25")
    h = movein.start_handover(ctx, "5-101", event_id=ev.id)
    walk_to(ctx, h, "payment")
    d = movein.record_defect(ctx, h.id, "厨房", "管道", "下水管接口渗漏")
    ctx.db.close()

    def run(*args):
        return subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), *args],
                              capture_output=True, text=True, encoding="utf-8", check=False)
    r = run("movein", "--event", str(ev.id))
    assert r.returncode == 0, r.stderr
    assert "5-101" in r.stdout and "验房交接" in r.stdout
    out = tmp_path / "n.pdf"
    r = run("print", "movein-notice", "--event", str(ev.id), "--out", str(out))
    assert r.returncode == 0 and "陈志强" in pdf_text(out.read_bytes())
    r = run("print", "movein-form", "--home", "5-101", "--form", "procedure", "--out", str(out))
    assert r.returncode == 0 and "入住手续书" in pdf_text(out.read_bytes())
    r = run("print", "repair-order", "--number", d.order_number, "--out", str(out))
    assert r.returncode == 0 and "下水管接口渗漏" in pdf_text(out.read_bytes())
    r = run("print", "movein-form", "--home", "5-202", "--form", "procedure", "--out", str(out))
    assert r.returncode == 2 and "尚未办理入住" in r.stderr
    r = run("print", "movein-notice", "--event", "99", "--out", str(out))
    assert r.returncode == 2 and "交房活动" in r.stderr
