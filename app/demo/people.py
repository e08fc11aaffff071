"""The people of a demo site: owners with valid GB 11643 identity numbers (stored encrypted),
spouses and co-owners, families, tenants, key customers and arrears flags.

``People`` draws names, identity numbers and phones without repeats; ``populate_people``
gives every handed-over home its owners and, when lived in, its residents."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from app.archives.owners import identity_fields
from app.core.pinyin import name_key
from app.core.validation import id_check_char
from app.demo.base import batched_insert, chance, insert_returning_ids
from models.people import HomeOwner, Owner, Resident

# ---------------------------------------------------------------------------------------------
# Name, place and employer material
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤")
MALE_GIVEN = ["伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波",
              "斌", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林", "阳", "建华", "建国", "志强", "志明",
              "海涛", "晓东", "永刚", "国庆", "文博", "子轩", "浩然", "宇航", "俊杰", "振华", "德明", "卫东", "红军",
              "立新", "家豪", "天佑"]
FEMALE_GIVEN = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "桂英", "玲", "婷", "雪", "慧", "莹", "倩",
                "洁", "琳", "颖", "晶", "红", "燕", "梅", "萍", "丹", "欣怡", "雨涵", "梓涵", "思雨", "佳琪", "晓燕",
                "丽娟", "海燕", "雪梅", "淑珍", "凤英", "美玲", "春梅", "小红", "雅婷"]
CHILD_GIVEN = ["子涵", "浩宇", "一诺", "梓轩", "欣悦", "若曦", "宇轩", "思彤", "博文", "可馨", "子墨", "雨桐", "嘉怡",
               "俊熙", "诗涵", "明轩"]
# (region code of the identity number, native place)
REGIONS = [
    ("410108", "河南省郑州市"), ("410105", "河南省郑州市"), ("410302", "河南省洛阳市"), ("410202", "河南省开封市"),
    ("110105", "北京市"), ("310104", "上海市"), ("440106", "广东省广州市"), ("320102", "江苏省南京市"),
    ("330106", "浙江省杭州市"), ("370102", "山东省济南市"), ("610103", "陕西省西安市"), ("420106", "湖北省武汉市"),
    ("430104", "湖南省长沙市"), ("510107", "四川省成都市"), ("140105", "山西省太原市"), ("620102", "甘肃省兰州市"),
    ("210102", "辽宁省沈阳市"), ("500103", "重庆市"), ("340104", "安徽省合肥市"), ("130102", "河北省石家庄市"),
]
# (employer, work address, key-customer tag or "")
EMPLOYERS = [
    ("郑州大学第一附属医院", "建设东路1号", ""), ("中国银行开元路支行", "开元路22号", ""),
    ("郑州市第十一中学", "文化路99号", ""),
    ("国网郑州供电公司", "嵩山南路87号", ""), ("郑州大学", "科学大道100号", ""), ("中铁七局集团", "中原中路208号", ""),
    ("河南华信律师事务所", "金水路288号", ""), ("郑州软件园科技有限公司", "国基路60号", ""),
    ("中国建设银行惠济支行", "天河路26号", ""), ("郑州自来水投资控股有限公司", "经七路26号", ""),
    ("个体经营", "", ""), ("退休", "", ""), ("退休", "", ""), ("郑州市第一中学", "英协路5号", ""),
    ("河南省人民医院", "纬五路7号", ""), ("宇通客车股份有限公司", "宇通路6号", ""),
    ("河南广播电视台", "郑东新区平安大道", "媒体"), ("大河报社", "农业路东28号", "媒体"),
    ("郑州市人民政府办公厅", "中原中路233号", "政府"), ("惠济区税务局", "开元路30号", "政府"),
    ("新城派出所", "开元路3号", "政府"), ("天伦集团", "开元路1号", "集团员工"),
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

# How often things happen, as shares of the draws
MALE_OWNER = 0.6             # an owner drawn alone (co-owners, the large site)
MALE_MAIN_OWNER = 0.62       # the first owner of a household
KEY_EMPLOYER = 0.07
RETIREMENT_AGE = 62
RETIRED = 0.7                # of the owners past retirement age
SECOND_PHONE = 0.15
MANAGER_NAMED_KEY = 0.03     # the manager names a key customer himself
MARRIED = 0.78
MARRIAGE_AGE = 27            # older than this to be married
SPOUSE_ON_DEED = 0.3
PARENT_LIVES_IN = 0.2
NANNY = 0.04
OPINION, SUGGESTION, SPECIAL_REQUEST, IN_ARREARS = 0.45, 0.2, 0.06, 0.06
INVESTOR = 0.15              # an owner who may buy another home
INVESTOR_BUYS_LET, INVESTOR_BUYS_OTHER = 0.35, 0.02
HALF = 0.5
COUPLE = 2


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
        return f"0371-{self.rng.choice('6567')}{self.rng.randrange(10 ** 7):07d}"

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


def owner_row(ctx, people: People, rng, today, male=None, surname=None, region=None):
    male = chance(rng, MALE_OWNER) if male is None else male
    birth = people.birth(26, 72)
    region_code, native = region or rng.choice(REGIONS)
    number = people.identity(birth, male, region_code)
    employer, address, tag = rng.choice(KEY_EMPLOYERS if chance(rng, KEY_EMPLOYER) else PLAIN_EMPLOYERS)
    if today.year - birth.year >= RETIREMENT_AGE and chance(rng, RETIRED):
        employer, address, tag = "退休", "", ""
    row = {
        "name": people.name(male, surname), "gender": "男" if male else "女", "birth_date": birth,
        "education": rng.choice(EDUCATION), "native_place": native, "employer": employer,
        "work_address": f"郑州市{address}" if address else "", "phone": people.mobile(),
        "phone2": people.landline() if chance(rng, SECOND_PHONE) else "", "id_type": "身份证",
        **identity_fields(ctx, number),
        "spouse_name": "", "spouse_phone": "", "spouse_employer": "", "family_structure": "",
        "residents_count": 0, "is_key_customer": False, "key_customer_tags": "",
        "opinion": "", "suggestions": "", "special_requests": "",
        "arrears_flag": False, "arrears_reason": "", "arrears_complaint": "", "anonymised": False, "notes": "",
    }
    tags = [tag] if tag else []
    if chance(rng, MANAGER_NAMED_KEY):
        tags.append("经理指定")
    if tags:
        row["is_key_customer"] = True
        row["key_customer_tags"] = ",".join(tags)
    return row


@dataclass
class Roll:
    """The owners, their links to homes and the residents drawn so far, in insertion order."""
    owners: list[dict] = field(default_factory=list)
    # (home id, owner index, primary, since)
    links: list[tuple[int, int, bool, dt.date | None]] = field(default_factory=list)
    residents: list[dict] = field(default_factory=list)
    by_home: dict[int, list[int]] = field(default_factory=dict)      # home id → owner indexes
    primary_of_home: dict[int, int] = field(default_factory=dict)
    investors: list[int] = field(default_factory=list)               # owner indexes who may buy a second home

    def link(self, hid: int, oi: int, primary: bool, since) -> None:
        self.links.append((hid, oi, primary, since))
        self.by_home.setdefault(hid, []).append(oi)
        if primary:
            self.primary_of_home[hid] = oi

    def add_owner(self, row: dict) -> int:
        self.owners.append(row)
        return len(self.owners) - 1


def _marry(ctx, people: People, rng, today, main: dict, male: bool) -> dict | None:
    """Give *main* a spouse; return the spouse's owner row when the spouse is on the deed too."""
    spouse_male = not male
    s_birth_shift = rng.randint(-4, 4)
    main["spouse_name"] = people.name(spouse_male)
    main["spouse_phone"] = people.mobile()
    main["spouse_employer"] = rng.choice(EMPLOYERS)[0]
    if not chance(rng, SPOUSE_ON_DEED):
        return None
    co_owner = owner_row(ctx, people, rng, today, male=spouse_male)
    co_owner.update(name=main["spouse_name"], phone=main["spouse_phone"], employer=main["spouse_employer"],
                    spouse_name=main["name"], spouse_phone=main["phone"],
                    birth_date=main["birth_date"] + dt.timedelta(days=365 * s_birth_shift))
    number = people.identity(co_owner["birth_date"], spouse_male)
    co_owner.update(identity_fields(ctx, number))
    return co_owner


