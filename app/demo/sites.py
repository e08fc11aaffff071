"""Demo sites: 天伦庄园 (292 homes) and 万兴现代城 (the five clusters of domain.md §1).

``build_site(ctx, "tianlun")`` fills an empty database with a realistic site: structure,
owners with valid GB 11643 identity numbers (stored encrypted), spouses, families, tenants,
key customers, arrears flags, archive checklists, visits and staff accounts. Rows go in with
``insert_many`` in batches inside one transaction. At the end each area's optional
``app/demo_<area>.py`` adds its own rows with ``populate(ctx, rng)``.

``build_large(ctx, homes)`` builds a big plain site for the benchmarks.
"""
from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import random
import time
from dataclasses import dataclass

from app.archives import search
from app.archives.checklist import ARCHIVE_DOCUMENTS
from app.archives.owners import identity_fields
from app.core.audit import record
from app.core.errors import StateError, ValidationError
from app.core.pinyin import name_key
from app.core.validation import id_check_char
from models.archive import ArchiveDocument, FamiliarityCheck, Visit
from models.db import is_sqlite
from models.people import HomeOwner, Owner, ParkingOwner, Resident
from models.property import Building, Cluster, Entrance, Home, ParkingSpace
from models.users import User

SITES = ("tianlun", "wanxing")
EXTENSIONS = ("keys", "loans", "ledger", "movein", "renovation", "service", "parking")
BATCH = 250

# ---------------------------------------------------------------------------------------------
# Name, place and employer material
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤")
MALE_GIVEN = ["伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "斌", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林", "阳", "建华", "建国", "志强", "志明", "海涛", "晓东", "永刚", "国庆", "文博", "子轩", "浩然", "宇航", "俊杰", "振华", "德明", "卫东", "红军", "立新", "家豪", "天佑"]
FEMALE_GIVEN = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "桂英", "玲", "婷", "雪", "慧", "莹", "倩", "洁", "琳", "颖", "晶", "红", "燕", "梅", "萍", "丹", "欣怡", "雨涵", "梓涵", "思雨", "佳琪", "晓燕", "丽娟", "海燕", "雪梅", "淑珍", "凤英", "美玲", "春梅", "小红", "雅婷"]
CHILD_GIVEN = ["子涵", "浩宇", "一诺", "梓轩", "欣悦", "若曦", "宇轩", "思彤", "博文", "可馨", "子墨", "雨桐", "嘉怡", "俊熙", "诗涵", "明轩"]
# (region code of the identity number, native place)
REGIONS = [
    ("610113", "陕西省西安市"), ("610103", "陕西省西安市"), ("610402", "陕西省咸阳市"), ("610302", "陕西省宝鸡市"),
    ("110105", "北京市"), ("310104", "上海市"), ("440106", "广东省广州市"), ("320102", "江苏省南京市"),
    ("330106", "浙江省杭州市"), ("370102", "山东省济南市"), ("410105", "河南省郑州市"), ("420106", "湖北省武汉市"),
    ("430104", "湖南省长沙市"), ("510107", "四川省成都市"), ("140105", "山西省太原市"), ("620102", "甘肃省兰州市"),
    ("210102", "辽宁省沈阳市"), ("500103", "重庆市"), ("340104", "安徽省合肥市"), ("130102", "河北省石家庄市"),
]
# (employer, work address, key-customer tag or "")
EMPLOYERS = [
    ("西安市第一医院", "南大街30号", ""), ("中国银行开元路支行", "开元路22号", ""), ("西安市第三中学", "文艺路15号", ""),
    ("国网西安供电公司", "环城南路18号", ""), ("西安交通大学", "咸宁西路28号", ""), ("中铁一局集团", "雁塔北路1号", ""),
    ("陕西华信律师事务所", "高新路52号", ""), ("西安软件园科技有限公司", "科技二路72号", ""),
    ("中国建设银行高新支行", "高新四路9号", ""), ("西安市自来水公司", "北关正街77号", ""),
    ("个体经营", "", ""), ("退休", "", ""), ("退休", "", ""), ("西安市第一中学", "西一路2号", ""),
    ("陕西省人民医院", "友谊西路256号", ""), ("比亚迪汽车有限公司", "草堂科技园", ""),
    ("西安市电视台", "长安中路99号", "媒体"), ("华商报社", "东大街335号", "媒体"),
    ("西安市人民政府办公厅", "凤城八路109号", "政府"), ("雁塔区税务局", "小寨东路8号", "政府"),
    ("开元路派出所", "开元路3号", "政府"), ("天伦集团", "开元路1号", "集团员工"),
]
PLAIN_EMPLOYERS = [e for e in EMPLOYERS if not e[2]]
KEY_EMPLOYERS = [e for e in EMPLOYERS if e[2]]
EDUCATION = ["博士", "硕士", "本科", "本科", "本科", "大专", "大专", "高中", "中专", "初中"]
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                   "153", "155", "156", "157", "158", "159", "177", "180", "181", "182", "186", "187", "188", "189"]
OPINIONS = ["对物业服务总体满意", "保洁及时，环境整洁", "门岗服务热情", "维修响应速度有待提高",
            "希望加强小区夜间巡逻", "对停车管理有意见", "满意", "基本满意"]
