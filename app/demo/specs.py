"""The two demo sites as plans: 天伦庄园 (292 homes) and 万兴现代城 (the five clusters of
domain.md §1), their building templates, and the office staff of a demo site."""
from __future__ import annotations

from dataclasses import dataclass

SITES = ("tianlun", "wanxing")


@dataclass(frozen=True)
class BuildingPlan:
    house_type: str
    entrances: int
    floors: int
    per_floor: int          # homes per floor per entrance
    area_choices: tuple     # floor areas in 1/100 m²
    two_part: bool = False  # room code 16-101 (townhouses) instead of 5-1-203


TIANLUN = {
    # the source's own facts (seed 000, items 14 and 20): 郑州, 292 homes in 25 buildings
    "name": "天伦庄园", "address": "郑州市惠济区开元路9号", "postcode": "450000", "police": "新城派出所",
    "company": "河南省天伦物业管理有限公司", "legal_rep": "李玉兰", "qualification": "二级资质",
    "service_standard": "一级服务标准", "service_phone": "0371-63886699", "parking": (24, 78),
    "land_area": "52024.33", "floor_area": "66038.99",
    "schools": "惠济区实验小学（园区东100米）、郑州师范学院附属实验中学（清华园路毛庄）",
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
    "name": "万兴现代城", "address": "郑州市金水区万兴大道88号", "postcode": "450000", "police": "万兴路派出所",
    "company": "万兴物业管理有限公司", "legal_rep": "", "qualification": "", "service_standard": "",
    "service_phone": "0371-66661234", "parking": (260, 1100),
    "land_area": "420000", "floor_area": "386000", "schools": "万兴小学、金水区第二中学",
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
AREA_MANAGERS = ("zhangmin", "liuyang", "chenchen")
DEMO_PASSWORD = "demo123"  # the demo site's accounts only; a real site's manager is created at first start
