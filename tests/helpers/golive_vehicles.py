"""The parking register an office keeps (车位车辆登记表) for the office ledger's homes (tests/helpers/golive.py):
a title row, the header with the usual variants, one row per space with its car, Excel and text dates,
full-width digits, plates as written (粤B·12345, lower case), and a few rows to refuse or to check."""
from __future__ import annotations

import datetime as dt

from openpyxl import Workbook

from tests.helpers.golive import ledger_rows

HEADER = ["序号", "车位编号", "区域", "车位性质", "房屋编号", "车牌号码", "车主", "联系电话", "品牌/颜色", "车身颜色",
          "月卡开始", "月卡到期", "备注"]
BAD_PHONE = "138 1234 567"


def plate_of(n: int) -> str:
    return f"粤BD{n:05d}" if n % 10 == 8 else f"粤B{10000 + n:05d}"


def good_rows(homes: int):
    """One space for each home, a car for every second home (the car's plate written with a dot or lower case
    now and then, the room sometimes in full-width digits)."""
    for n, (code, row) in enumerate(ledger_rows(homes)):
        kind = "租赁" if n % 3 == 1 else "产权"
        zone = "地面" if n % 4 == 0 else "地下B1区"
        room = code.translate(str.maketrans("0123456789", "０１２３４５６７８９")) if n % 5 == 0 else code
        plate = phone = brand = color = start = until = None
        if n % 2 == 0:
            p = plate_of(n)
            plate = (p[:2] + "·" + p[2:]) if n % 4 == 0 else p.lower() if n % 6 == 2 else p
            phone, brand, color = f"139{n:08d}", "大众 朗逸", "白色"
            start, until = dt.datetime(2026, 1, 1), "2026/12/31"
        yield [n + 1, f"B1-{n + 1:04d}", zone, kind, room, plate, row[5] if plate else None, phone, brand, color,
               start, until, None]


def vehicles_workbook(path, homes: int = 36, extra: list[list] | None = None):
    wb = Workbook(write_only=homes > 5000)
    ws = wb.create_sheet("车位车辆") if homes > 5000 else wb.active
    if homes <= 5000:
        ws.title = "车位车辆"
    ws.append(["天伦庄园 车位车辆登记表 2026年11月"])
    ws.append(HEADER)
    for row in good_rows(homes):
        ws.append(row)
    for row in extra or []:
        ws.append(row)
    wb.save(path)
    return path