SUGGESTIONS = ["建议增加儿童游乐设施", "建议地下车库增加照明", "建议定期清洗二次供水水箱",
               "建议垃圾分类点增加洗手池", "建议快递柜延长保管时间", "建议增设电动车充电桩"]
SPECIAL_REQUESTS = ["家中有老人行动不便，停水停电请提前电话告知", "长期出差，快递请放前台",
                    "家有婴儿，装修噪音请提前通知", "老人独居，请管家每周探访一次", "对花粉过敏，绿化喷药请提前告知"]
ARREARS = [("长期在外地工作，联系不上", ""), ("认为车位管理不到位拒交物业费", "地下车库被外来车辆占用"),
           ("房屋渗水未修复，拒交物业费", "卫生间渗水至楼下，开发商未维修"), ("经济困难，申请缓交", ""),
           ("对绿化改造有意见", "楼前绿地被改为停车位")]
TENANT_EMPLOYERS = ["某科技公司", "某外贸公司", "在校研究生", "某餐饮公司", "某医院", "自由职业"]


# ---------------------------------------------------------------------------------------------
# Site plans: clusters and building templates
@dataclass(frozen=True)
class BuildingPlan:
    house_type: str
    entrances: int
    floors: int
    per_floor: int          # homes per floor per entrance
    area_choices: tuple     # floor areas in 1/100 m²
    two_part: bool = False  # room code 16-101 (townhouses) instead of 5-1-203


TIANLUN = {
    "name": "天伦庄园", "address": "开元路9号", "postcode": "710061", "police": "开元路派出所",
    "company": "天伦物业服务有限公司", "service_phone": "029-88886699", "parking": (24, 78),
    "land_area": "86500", "floor_area": "61200", "schools": "开元路小学、西安市第三中学",
    # cluster code, cluster name, [(building count, plan, homes in each building)]
    "clusters": [
        ("A", "洋房区", [(8, BuildingPlan("洋房", 2, 6, 2, (8956, 10532, 12845, 14320)), 24)]),
        ("B", "叠加区", [(7, BuildingPlan("叠加", 2, 2, 2, (16588, 18240, 19625)), 8)]),
        ("C", "联排区", [(4, BuildingPlan("联排", 1, 1, 5, (22410, 24580, 26830), True), 5),
                        (6, BuildingPlan("联排", 1, 1, 4, (22410, 24580, 26830), True), 4)]),
    ],
}

# domain.md §1 (002, 篇1): cluster → (homes, renovated, moved in)
WANXING_COUNTS = {
    "A": ("罗马假日", 233, 184, 177),
    "B": ("巴黎春天", 379, 322, 316),
    "C": ("加州阳光", 432, 373, 366),
    "D": ("格林小镇", 602, 234, 0),
    "F": ("新城市广场", 219, 160, 124),
}
WANXING = {
    "name": "万兴现代城", "address": "万兴大道88号", "postcode": "710075", "police": "万兴路派出所",
    "company": "万兴物业管理有限公司", "service_phone": "029-86661234", "parking": (260, 1100),
    "land_area": "420000", "floor_area": "386000", "schools": "万兴小学、高新第二中学",
    "plans": {
        "A": BuildingPlan("洋房", 2, 6, 2, (9860, 11245, 13520)),
        "B": BuildingPlan("洋房", 2, 6, 2, (8875, 10620, 12480)),
        "C": BuildingPlan("高层", 2, 18, 2, (8960, 11230, 13650)),
        "D": BuildingPlan("叠加", 2, 3, 2, (15640, 17820, 19360)),
        "F": BuildingPlan("高层", 2, 11, 2, (7520, 9630, 12870)),
    },
    # months ago the cluster was handed over (oldest first); D handed over recently, nobody in yet
    "handover_months": {"A": 50, "B": 40, "C": 30, "D": 3, "F": 16},
}

STAFF = [  # username, display name, role
    ("manager", "王经理", "manager"),
    ("lijing", "李静", "frontdesk"),
    ("zhouyan", "周艳", "frontdesk"),
    ("zhangmin", "张敏", "area_manager"),
    ("liuyang", "刘洋", "area_manager"),
    ("chenchen", "陈晨", "area_manager"),
    ("zhaoli", "赵丽", "cashier"),
]


