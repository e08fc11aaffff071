"""A small site for the archive tests: one cluster, two buildings, six homes, a few owners."""
from __future__ import annotations

from app.archives.people import add_resident, create_owner, link_owner
from app.archives.structure import create_building, create_cluster, create_entrance, create_home, update_home_info
from app.core.validation import id_check_char


def make_id(prefix17: str) -> str:
    return prefix17 + id_check_char(prefix17)


ID_ZHANG = make_id("11010119800101001")
ID_LI = make_id("11010119820202002")
ID_WANG = make_id("32050219750315003")


def build_small_site(ctx, users=None):
    """A组团 罗马假日: 1号楼 (1单元: 1-101, 1-102, 1-201; 2单元: 1-2-301) and 2号楼 (1单元: 2-101, 2-102).
    Owners: 张伟 (1-101, key customer 媒体, also 2-101), 李娜 co-owner of 1-101, 王芳 (1-102, in arrears).
    Returns a dict of the created objects by name."""
    am = users["area_manager"].id if users else None
    c = create_cluster(ctx, "A", "罗马假日")
    b1 = create_building(ctx, c.id, "1", area_manager_id=am)
    b2 = create_building(ctx, c.id, "2", area_manager_id=am)
    e11 = create_entrance(ctx, b1.id, "1")
    e12 = create_entrance(ctx, b1.id, "2")
    e21 = create_entrance(ctx, b2.id, "1")
    h = {}
    for e, room, area, htype in ((e11, "1-101", "123.45", "洋房"), (e11, "1-102", "98.50", "洋房"),
                                 (e11, "1-201", "143.00", "叠加"), (e12, "1-2-301", "210.00", "联排"),
                                 (e21, "2-101", "88.00", "洋房"), (e21, "2-102", "88.00", "洋房")):
        h[room] = create_home(ctx, e.id, {"room_code": room, "area": area, "house_type": htype, "floor": 1})
    update_home_info(ctx, h["1-101"].id, {"state": "已入住", "handover_date": "2025-03-01",
                                             "move_in_date": "2025-04-10"})
    update_home_info(ctx, h["1-102"].id, {"state": "已入住", "handover_date": "2026-10-01",
                                             "move_in_date": "2026-10-15"})
    update_home_info(ctx, h["2-101"].id, {"state": "出租", "handover_date": "2023-01-05",
                                             "move_in_date": "2023-02-01"})
    update_home_info(ctx, h["1-201"].id, {"state": "空置", "handover_date": "2026-06-01"})
    zhang = create_owner(ctx, h["1-101"].id, {
        "name": "张伟", "phone": "13812345678", "id_number": ID_ZHANG, "employer": "市电视台",
        "spouse_name": "李娜", "family_structure": "三口之家", "residents_count": "3",
        "is_key_customer": True, "key_customer_tags": "媒体"})
    li = create_owner(ctx, h["1-101"].id, {"name": "李娜", "phone": "13987654321", "id_number": ID_LI})
    link_owner(ctx, h["2-101"].id, zhang.id)
    wang = create_owner(ctx, h["1-102"].id, {
        "name": "王芳", "phone": "0351-7654321", "id_number": ID_WANG, "arrears_flag": True,
        "arrears_reason": "对维修不满拒交物业费", "arrears_complaint": "楼道漏水未修"})
    add_resident(ctx, h["1-101"].id, {"name": "张小明", "relation": "子女"})
    add_resident(ctx, h["2-101"].id, {"name": "赵租客", "is_tenant": True, "phone": "13700001111",
                                          "lease_from": "2026-01-01", "lease_to": "2026-12-31"})
    return {"cluster": c, "b1": b1, "b2": b2, "e11": e11, "e12": e12, "e21": e21, "homes": h,
            "zhang": zhang, "li": li, "wang": wang}