def _family(people: People, rng, today, main: dict, married: bool) -> list[dict]:
    """The household's family besides the owner, whether or not it lives here yet."""
    family: list[dict] = []
    if married:
        family.append({"name": main["spouse_name"], "relation": "配偶"})
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            family.append({"name": main["name"][0] + rng.choice(CHILD_GIVEN), "relation": "子女",
                           "birth_date": today - dt.timedelta(days=rng.randint(365, 365 * 22))})
    if chance(rng, PARENT_LIVES_IN):
        family.append({"name": people.name(chance(rng, HALF), main["name"][0]), "relation": "父母",
                       "birth_date": main["birth_date"] - dt.timedelta(days=365 * rng.randint(24, 32))})
    if chance(rng, NANNY):
        family.append({"name": people.name(False), "relation": "保姆"})
    return family


def family_structure(family: list[dict], married: bool) -> str:
    n = 1 + len(family)
    if n == 1:
        return "单身"
    if n == COUPLE and married:
        return "夫妻二人"
    if any(f["relation"] == "父母" for f in family):
        return "三代同堂"
    return f"{'两三四五六七八'[min(n, 8) - 2]}口之家"


def _views(rng, main: dict, state: str) -> None:
    """Opinions, suggestions, special requests and an arrears flag, as the archive keeps them."""
    if chance(rng, OPINION):
        main["opinion"] = rng.choice(OPINIONS)
    if chance(rng, SUGGESTION):
        main["suggestions"] = rng.choice(SUGGESTIONS)
    if chance(rng, SPECIAL_REQUEST):
        main["special_requests"] = rng.choice(SPECIAL_REQUESTS)
    if state in ("已入住", "出租", "空置") and chance(rng, IN_ARREARS):
        reason, complaint = rng.choice(ARREARS)
        main.update(arrears_flag=True, arrears_reason=reason, arrears_complaint=complaint)