# ---------------------------------------------------------------------------------------------
class People:
    """Generates owners, identity numbers and phones without repeats."""

    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    def mobile(self) -> str:
        while True:
            p = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"
            if p not in self.phones:
                self.phones.add(p)
                return p

    def landline(self) -> str:
        return f"029-{self.rng.choice('8765')}{self.rng.randrange(10 ** 7):07d}"

    def identity(self, birth: dt.date, male: bool, region: str | None = None) -> str:
        region = region or self.rng.choice(REGIONS)[0]
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if male else 0)
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            number = first17 + id_check_char(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def birth(self, youngest=25, oldest=70) -> dt.date:
        age_days = self.rng.randint(youngest * 365, oldest * 365)
        return self.today - dt.timedelta(days=age_days)

    def name(self, male: bool, surname: str | None = None) -> str:
        return (surname or self.rng.choice(SURNAMES)) + self.rng.choice(MALE_GIVEN if male else FEMALE_GIVEN)


def _batched_insert(model, rows, batch=BATCH):
    """Insert dict rows (missing fields take the model defaults) with one executemany.
    peewee's SQL generation costs ~20 µs a value; the driver's executemany is 10× faster."""
    if not rows:
        return
    db = model._meta.database
    fields = [f for f in model._meta.sorted_fields if not (f is model._meta.primary_key and f.name == "id")]
    sqlite = is_sqlite(db.obj if hasattr(db, "obj") else db)
    param = "?" if sqlite else "%s"
    sql = (f'INSERT INTO "{model._meta.table_name}" (' + ", ".join(f'"{f.column_name}"' for f in fields)
           + ") VALUES (" + ", ".join([param] * len(fields)) + ")")
    defaults = {}
    for f in fields:
        d = f.default
        defaults[f.name] = d() if callable(d) else d

    def conv(v):
        if sqlite:
            if isinstance(v, bool):
                return int(v)
            if isinstance(v, dt.datetime):
                return v.isoformat(sep=" ")
            if isinstance(v, dt.date):
                return v.isoformat()
        return v

    values = []
    for r in rows:
        values.append(tuple(conv(r[f.name] if f.name in r else defaults[f.name]) for f in fields))
    cursor = db.cursor()
    if sqlite:
        for i in range(0, len(values), 1000):
            cursor.executemany(sql, values[i:i + 1000])
        return
    # PostgreSQL: one round trip per row is slow; send multi-row VALUES (≤ 60,000 parameters)
    per = max(1, 60000 // len(fields))
    row_sql = "(" + ", ".join([param] * len(fields)) + ")"
    head = sql[:sql.index(" VALUES ")] + " VALUES "
    for i in range(0, len(values), per):
        chunk = values[i:i + per]
        cursor.execute(head + ", ".join([row_sql] * len(chunk)), [x for row in chunk for x in row])


def _insert_returning_ids(model, rows) -> list[int]:
    """Insert rows in order and return their new ids in the same order."""
    last = model.select(model.id).order_by(model.id.desc()).scalar() or 0
    _batched_insert(model, rows)
    ids = [r[0] for r in model.select(model.id).where(model.id > last).order_by(model.id).tuples()]
    if len(ids) != len(rows):
        raise RuntimeError(f"{model.__name__}: inserted {len(rows)} rows, found {len(ids)}")
    return ids


def _existing_homes() -> int:
    return Home.select().count()


DEMO_PASSWORD = "demo123"  # the demo site's accounts only; a real site's manager is created at first start


def _ensure_users() -> dict[str, User]:
    out = {}
    demo_hash = None
    for username, display, role in STAFF:
        user = User.get_or_none(User.username == username)
        if user is None:
            if demo_hash is None:
                from app.system.accounts import hash_password
                demo_hash = hash_password(DEMO_PASSWORD)
            user = User.create(username=username, display_name=display, role=role, password_hash=demo_hash)
        out[username] = user
    return out


def _structure_tianlun(today: dt.date) -> list[dict]:
    """Homes of 天伦庄园 (before state/owner assignment): list of dicts with plan data."""
    out = []
    bno = 0
    for ccode, cname, groups in TIANLUN["clusters"]:
        for count, plan, homes_each in groups:
            for _ in range(count):
                bno += 1
                out.append({"cluster": (ccode, cname), "building": str(bno), "plan": plan, "homes": homes_each})
    return out


def _structure_wanxing() -> list[dict]:
    out = []
    for ccode, (cname, n, _r, _m) in WANXING_COUNTS.items():
        plan = WANXING["plans"][ccode]
        per_building = plan.entrances * plan.floors * plan.per_floor
        bno = 0
        left = n
        while left > 0:
            bno += 1
            take = min(per_building, left)
            out.append({"cluster": (ccode, cname), "building": f"{ccode}{bno}", "plan": plan, "homes": take})
            left -= take
    return out


def _room_codes(bcode: str, plan: BuildingPlan, count: int):
    """(entrance code, floor, room code) of the first *count* homes of a building."""
    out = []
    if plan.two_part:
        for i in range(count):
            out.append(("1", 1, f"{bcode}-{101 + i}"))
        return out
    for ent in range(1, plan.entrances + 1):
        for floor in range(1, plan.floors + 1):
            for k in range(1, plan.per_floor + 1):
                if plan.house_type == "叠加":
                    fl = 2 * floor - 1   # each duplex spans two floors: 101, 301, 501
                else:
                    fl = floor
                out.append((str(ent), fl, f"{bcode}-{ent}-{fl}{k:02d}"))
    # fill entrances evenly: interleave so a short building still uses every entrance
    out.sort(key=lambda t: (t[1], t[0], t[2]))
    chosen = out[:count]
    chosen.sort(key=lambda t: (int(t[0]), t[1], t[2]))
    return chosen


def _months_ago(today: dt.date, months: float) -> dt.date:
    return today - dt.timedelta(days=int(months * 30.44))


# ---------------------------------------------------------------------------------------------
def build_site(ctx, site: str, seed: int = 1, extensions: bool = True) -> dict:
    """Fill an empty database with the demo site *site* (tianlun or wanxing). Returns a summary."""
    if site not in SITES:
        raise ValidationError("演示小区", f"“{site}”无效，应为：{'、'.join(SITES)}")
    existing = _existing_homes()
    if existing:
        raise StateError(f"数据库中已有 {existing} 户房屋，演示数据只能建在空数据库中；请用 --data-dir 指定新的数据目录")
    started = time.perf_counter()
    rng = random.Random(seed)
    today = ctx.clock.today()
    people = People(rng, today)
    spec = TIANLUN if site == "tianlun" else WANXING
    with ctx.db.atomic():
        staff = _ensure_users()
        area_managers = [staff[u] for u in ("zhangmin", "liuyang", "chenchen")]
        layout = _structure_tianlun(today) if site == "tianlun" else _structure_wanxing()
        home_rows, meta = _build_structure(layout, area_managers, rng)
        states = _assign_states(site, meta, rng, today)
        for row, st in zip(home_rows, states):
            row.update(st)
        home_ids = _insert_returning_ids(Home, home_rows)
        for m, hid in zip(meta, home_ids):
            m["id"] = hid
        for m, row in zip(meta, home_rows):
            m.update(state=row["state"], move_in=row["move_in_date"], handover=row["handover_date"])
        counts = _populate_people(ctx, meta, people, rng, today, site)
        counts["parking"] = _populate_parking(spec, meta, counts.pop("_owners_by_home"), rng)
        counts["archive_documents"] = _populate_archive(meta, rng, area_managers)
        counts["visits"] = _populate_visits(meta, counts.pop("_primary"), rng, today, area_managers, staff)
        search.index_homes(None)
        _apply_settings(ctx, site, spec, len(meta), len(layout))
        summary = _summary(site, spec)
        record(ctx, "demo.build", "site", site, None, {"homes": summary["homes"], "seed": seed})
    ctx.settings.save()
    summary.update({k: v for k, v in counts.items() if not k.startswith("_")})
    summary["extensions"], summary["extension_errors"] = _run_extensions(ctx, rng) if extensions else ([], [])
    summary["clusters"] = cluster_counts()      # as the areas' demo rows left them
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return summary


def _build_structure(layout, area_managers, rng):
    clusters: dict[str, Cluster] = {}
    home_rows, meta = [], []
    for order, b in enumerate(layout):
        ccode, cname = b["cluster"]
        if ccode not in clusters:
            clusters[ccode] = Cluster.create(code=ccode, name=cname, sort_order=len(clusters))
        cluster = clusters[ccode]
        plan: BuildingPlan = b["plan"]
        manager = area_managers[order * len(area_managers) // len(layout)]
        building = Building.create(cluster=cluster, code=b["building"], name=f"{b['building']}号楼",
                                   floors=plan.floors * (2 if plan.house_type == "叠加" else 1),
                                   area_manager=manager, sort_order=order)
        entrances = {}
        for ent, floor, room in _room_codes(b["building"], plan, b["homes"]):
            if ent not in entrances:
                entrances[ent] = Entrance.create(building=building, code=ent)
            area = rng.choice(plan.area_choices)
            home_rows.append({"entrance": entrances[ent].id, "building": building.id, "cluster": cluster.id,
                              "room_code": room, "floor": floor, "area_x100": area,
                              "house_type": plan.house_type, "developer_done": True})
            meta.append({"cluster": ccode, "building": building.id, "manager": manager.id,
                         "house_type": plan.house_type, "room": room})
    return home_rows, meta


def _state_row(state, handover, move_in):
    occupancy = {"已入住": "自住", "出租": "出租"}.get(state, "空置")
    return {"state": state, "handover_date": handover, "move_in_date": move_in, "occupancy": occupancy}


def _assign_states(site, meta, rng, today) -> list[dict]:
    """State, hand-over and move-in dates per home. Moved-in dates spread over four years."""
    n = len(meta)
    out: list[dict | None] = [None] * n
    if site == "tianlun":
        idx = list(range(n))
        rng.shuffle(idx)
        plan = [("未交付", 8), ("空置", 20), ("装修中", 14), ("出租", 32)]
        pos = 0
        for state, count in plan:
            for i in idx[pos:pos + count]:
                out[i] = state
            pos += count
        for i in idx[pos:]:
            out[i] = "已入住"
        rows = []
        for i, state in enumerate(out):
            if state == "未交付":
                rows.append(_state_row(state, None, None))
                continue
            if state in ("已入住", "出租"):
                move_in = _months_ago(today, rng.uniform(0.3, 48))
                handover = move_in - dt.timedelta(days=rng.randint(20, 120))
            else:
                move_in = None
                handover = _months_ago(today, rng.uniform(0.5, 14))
            rows.append(_state_row(state, handover, move_in))
        return rows
    # 万兴现代城: exact counts per cluster
    by_cluster: dict[str, list[int]] = {}
    for i, m in enumerate(meta):
        by_cluster.setdefault(m["cluster"], []).append(i)
    rows: list[dict | None] = [None] * n
    for ccode, idx in by_cluster.items():
        _name, homes, renovated, moved = WANXING_COUNTS[ccode]
        assert len(idx) == homes
        idx = idx[:]
        rng.shuffle(idx)
        months = WANXING["handover_months"][ccode]
        handover_base = _months_ago(today, months)
        for k, i in enumerate(idx):
            handover = handover_base + dt.timedelta(days=rng.randint(0, 2))  # a 3-day hand-over event
            if k < moved:
                state = "出租" if rng.random() < 0.12 else "已入住"
                move_in = handover + dt.timedelta(days=int(rng.uniform(60, max(90, months * 30.44 - 5))))
                move_in = min(move_in, today - dt.timedelta(days=3))
                rows[i] = _state_row(state, handover, move_in)
            elif k < renovated:
                rows[i] = _state_row("装修中", handover, None)
            else:   # the five clusters were all handed over (002, 篇1): the rest stand vacant
                rows[i] = _state_row("空置", handover, None)
    return rows


def _owner_row(ctx, people: People, rng, today, male=None, surname=None, region=None, spouse=None):
    male = rng.random() < 0.6 if male is None else male
    birth = people.birth(26, 72)
    region_code, native = region or rng.choice(REGIONS)
    number = people.identity(birth, male, region_code)
    employer, address, tag = rng.choice(KEY_EMPLOYERS if rng.random() < 0.07 else PLAIN_EMPLOYERS)
    if today.year - birth.year >= 62 and rng.random() < 0.7:
        employer, address, tag = "退休", "", ""
    row = {
        "name": people.name(male, surname), "gender": "男" if male else "女", "birth_date": birth,
        "education": rng.choice(EDUCATION), "native_place": native, "employer": employer,
        "work_address": f"西安市{address}" if address else "", "phone": people.mobile(),
        "phone2": people.landline() if rng.random() < 0.15 else "", "id_type": "身份证",
        **identity_fields(ctx, number),
        "spouse_name": "", "spouse_phone": "", "spouse_employer": "", "family_structure": "",
        "residents_count": 0, "is_key_customer": False, "key_customer_tags": "",
        "opinion": "", "suggestions": "", "special_requests": "",
        "arrears_flag": False, "arrears_reason": "", "arrears_complaint": "", "anonymised": False, "notes": "",
    }
    tags = [tag] if tag else []
    if rng.random() < 0.03:
        tags.append("经理指定")
    if tags:
        row["is_key_customer"] = True
        row["key_customer_tags"] = ",".join(tags)
    return row


def _populate_people(ctx, meta, people: People, rng, today, site) -> dict:
    owners: list[dict] = []          # owner rows, in order
    links: list[tuple[int, int, bool, dt.date | None]] = []   # (home id, owner index, primary, since)
    residents: list[dict] = []
    owner_index_by_home: dict[int, list[int]] = {}
    primary_of_home: dict[int, int] = {}
    investors: list[int] = []        # owner indexes who may buy a second home
    for m in meta:
        hid, state = m["id"], m["state"]
        if state == "未交付":
            continue
        since = m["handover"]
        # some owners hold several homes (mostly let ones)
        if investors and rng.random() < (0.35 if state == "出租" else 0.02):
            oi = rng.choice(investors)
            links.append((hid, oi, True, since))
            owner_index_by_home.setdefault(hid, []).append(oi)
            primary_of_home[hid] = oi
        else:
            male = rng.random() < 0.62
            main = _owner_row(ctx, people, rng, today, male=male)
            married = rng.random() < 0.78 and today.year - main["birth_date"].year > 27
            co_owner = None
            if married:
                spouse_male = not male
                s_birth_shift = rng.randint(-4, 4)
                spouse_name = people.name(spouse_male)
                main["spouse_name"] = spouse_name
                main["spouse_phone"] = people.mobile()
                main["spouse_employer"] = rng.choice(EMPLOYERS)[0]
                if rng.random() < 0.3:   # spouse is a co-owner on the deed
                    co_owner = _owner_row(ctx, people, rng, today, male=spouse_male)
                    co_owner["name"] = spouse_name
                    co_owner["phone"] = main["spouse_phone"]
                    co_owner["employer"] = main["spouse_employer"]
                    co_owner["spouse_name"] = main["name"]
                    co_owner["spouse_phone"] = main["phone"]
                    co_owner["birth_date"] = main["birth_date"] + dt.timedelta(days=365 * s_birth_shift)
                    number = people.identity(co_owner["birth_date"], spouse_male)
                    co_owner.update(identity_fields(ctx, number))
            family: list[dict] = []
            # the household's family, whether or not it lives here yet
            if married:
                family.append({"name": main["spouse_name"], "relation": "配偶"})
                for _ in range(rng.choice([0, 1, 1, 1, 2])):
                    family.append({"name": main["name"][0] + rng.choice(CHILD_GIVEN), "relation": "子女",
                                   "birth_date": today - dt.timedelta(days=rng.randint(365, 365 * 22))})
            if rng.random() < 0.2:
                family.append({"name": people.name(rng.random() < 0.5, main["name"][0]), "relation": "父母",
                               "birth_date": main["birth_date"] - dt.timedelta(days=365 * rng.randint(24, 32))})
            if rng.random() < 0.04:
                family.append({"name": people.name(False), "relation": "保姆"})
            n = 1 + len(family)
            main["residents_count"] = n if state == "已入住" else 0
            main["family_structure"] = ("单身" if n == 1 else "夫妻二人" if n == 2 and married else
                                        f"{'两三四五六七八'[min(n, 8) - 2]}口之家"
                                        if not any(f["relation"] == "父母" for f in family) else "三代同堂")
            if rng.random() < 0.45:
                main["opinion"] = rng.choice(OPINIONS)
            if rng.random() < 0.2:
                main["suggestions"] = rng.choice(SUGGESTIONS)
            if rng.random() < 0.06:
                main["special_requests"] = rng.choice(SPECIAL_REQUESTS)
            if state in ("已入住", "出租", "空置") and rng.random() < 0.06:
                reason, complaint = rng.choice(ARREARS)
                main.update(arrears_flag=True, arrears_reason=reason, arrears_complaint=complaint)
            oi = len(owners)
            owners.append(main)
            links.append((hid, oi, True, since))
            owner_index_by_home.setdefault(hid, []).append(oi)
            primary_of_home[hid] = oi
            if rng.random() < 0.15:
                investors.append(oi)
            if co_owner is not None:
                ci = len(owners)
                owners.append(co_owner)
                links.append((hid, ci, False, since))
                owner_index_by_home[hid].append(ci)
            if state == "已入住":
                for f in family:
                    residents.append({"home": hid, "name": f["name"], "relation": f["relation"],
                                      "is_tenant": False, "birth_date": f.get("birth_date")})
                residents.append({"home": hid, "name": main["name"], "relation": "业主本人", "is_tenant": False,
                                  "phone": main["phone"], "birth_date": main["birth_date"],
                                  "employer": main["employer"]})
        if state == "出租":
            for k in range(rng.choice([1, 1, 2, 3])):
                male = rng.random() < 0.5
                birth = people.birth(20, 50)
                number = people.identity(birth, male)
                lease_from = m["move_in"]
                residents.append({
                    "home": hid, "name": people.name(male), "relation": "租户" if k == 0 else "租户同住人",
                    "is_tenant": True, "phone": people.mobile(), **_resident_identity(ctx, number), "birth_date": birth,
                    "employer": rng.choice(TENANT_EMPLOYERS), "lease_from": lease_from,
                    "lease_to": lease_from + dt.timedelta(days=365 * rng.choice([1, 2, 3])),
                })
    owner_ids = _insert_returning_ids(Owner, [{**o, "name_pinyin": name_key(o["name"])} for o in owners])
    _batched_insert(HomeOwner, [{"home": hid, "owner": owner_ids[oi], "is_primary": primary, "since": since}
                                for hid, oi, primary, since in links])
    _batched_insert(Resident, [_resident_defaults(r) for r in residents])
    owners_by_home = {hid: [owner_ids[i] for i in idx] for hid, idx in owner_index_by_home.items()}
    primary = {hid: owner_ids[oi] for hid, oi in primary_of_home.items()}
    return {
        "owners": len(owners), "residents": sum(1 for r in residents if not r["is_tenant"]),
        "tenants": sum(1 for r in residents if r["is_tenant"]),
        "key_customers": sum(1 for o in owners if o["is_key_customer"]),
        "arrears": sum(1 for o in owners if o["arrears_flag"]),
        "co_owned_homes": sum(1 for v in owners_by_home.values() if len(v) > 1),
        "_owners_by_home": owners_by_home, "_primary": primary,
    }


def _resident_identity(ctx, number: str) -> dict:
    """identity_fields without the search tail (residents have none)."""
    fields = identity_fields(ctx, number)
    fields.pop("id_tail")
    return fields


_RESIDENT_FIELDS = {"phone": "", "id_enc": "", "id_hash": "", "id_masked": "", "birth_date": None,
                    "employer": "", "lease_from": None, "lease_to": None, "notes": ""}


def _resident_defaults(r: dict) -> dict:
    out = dict(_RESIDENT_FIELDS)
    out.update(r)
    return out


def _populate_parking(spec, meta, owners_by_home, rng) -> int:
    above, under = spec["parking"]
    homes_with_owner = [m for m in meta if m["id"] in owners_by_home]
    rng.shuffle(homes_with_owner)
    spaces = []
    for level, prefix, count in (("地上", "DS", above), ("地下", "DX", under)):
        for i in range(1, count + 1):
            spaces.append({"code": f"{prefix}-{i:03d}", "level": level, "home": None, "owner_name": "",
                           "state": "空闲", "notes": ""})
    holders = []
    for space in spaces:
        if not homes_with_owner or rng.random() > (0.7 if space["level"] == "地下" else 0.5):
            continue
        m = homes_with_owner.pop()
        space["home"] = m["id"]
        space["state"] = "已售" if space["level"] == "地下" and rng.random() < 0.7 else "已租"
        holders.append((space["code"], owners_by_home[m["id"]][0], "产权" if space["state"] == "已售" else "租用"))
    _batched_insert(ParkingSpace, spaces)
    if holders:
        ids = {c: i for c, i in ParkingSpace.select(ParkingSpace.code, ParkingSpace.id).tuples()}
        names = {i: n for i, n in Owner.select(Owner.id, Owner.name)
                 .where(Owner.id.in_([h[1] for h in holders])).tuples()}
        _batched_insert(ParkingOwner, [{"space": ids[c], "owner": oid, "kind": kind} for c, oid, kind in holders])
        # owner names on the space record for the parking list
        by_name: dict[str, list[int]] = {}
        for c, oid, _kind in holders:
            by_name.setdefault(names[oid], []).append(ids[c])
        for name, sids in by_name.items():
            ParkingSpace.update(owner_name=name).where(ParkingSpace.id.in_(sids)).execute()
    return len(spaces)


RENOVATION_DOCS = {"reno_agreement", "reno_notes", "water_pressure_test", "reno_application", "fire_undertaking"}


def _populate_archive(meta, rng, area_managers) -> int:
    """The archive checklist: mostly complete, a few gaps (a quality-inspection fault)."""
    rows = []
    for m in meta:
        if m["state"] == "未交付":
            continue
        renovated = m["state"] in ("装修中", "已入住", "出租")
        received = m["handover"]
        sloppy = rng.random() < 0.12    # a household whose archive has gaps
        for code, _name, _group in ARCHIVE_DOCUMENTS:
            if code in RENOVATION_DOCS and not renovated:
                continue
            if code == "rectification_notice" and rng.random() > 0.15:
                continue   # only homes that received a rectification notice
            if code == "repair_order" and rng.random() > 0.4:
                continue
            on_file = not (sloppy and rng.random() < 0.35)
            rows.append({"home": m["id"], "doc_code": code, "on_file": on_file,
                         "received_at": received if on_file else None,
                         "received_by": m["manager"] if on_file else None, "notes": "" if on_file else "待业主补交"})
    _batched_insert(ArchiveDocument, rows, batch=400)
    return len(rows)


def _populate_visits(meta, primary, rng, today, area_managers, staff) -> int:
    rows = []
    key_ids = {i for (i,) in Owner.select(Owner.id).where(Owner.is_key_customer == True).tuples()}  # noqa: E712
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    for m in meta:
        owner = primary.get(m["id"])
        if owner is None:
            continue
        base = {"home": m["id"], "owner": owner, "staff": m["manager"], "residents_info": "", "opinions": "",
                "questions": "", "safety_advice_given": False, "intercom_explained": False, "satisfaction": None,
                "notes": "", "planned_date": None, "created_at": dt.datetime.combine(today, dt.time(9, 0))}
        if m["move_in"] and rng.random() < 0.92:
            d = m["move_in"] + dt.timedelta(days=rng.randint(1, 3))
            if d <= today:
                rows.append({**base, "kind": "入住三日回访", "planned_date": m["move_in"] + dt.timedelta(days=3),
                             "visit_date": d, "residents_info": "常住人员已登记", "opinions": rng.choice(OPINIONS),
                             "questions": rng.choice(["无", "询问燃气开通流程", "询问宽带办理", "询问装修垃圾清运"]),
                             "safety_advice_given": True, "intercom_explained": True,
                             "satisfaction": rng.choice([4, 5, 5, 5, 3])})
        if owner in key_ids and rng.random() < 0.85:
            d = quarter_start + dt.timedelta(days=rng.randint(0, max(0, (today - quarter_start).days)))
            rows.append({**base, "kind": "重点客户拜访", "visit_date": d, "opinions": rng.choice(OPINIONS),
                         "satisfaction": rng.choice([4, 5])})
        if m["move_in"] and rng.random() < 0.55:
            d = today - dt.timedelta(days=rng.randint(1, 360))
            if d > m["move_in"]:
                rows.append({**base, "kind": "日常拜访", "visit_date": d, "opinions": rng.choice(OPINIONS),
                             "satisfaction": rng.choice([3, 4, 4, 5, 5])})
    _batched_insert(Visit, rows)
    # last month's familiarity checks: the manager names ten rooms
    moved = [m for m in meta if m["move_in"]]
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    checks = []
    for m in rng.sample(moved, min(10, len(moved))):
        knew = rng.random() < 0.85
        checks.append({"month": last_month, "home": m["id"], "area_manager": m["manager"],
                       "checked_by": staff["manager"].id, "knew_name": knew, "knew_employer": knew and rng.random() < 0.8,
                       "knew_family": knew and rng.random() < 0.8, "knew_payment": rng.random() < 0.9,
                       "owner_knows_manager": rng.random() < 0.8, "notes": "",
                       "created_at": dt.datetime.combine(today.replace(day=1) - dt.timedelta(days=3), dt.time(10))})
    _batched_insert(FamiliarityCheck, checks)
    return len(rows)


def _apply_settings(ctx, site, spec, homes, buildings):
    above, under = spec["parking"]
    ctx.settings.update({
        "site.name": spec["name"], "site.address": spec["address"], "site.postcode": spec["postcode"],
        "site.police_station": spec["police"], "site.homes": homes, "site.buildings": buildings,
        "site.parking_above": above, "site.parking_under": under, "site.land_area": spec["land_area"],
        "site.floor_area": spec["floor_area"], "site.schools": spec["schools"],
        "site.service_phone": spec["service_phone"], "company.name": spec["company"],
    })


def cluster_counts() -> dict[str, dict[str, int]]:
    """Per cluster code: homes, renovated (装修中 or moved in) and moved in (已入住/出租)."""
    out: dict[str, dict[str, int]] = {}
    q = (Home.select(Cluster.code, Home.state).join(Cluster, on=(Home.cluster == Cluster.id)).tuples())
    for code, state in q:
        c = out.setdefault(code, {"homes": 0, "renovated": 0, "moved_in": 0})
        c["homes"] += 1
        if state in ("装修中", "已入住", "出租"):
            c["renovated"] += 1
        if state in ("已入住", "出租"):
            c["moved_in"] += 1
    return out


def _summary(site, spec) -> dict:
    states: dict[str, int] = {}
    for (state,) in Home.select(Home.state).tuples():
        states[state] = states.get(state, 0) + 1
    return {"site": site, "name": spec["name"], "homes": Home.select().count(),
            "buildings": Building.select().count(), "clusters": cluster_counts(), "states": states,
            "users": User.select().count()}


def _run_extensions(ctx, rng) -> tuple[list[str], list[tuple[str, str]]]:
    """Each area's demo rows, each in its own transaction: one area's failure leaves the site
    and the other areas' rows in place and is reported as (area, message)."""
    done, failed = [], []
    for name in EXTENSIONS:
        module = f"app.demo.{name}"
        if importlib.util.find_spec(module) is None:
            continue
        try:
            with ctx.db.atomic():
                importlib.import_module(module).populate(ctx, rng)
        except Exception as exc:  # another area's defect must not lose the site just built
            failed.append((name, f"{type(exc).__name__}: {exc}"))
            continue
        done.append(name)
    return done, failed


# ---------------------------------------------------------------------------------------------
def build_large(ctx, homes: int = 50000, seed: int = 7) -> dict:
    """A big plain site for benchmarks: *homes* homes in 高层 buildings of 2×18×2, one owner each
    (valid encrypted identity numbers), the search index built. Needs an empty database."""
    existing = _existing_homes()
    if existing:
        raise StateError(f"数据库中已有 {existing} 户房屋，基准数据只能建在空数据库中")
    started = time.perf_counter()
    rng = random.Random(seed)
    today = ctx.clock.today()
    people = People(rng, today)
    per_building = 72
    with ctx.db.atomic():
        _ensure_users()
        clusters = []
        n_buildings = (homes + per_building - 1) // per_building
        n_clusters = max(1, (n_buildings + 39) // 40)
        for c in range(n_clusters):
            clusters.append(Cluster.create(code=f"Z{c + 1}", name=f"第{c + 1}组团", sort_order=c))
        home_rows = []
        left = homes
        for b in range(n_buildings):
            cluster = clusters[b // 40]
            building = Building.create(cluster=cluster, code=str(b + 1), name=f"{b + 1}号楼", floors=18, sort_order=b)
            ents = [Entrance.create(building=building, code=str(e)) for e in (1, 2)]
            for e in (1, 2):
                for floor in range(1, 19):
                    for k in (1, 2):
                        if left <= 0:
                            break
                        left -= 1
                        moved = rng.random() < 0.8
                        mi = _months_ago(today, rng.uniform(0.2, 60)) if moved else None
                        home_rows.append((ents[e - 1].id, building.id, cluster.id, f"{b + 1}-{e}-{floor}{k:02d}", floor,
                                          rng.choice((8960, 11230, 13650)), "高层", "已入住" if moved else "空置",
                                          mi, mi, "自住" if moved else "空置", True, ""))
        names = ("entrance", "building", "cluster", "room_code", "floor", "area_x100", "house_type", "state",
                 "handover_date", "move_in_date", "occupancy", "developer_done", "notes")
        home_ids = _insert_returning_ids(Home, [dict(zip(names, r)) for r in home_rows])
        owner_rows = []
        for _ in home_ids:
            male = rng.random() < 0.6
            birth = people.birth(25, 75)
            number = people.identity(birth, male)
            owner_rows.append({"name": people.name(male), "gender": "男" if male else "女", "birth_date": birth,
                               "phone": people.mobile(), **identity_fields(ctx, number)})
        owner_ids = _insert_returning_ids(Owner, [{**o, "name_pinyin": name_key(o["name"])} for o in owner_rows])
        _batched_insert(HomeOwner, [{"home": h, "owner": o, "is_primary": True} for h, o in zip(home_ids, owner_ids)])
        search.index_homes(None)
        ctx.settings.update({"site.name": "基准测试小区", "site.homes": len(home_ids), "site.buildings": n_buildings})
        record(ctx, "demo.build_large", "site", "large", None, {"homes": len(home_ids)})
    ctx.settings.save()
    return {"homes": len(home_ids), "owners": len(owner_ids), "buildings": n_buildings,
            "seconds": round(time.perf_counter() - started, 2)}
