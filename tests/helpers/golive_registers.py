"""Go-live registers for the office ledger's 292 homes (tests/helpers/golive.py): opening balances,
keys, meters and residents as an office keeps them, with their known totals and a few bad rows."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from openpyxl import Workbook

from tests.helpers.golive import ledger_rows

BALANCE_HEADER = ["序号", "房号", "收费项目", "所属月份", "欠费金额(元)", "预存金额(元)", "备注"]
# (row values, the reason's words) appended after the good rows
BAD_BALANCES = [
    (["99-9-999", "物业服务费", "2026-10", "120.00", None], "房号：“99-9-999”不在小区房屋中"),
    (["1-1-101", "保洁费", "2026-10", "10.00", None], "收费项目：“保洁费”不是可建立期初欠费的收费项目"),
    (["1-1-102", "物业费", "2026-13", "10.00", None], "所属月份：“2026-13”不是有效的月份"),
    (["1-1-102", "物业费", "2027-01", "10.00", None], "所属月份：2027-01 晚于上线当月"),
    (["1-1-102", "水费", "2026-10", "-5", None], "欠费金额：不能为负数"),
    (["1-1-102", "水费", "2026-10", "1.234", None], "欠费金额：最多两位小数"),
    (["1-1-102", None, None, None, None], "欠费金额、预存金额：都为空或为零"),
]


def balance_lines(homes: int = 292):
    """(room, item, period, arrears 元 text, prepaid 元 text) of the good rows: every 7th home owes
    two months of property fee, every 11th one month of water, every 13th has 1,200 元 prepaid."""
    for n, (code, _row) in enumerate(ledger_rows(homes)):
        if n % 7 == 0:
            fee = f"{100 + n % 50}.{n % 100:02d}"
            yield code, "物业费", "2026-09", fee, None
            yield code, "物业服务费", "2026年10月", fee, None
        if n % 11 == 0:
            yield code, "水费", "2026/10", "35.60", None
        if n % 13 == 0:
            yield code, None, None, None, "1200"


def balance_totals(homes: int = 292) -> dict[str, tuple[int, int]]:
    """item code (or 预存) → (rows, fen) of the good rows."""
    out: dict[str, list[int]] = {}
    codes = {"物业费": "property_fee", "物业服务费": "property_fee", "水费": "water"}
    for _code, item, _p, arrears, prepaid in balance_lines(homes):
        key, text = (codes[item], arrears) if arrears else ("预存", prepaid)
        t = out.setdefault(key, [0, 0])
        t[0], t[1] = t[0] + 1, t[1] + int(Decimal(text) * 100)
    return {k: (v[0], v[1]) for k, v in out.items()}


def balances_workbook(path, homes: int = 292, bad: bool = True, numbers: bool = False):
    """期初余额.xlsx: a title row, the header, the good rows (amounts as text, or as Excel numbers
    with *numbers*), then the bad rows."""
    wb = Workbook(write_only=homes > 5000)
    ws = wb.create_sheet("期初余额") if homes > 5000 else wb.active
    if homes <= 5000:
        ws.title = "期初余额"
    ws.append(["天伦庄园 上线期初欠费与预存 2026-11-23"])
    ws.append(BALANCE_HEADER)
    n = 0
    for code, item, period, arrears, prepaid in balance_lines(homes):
        n += 1
        if numbers:
            ws.append([n, code, item, period, float(arrears) if arrears else None,
                       float(prepaid) if prepaid else None, None])
        else:
            ws.append([n, code, item, period, arrears, prepaid, None])
    for values, _why in (BAD_BALANCES if bad else []):
        n += 1
        ws.append([n, *values, None])
    wb.save(path)
    return path


def keys_workbook(path):
    """钥匙登记.xlsx: 3 public keys, 2 door keys of homes at the desk, and 3 bad rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "钥匙登记"
    ws.append(["钥匙名称", "钥匙类别", "房号", "数量", "配备方式", "存放位置", "保管人", "备注"])
    ws.append(["1号楼 楼道竖井", "公共钥匙", None, 2, "通锁", "客服前台", "李娜", None])
    ws.append(["2号楼 配电室", "公共", None, "1", "挂锁", "监控中心", "王强", None])
    ws.append(["地下车库 消防通道", None, None, 3, "厂家配备", None, None, "消防检查用"])
    ws.append([None, "入户门钥匙", "1-1-101", 2, "开发商移交", "客服前台", None, None])
    ws.append([None, None, "1-1-102", 2, "开发商移交", "客服前台", None, None])
    ws.append(["3号楼 水箱间", "公共钥匙", None, "两把", None, None, None, None])          # bad count
    ws.append([None, "入户门钥匙", "99-9-999", 1, None, None, None, None])                  # no such home
    ws.append(["1号楼 楼道竖井", "公共钥匙", None, 1, None, None, None, None])               # duplicate
    wb.save(path)
    return path


def meters_workbook(path, homes: int = 292):
    """水电表.xlsx: every home's water and power meter with its number and last reading, 2 bad rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "水电表"
    ws.append(["房号", "表类", "表号", "最后读数", "抄表日期"])
    for n, (code, _row) in enumerate(ledger_rows(homes)):
        ws.append([code, "水", f"S{n:06d}", 100 + n % 50 + 0.5, dt.datetime(2026, 10, 31)])
        ws.append([code, "电表", f"D{n:06d}", 2000 + n, "2026-10-31"])
    ws.append(["1-1-101", "暖气", "N1", 5, None])
    ws.append(["1-1-101", "水", "S9", "约100", None])
    wb.save(path)
    return path


def residents_workbook(path):
    """住户.xlsx: two family members, a tenant with a lease, one with a bad phone, one bad row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "住户"
    ws.append(["房号", "姓名", "与业主关系", "住户类别", "电话", "租期起", "租期止"])
    ws.append(["1-1-101", "王小明", "子女", "家属", "13900001111", None, None])
    ws.append(["1-1-101", "李桂芳", "配偶", "家属", None, None, None])
    ws.append(["1-1-102", "赵租户", None, "租户", "1380000", "2026-01-01", "2026-12-31"])
    ws.append(["1-1-102", None, None, "租户", None, None, None])
    wb.save(path)
    return path