def _new_household(ctx, roll: Roll, people: People, rng, today, m: dict) -> None:
    hid, state, since = m["id"], m["state"], m["handover"]
    male = chance(rng, MALE_MAIN_OWNER)
    main = owner_row(ctx, people, rng, today, male=male)
    married = chance(rng, MARRIED) and today.year - main["birth_date"].year > MARRIAGE_AGE
    co_owner = _marry(ctx, people, rng, today, main, male) if married else None
    family = _family(people, rng, today, main, married)
    main["residents_count"] = 1 + len(family) if state == "已入住" else 0
    main["family_structure"] = family_structure(family, married)
    _views(rng, main, state)
    oi = roll.add_owner(main)
    roll.link(hid, oi, True, since)
    if chance(rng, INVESTOR):
        roll.investors.append(oi)
    if co_owner is not None:
        roll.link(hid, roll.add_owner(co_owner), False, since)
    if state == "已入住":
        for f in family:
            roll.residents.append({"home": hid, "name": f["name"], "relation": f["relation"],
                                   "is_tenant": False, "birth_date": f.get("birth_date")})
        roll.residents.append({"home": hid, "name": main["name"], "relation": "业主本人", "is_tenant": False,
                               "phone": main["phone"], "birth_date": main["birth_date"],
                               "employer": main["employer"]})


def _tenants(ctx, people: People, rng, m: dict) -> list[dict]:
    out = []
    for k in range(rng.choice([1, 1, 2, 3])):
        male = chance(rng, HALF)
        birth = people.birth(20, 50)
        number = people.identity(birth, male)
        lease_from = m["move_in"]
        out.append({
            "home": m["id"], "name": people.name(male), "relation": "租户" if k == 0 else "租户同住人",
            "is_tenant": True, "phone": people.mobile(), **resident_identity(ctx, number), "birth_date": birth,
            "employer": rng.choice(TENANT_EMPLOYERS), "lease_from": lease_from,
            "lease_to": lease_from + dt.timedelta(days=365 * rng.choice([1, 2, 3])),
        })
    return out


def populate_people(ctx, meta, people: People, rng, today) -> dict:
    """Owners for every handed-over home (some investors hold several, mostly let ones), their
    families as residents where they live, tenants in let homes. Returns the counts, and under
    ``_owners_by_home`` / ``_primary`` the owner ids the later steps need."""
    roll = Roll()
    for m in meta:
        hid, state = m["id"], m["state"]
        if state == "未交付":
            continue
        buys_again = INVESTOR_BUYS_LET if state == "出租" else INVESTOR_BUYS_OTHER
        if roll.investors and chance(rng, buys_again):
            roll.link(hid, rng.choice(roll.investors), True, m["handover"])
        else:
            _new_household(ctx, roll, people, rng, today, m)
        if state == "出租":
            roll.residents.extend(_tenants(ctx, people, rng, m))
    owners, residents = roll.owners, roll.residents
    owner_ids = insert_returning_ids(Owner, [{**o, "name_pinyin": name_key(o["name"])} for o in owners])
    batched_insert(HomeOwner, [{"home": hid, "owner": owner_ids[oi], "is_primary": primary, "since": since}
                               for hid, oi, primary, since in roll.links])
    batched_insert(Resident, [resident_defaults(r) for r in residents])
    owners_by_home = {hid: [owner_ids[i] for i in idx] for hid, idx in roll.by_home.items()}
    primary = {hid: owner_ids[oi] for hid, oi in roll.primary_of_home.items()}
    return {
        "owners": len(owners), "residents": sum(1 for r in residents if not r["is_tenant"]),
        "tenants": sum(1 for r in residents if r["is_tenant"]),
        "key_customers": sum(1 for o in owners if o["is_key_customer"]),
        "arrears": sum(1 for o in owners if o["arrears_flag"]),
        "co_owned_homes": sum(1 for v in owners_by_home.values() if len(v) > 1),
        "_owners_by_home": owners_by_home, "_primary": primary,
    }


def resident_identity(ctx, number: str) -> dict:
    """identity_fields without the search tail (residents have none)."""
    fields = identity_fields(ctx, number)
    fields.pop("id_tail")
    return fields


RESIDENT_FIELDS = {"phone": "", "id_enc": "", "id_hash": "", "id_masked": "", "birth_date": None,
                   "employer": "", "lease_from": None, "lease_to": None, "notes": ""}


def resident_defaults(r: dict) -> dict:
    return RESIDENT_FIELDS | r
