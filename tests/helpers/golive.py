"""Realistic go-live workbooks (openpyxl): an office's one-sheet ledger of 292 homes, and the
several-sheet export of another property system (buildings/units, owners, homes, parking spaces,
with explanation columns beside the data)."""
from __future__ import annotations

import datetime as dt

from openpyxl import Workbook

from app.core.validation import id_check_char

LEDGER_HEADER = ["序号", "组团", "楼号", "单元", "房间号", "业主姓名", "手机号码", "身份证号码", "面积(㎡)", "房屋类型",
                 "交房日期", "入住日期", "工作单位"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
BAD_PHONE = "138 1234 567"          # ten digits: not a phone
BAD_PHONE_ROOM = "7-2-301"
BAD_PHONE_AREA = "110.47"          # the home the old import lost with its row


def make_id(n: int, year: int = 1970) -> str:
    first17 = f"610113{year + n // 1000 % 60}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"   # unique below 60,000
    return first17 + id_check_char(first17)


def person(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 7) % len(GIVEN)] + (GIVEN[(n * 3) % len(GIVEN)] if n % 3 else "")


SMALL_SITE = 12 * 999        # 12 homes a building while building numbers stay within three digits


def ledger_rows(homes: int = 292):
    """(room parts, row) for *homes* homes: 12 homes a building (2 units × 3 floors × 2), 天伦庄园-like;
    a larger site 100 a building (2 units × 25 floors × 2)."""
    per_unit = 6 if homes <= SMALL_SITE else 50               # 3 floors × 2, or 25 floors × 2
    for n in range(homes):
        building, k = n // (2 * per_unit) + 1, n % (2 * per_unit)
        unit, floor, door = k // per_unit + 1, (k % per_unit) // 2 + 1, k % 2 + 1
        room = floor * 100 + door
        code = f"{building}-{unit}-{room}"
        area = BAD_PHONE_AREA if code == BAD_PHONE_ROOM else f"{88 + (n * 37) % 60}.{n % 100:02d}"
        phone = BAD_PHONE if code == BAD_PHONE_ROOM else f"139{n:08d}"
        cluster = "A组团 罗马假日" if building <= 12 else "B组团 巴黎春天"
        yield code, [n + 1, cluster, f"{building}号楼", f"{unit}单元", room, person(n), phone, make_id(n),
                     float(area), "洋房" if building % 5 else "联排", dt.datetime(2011, 6, 10),
                     f"2011/7/{1 + n % 28}", "西安市第一医院" if n % 4 == 0 else None]


def office_ledger(path, homes: int = 292):
    """The office's ledger: a title and a 制表 line above the header, one row per home."""
    wb = Workbook()
    ws = wb.active
    ws.title = "业主台账"
    ws.append(["天伦庄园业主信息台账"])
    ws.append(["制表：客服中心　2026年11月"])
    ws.append(LEDGER_HEADER)
    for _code, row in ledger_rows(homes):
        ws.append(row)
    wb.save(path)
    return path


EXPORT_BUILDINGS = 3
EXPORT_UNITS = 2
EXPORT_FLOORS = 10
OWNERS = 100


def system_export(path):
    """The export of another property system: 120 homes (3 buildings × 2 units × 10 floors × 2),
    100 owners (owner 7 holds two homes; homes 103–119 have no owner yet), one bad phone, one
    bad identity number, one home with an unknown owner number, one home without room number,
    12 parking spaces; explanation columns beside the data after an empty column."""
    wb = Workbook()
    ws = wb.active
    ws.title = "楼栋单元"
    ws.append(["楼栋号", "单元编号", "总层数", None, "字段", "说明"])
    ws.append([1, 1, EXPORT_FLOORS, None, "楼栋号", "楼栋的编号，与房屋表的楼栋编号对应"])
    notes = [("单元编号", "单元的编号"), ("总层数", "地上层数")]
    row = 0
    for b in range(1, EXPORT_BUILDINGS + 1):
        for u in range(1, EXPORT_UNITS + 1):
            if (b, u) == (1, 1):
                continue
            extra = list(notes[row]) if row < len(notes) else []
            ws.append([b, u, EXPORT_FLOORS, None, *extra])
            row += 1
    owners = wb.create_sheet("业主信息")
    owners.append(["业主编号", "业主名称", "性别", "手机号", "身份证号", None, "说明"])
    for n in range(1, OWNERS + 1):
        phone = "1391234567" if n == 13 else f"137{n:08d}"              # owner 13: ten digits
        idn = make_id(n, 1960)
        if n == 21:
            idn = idn[:-1] + ("0" if idn[-1] != "0" else "1")             # owner 21: bad check digit
        owners.append([f"YZ{n:04d}", person(n + 500), "男" if n % 2 else "女", phone, idn, None,
                       "业主编号为系统内部编号" if n == 1 else None])
    homes = wb.create_sheet("房屋信息")
    homes.append(["房屋编号", "楼栋编号", "单元编号", "楼层", "建筑面积", "业主编号", None, "备注说明"])
    n = 0
    for b in range(1, EXPORT_BUILDINGS + 1):
        for u in range(1, EXPORT_UNITS + 1):
            for floor in range(1, EXPORT_FLOORS + 1):
                for door in (1, 2):
                    n += 1
                    owner = f"YZ{n:04d}" if n <= OWNERS else None
                    if n == OWNERS + 1:
                        owner = "YZ9999"                  # not in the owners sheet
                    if n == OWNERS + 2:
                        owner = "YZ0007"                  # owner 7 holds a second home
                    room = None if n == 120 else floor * 100 + door
                    homes.append([room, b, u, floor, 80 + n % 40 + 0.5, owner])
    parking = wb.create_sheet("车位信息")
    parking.append(["车位编号", "车位类型", "业主编号"])
    for k in range(1, 13):
        parking.append([f"B1-{k:03d}", "地下" if k <= 10 else "地上", f"YZ{k:04d}" if k <= 8 else None])
    wb.save(path)
    return path
