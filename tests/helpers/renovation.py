"""Helpers for the renovation tests: a few homes of each house type, a drawing, a photo."""
from __future__ import annotations

import datetime as dt

from app.core.validation import id_check_char


def make_homes(ctx):
    """Cluster A, building 5: 5-101 洋房 123.45 m² occupied, 5-102 叠加 vacant, 5-201 联排 occupied,
    5-301 洋房 not handed over. Returns {room_code: Home}."""
    from models.property import Building, Cluster, Entrance, Home
    c = Cluster.create(code="A", name="罗马假日")
    b = Building.create(cluster=c, code="5", name="5号楼", floors=3)
    e = Entrance.create(building=b, code="1")
    specs = [("5-101", 12345, "洋房", "已入住", dt.date(2026, 5, 1)),
             ("5-102", 15000, "叠加", "空置", None),
             ("5-201", 22050, "联排", "已入住", dt.date(2026, 3, 1)),
             ("5-301", 9000, "洋房", "未交付", None)]
    out = {}
    for room, area, kind, state, moved in specs:
        out[room] = Home.create(entrance=e, building=b, cluster=c, room_code=room, floor=int(room[2]), area_x100=area,
                                house_type=kind, state=state, move_in_date=moved,
                                handover_date=dt.date(2026, 1, 10) if state != "未交付" else None)
    return out


def make_file(tmp_path, name="图纸.pdf", data=b"%PDF-1.4 drawing"):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def make_photo(tmp_path, name="worker.png"):
    from PIL import Image, ImageDraw
    img = Image.new("RGB", (120, 160), (200, 220, 240))
    d = ImageDraw.Draw(img)
    d.ellipse((30, 20, 90, 80), fill=(120, 90, 70))
    d.rectangle((20, 90, 100, 160), fill=(40, 60, 120))
    p = tmp_path / name
    img.save(p)
    return p


def make_id(prefix17="11010119900307123"):
    return prefix17 + id_check_char(prefix17)


APPLICATION = {
    "applicant": "王建国", "applicant_phone": "13812345678", "plan": "客厅吊顶，厨卫改造，更换地板",
    "contractor_name": "华美装饰工程有限公司", "contractor_person": "刘师傅", "contractor_phone": "13987654321",
    "planned_start": "2026-11-25", "planned_end": "2027-02-28",
}


def pay_all(ctx, home_id, charge_ids, payer="王建国"):
    from app.ledger import payments
    return payments.pay(ctx, home_id, list(charge_ids), "cash", payer)
