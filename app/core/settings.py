"""Every site setting, declared once with its default (the values of shared/domain.md).

Settings come in three layers (class Settings): the declared defaults below, then the site file
an installer ships beside the program (resources/site.toml), then the office's own changes saved
in the data folder (``settings.toml``, only the keys the office changed). Keys are dotted; the part
after the last dot may be Chinese (e.g. ``fee.property_rate.洋房``).

Kinds: ``text``, ``int``, ``fen`` (money in integer fen, shown as 元), ``decimal`` (an exact
decimal written as a string, e.g. a daily late-fee rate), ``bool``, ``time`` ("HH:MM").
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from app.core.errors import ValidationError


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    label: str
    kind: str = "text"
    group: str = ""
    help: str = ""


GROUP_LABELS = {
    "site": "小区信息", "company": "物业公司", "fee": "收费标准", "service_price": "有偿服务",
    "parcel": "代收包裹", "billing": "计费与收款", "dunning": "催缴", "renovation": "装修管理",
    "customer": "客户分类与拜访", "keys": "钥匙与借用", "request": "报事与投诉", "print": "打印",
    "backup": "备份", "security": "安全", "parking": "车位与车卡",
    "office": "办公时间与公告", "shift": "交接班",
}

_S = Setting
SETTINGS: list[Setting] = [
    # 000 item 14, 20
    _S("site.name", "天伦庄园", "小区名称", group="site"),
    _S("site.address", "开元路9号", "小区地址", group="site"),
    _S("site.postcode", "", "邮政编码", group="site"),
    _S("site.police_station", "", "所属派出所", group="site"),
    _S("site.homes", 292, "住户总数", "int", "site"),
    _S("site.buildings", 25, "楼栋数", "int", "site"),
    _S("site.parking_above", 24, "地上车位数", "int", "site"),
    _S("site.parking_under", 78, "地下车位数", "int", "site"),
    _S("site.land_area", "", "占地面积（㎡）", group="site"),
    _S("site.floor_area", "", "建筑面积（㎡）", group="site"),
    _S("site.schools", "", "周边学校", group="site"),
    _S("site.service_phone", "", "客服中心电话", group="site"),
    _S("company.name", "", "物业公司全称", group="company"),
    _S("company.legal_rep", "", "法定代表人", group="company"),
    _S("company.qualification", "", "资质等级", group="company"),
    _S("company.service_standard", "", "服务标准", group="company"),
    # office hours, shown on notices and owner-facing forms; the notice board (002 篇2 (1))
    _S("office.hours", "周一至周日 8:30–12:00、13:30–17:30", "办公时间", group="office"),
    _S("office.hours_note", "节假日照常值班；夜间紧急情况请拨打客服中心电话", "办公时间说明", group="office"),
    _S("notice.office", "", "公告落款单位（空则为“小区名称＋物业服务中心”）", group="office"),
    _S("notice.default_days", 7, "公告默认张贴天数", "int", "office"),
    # 000 item 17: fee standards (fen)
    _S("fee.property_rate.洋房", 178, "物业费 洋房（元/㎡·月）", "fen", "fee"),
    _S("fee.property_rate.叠加", 230, "物业费 叠加（元/㎡·月）", "fen", "fee"),
    _S("fee.property_rate.联排", 290, "物业费 联排（元/㎡·月）", "fen", "fee"),
    _S("fee.property_rate.高层", 178, "物业费 高层（元/㎡·月）", "fen", "fee"),
    _S("fee.property_rate.商铺", 290, "物业费 商铺（元/㎡·月）", "fen", "fee"),
    _S("fee.parking_above", 10000, "地上停车费（元/月）", "fen", "fee"),
    _S("fee.parking_under", 24000, "地下停车费（元/月）", "fen", "fee"),
    _S("fee.bicycle", 4000, "自行车停放费（元/月）", "fen", "fee"),
    _S("fee.water_home", 240, "水费 住宅（元/吨）", "fen", "fee"),
    _S("fee.water_shop", 450, "水费 商铺（元/吨）", "fen", "fee"),
    _S("fee.power_home", 56, "电费 住宅（元/度）", "fen", "fee"),
    _S("fee.cable_tv", 1300, "有线电视费（元/月）", "fen", "fee"),
    _S("fee.gas_tier1", 225, "燃气 第一阶梯（元/m³）", "fen", "fee"),
    _S("fee.gas_tier2", 292, "燃气 第二阶梯（元/m³）", "fen", "fee"),
    _S("fee.gas_tier1_limit", 50, "燃气 第一阶梯上限（m³，含）", "int", "fee"),
    _S("fee.basis.property", "依据物价部门核定的物业服务收费标准及《前期物业服务协议》", "物业费收费依据", group="fee"),
    _S("fee.basis.parking", "依据物价部门核定的机动车停放服务收费标准", "停车费收费依据", group="fee"),
    _S("fee.basis.utilities", "依据供水、供电、供气单位公布的价格代收", "水电气收费依据", group="fee"),
    # 000 item 18: paid services, owner price / market price (fen)
    _S("service_price.letting_owner_pct", 40, "房屋租赁代理 业主价（月租金%）", "int", "service_price"),
    _S("service_price.letting_market_pct", 50, "房屋租赁代理 市场价（月租金%）", "int", "service_price"),
    _S("service_price.lamp.owner", 1000, "安装灯具 业主价", "fen", "service_price"),
    _S("service_price.lamp.market", 1500, "安装灯具 市场价", "fen", "service_price"),
    _S("service_price.drain.owner", 3000, "疏通下水道 业主价", "fen", "service_price"),
    _S("service_price.drain.market", 5000, "疏通下水道 市场价", "fen", "service_price"),
    _S("service_price.breaker.owner", 1000, "更换空气开关 业主价", "fen", "service_price"),
    _S("service_price.breaker.market", 1500, "更换空气开关 市场价", "fen", "service_price"),
    _S("service_price.basin_drain.owner", 1000, "更换面盆下水 业主价", "fen", "service_price"),
    _S("service_price.basin_drain.market", 1500, "更换面盆下水 市场价", "fen", "service_price"),
    _S("service_price.tap.owner", 500, "更换水龙头 业主价", "fen", "service_price"),
    _S("service_price.tap.market", 1000, "更换水龙头 市场价", "fen", "service_price"),
    # the desk's shifts (交接班记录): "name HH:MM-HH:MM" separated by ；
    _S("shift.schedule", "早班 08:00-16:00；中班 16:00-24:00；晚班 00:00-08:00", "班次及时间", group="shift"),
    _S("shift.cash_float", 0, "前台抽屉备用金", "fen", "shift"),
    # 000 item 11: parcels
    _S("parcel.free_hours", 24, "包裹免费保管时长（小时）", "int", "parcel"),
    _S("parcel.first_fee", 200, "超时首次收费", "fen", "parcel"),
    _S("parcel.step_hours", 12, "续收间隔（小时）", "int", "parcel"),
    _S("parcel.step_fee", 100, "每间隔加收", "fen", "parcel"),
    _S("parcel.max_fee", 1000, "包裹保管费上限", "fen", "parcel"),
    # parking spaces and car cards (000 应会 6)
    _S("parking.card_months", 12, "车卡默认有效期（月）", "int", "parking"),
    _S("parking.cards_per_space", 1, "每个车位可办车卡数", "int", "parking"),
    _S("parking.card_prefix", "CK", "车卡登记表编号前缀", group="parking"),
    # billing
    _S("billing.prepay_months", 12, "入住预交物业费（月）", "int", "billing"),
    _S("billing.collection_target_pct", 96, "收费率目标（%）", "int", "billing"),
    _S("billing.due_day", 31, "月度费用缴费截止日（每月几日，超过月末按月末）", "int", "billing"),
    _S("billing.bill_vacant", True, "空置房计收物业费", "bool", "billing"),
    _S("billing.vacant_rate_pct", 100, "空置房物业费计收比例（%）", "int", "billing"),
    _S("billing.receipt_prefix", "SJ", "收据编号前缀", group="billing"),
    _S("billing.refund_prefix", "TK", "退款凭证编号前缀", group="billing"),
    _S("billing.pay_how", "到客服中心收银处缴纳：现金、刷卡（银行卡）或转账", "缴费方式说明（印在缴费通知单上）",
       group="billing"),
    _S("billing.pay_account", "", "转账收款账户（户名、开户行、账号，印在缴费通知单上）", group="billing"),
    # 000 应会 7: dunning calendar
    _S("dunning.list_by_day", 5, "欠费清单截止日（每月）", "int", "dunning"),
    _S("dunning.phone_from_day", 6, "电话催缴开始日", "int", "dunning"),
    _S("dunning.phone_to_day", 15, "电话催缴结束日", "int", "dunning"),
    _S("dunning.second_from_day", 16, "二次通知开始日", "int", "dunning"),
    _S("dunning.second_to_day", 20, "二次通知结束日", "int", "dunning"),
    _S("dunning.third_from_day", 21, "三次通知（含滞纳金）开始日", "int", "dunning"),
    _S("dunning.late_fee_daily_rate", "0.0003", "滞纳金日费率", "decimal", "dunning"),
    _S("dunning.notice_pay_days", 7, "催缴通知缴费期限（天）", "int", "dunning"),
    # 000 item 17, 应会 3: renovation
    _S("renovation.deposit.洋房", 300000, "装修保证金 洋房", "fen", "renovation"),
    _S("renovation.deposit.叠加", 500000, "装修保证金 叠加", "fen", "renovation"),
    _S("renovation.deposit.联排", 1000000, "装修保证金 联排", "fen", "renovation"),
    _S("renovation.deposit.高层", 300000, "装修保证金 高层", "fen", "renovation"),
    _S("renovation.deposit.商铺", 500000, "装修保证金 商铺", "fen", "renovation"),
    _S("renovation.rubbish_rate", 400, "垃圾清运费（元/㎡）", "fen", "renovation"),
    _S("renovation.pass_fee", 1000, "出入证手续费（每证）", "fen", "renovation"),
    _S("renovation.pass_deposit", 5000, "出入证押金（每证）", "fen", "renovation"),
    _S("renovation.permit_wait_days", 2, "试验后领取装修许可证（天）", "int", "renovation"),
    _S("renovation.first_inspection_days", 7, "完工后申请初验期限（天）", "int", "renovation"),
    _S("renovation.second_inspection_months", 3, "初验后复验（月）", "int", "renovation"),
    _S("renovation.daily_spot_checks", 2, "每日抽查装修户数", "int", "renovation"),
    _S("renovation.rectify_days", 3, "违规/整改通知默认整改期限（天）", "int", "renovation"),
    _S("renovation.pass_valid_days", 90, "施工人员出入证默认有效期（天）", "int", "renovation"),
    _S("renovation.pass_warn_days", 7, "出入证到期提醒（天）", "int", "renovation"),
    _S("renovation.due_window_days", 7, "复验“本周到期”提前天数", "int", "renovation"),
    _S("renovation.spot_recent_days", 3, "抽查避开近几天已查户（天）", "int", "renovation"),
    _S("renovation.work_hours", "8:00–12:00、14:00–18:00（节假日禁止噪音施工）", "装修施工时间", group="renovation"),
    # 000 item 5, 003: customers and visits
    _S("customer.new_months", 6, "新客户（入住未满，月）", "int", "customer"),
    _S("customer.settling_months", 18, "磨合期上限（月）", "int", "customer"),
    _S("customer.stable_months", 30, "稳定期上限（月）", "int", "customer"),
    _S("customer.movein_visit_days", 3, "入住后回访期限（天）", "int", "customer"),
    _S("customer.key_visit_pct_quarter", 100, "重点客户季度拜访率目标（%）", "int", "customer"),
    _S("customer.ordinary_visit_pct_year", 80, "普通客户年度拜访率目标（%）", "int", "customer"),
    _S("customer.familiarity_target_pct", 90, "熟知率目标（%）", "int", "customer"),
    # 000 item 23-24: keys and loans
    _S("keys.default_hours", 4, "钥匙借出默认时长（小时）", "int", "keys"),
    _S("keys.vacant_inspection_days", 7, "空置房巡查周期（天）", "int", "keys"),
    _S("keys.default_loan_days", 3, "物品借用默认天数", "int", "keys"),
    # 003 005/006: service requests and complaints
    _S("request.dispatch_minutes", 10, "派工时限（分钟）", "int", "request"),
    _S("request.arrival_minutes", 20, "到场时限（分钟）", "int", "request"),
    _S("request.escalate_supervisor_hours", 48, "升级至客服主管（小时）", "int", "request"),
    _S("request.escalate_project_hours", 72, "升级至项目经理（小时）", "int", "request"),
    _S("request.escalate_area_days", 7, "升级至区域经理（天）", "int", "request"),
    _S("request.escalate_quality_days", 15, "升级至品质中心（天）", "int", "request"),
    _S("request.return_visit_hours", 24, "完成后回访期限（小时）", "int", "request"),
    _S("request.visit_not_before", "10:00", "回访不早于", "time", "request"),
    _S("request.lunch_from", "12:00", "午休开始（不回访）", "time", "request"),
    _S("request.lunch_to", "14:00", "午休结束", "time", "request"),
    _S("request.visit_not_after", "21:00", "回访不晚于", "time", "request"),
    _S("request.complaint_contact_minutes", 30, "投诉联系时限（分钟）", "int", "request"),
    _S("request.written_reply_workdays", 2, "书面投诉回复（工作日）", "int", "request"),
    _S("request.report_after_workdays", 5, "未解决投诉上报（工作日）", "int", "request"),
    _S("request.kpi_valid_complaint_pct", "1", "有效投诉率上限（%/年）", "decimal", "request"),
    _S("request.kpi_request_ontime_pct", 98, "报事及时率目标（%）", "int", "request"),
    _S("request.kpi_request_visit_pct", 80, "报事回访率目标（%）", "int", "request"),
    _S("request.kpi_satisfaction_pct", 90, "报事满意率目标（%）", "int", "request"),
    _S("request.kpi_complaint_ontime_pct", 100, "投诉处理及时率目标（%）", "int", "request"),
    _S("request.kpi_complaint_visit_pct", 100, "投诉回访率目标（%）", "int", "request"),
    _S("request.kpi_complaint_satisfaction_pct", 90, "投诉满意率目标（%）", "int", "request"),
    _S("request.satisfied_min_score", 4, "满意的最低评分（1–5分）", "int", "request"),
    _S("request.hot_homes", 3, "热点投诉：同月同类投诉户数", "int", "request"),
    _S("request.group_size", 3, "热点投诉：群体投诉人数", "int", "request"),
    _S("request.major_repeats", 3, "重大投诉：同户同类投诉次数", "int", "request"),
    _S("request.major_repeat_days", 365, "重大投诉：重复投诉统计期（天）", "int", "request"),
    _S("request.workdays", "1,2,3,4,5", "工作日（1=周一 … 7=周日）", group="request"),
    _S("request.holidays", "", "节假日（不计工作日，如 2026-10-01,2026-10-02）", group="request"),
    _S("request.holder.dept", "", "部门主管姓名（当日未完成）", group="request"),
    _S("request.holder.cs", "", "客服主管姓名（48小时）", group="request"),
    _S("request.holder.project", "", "项目经理姓名（72小时）", group="request"),
    _S("request.holder.area", "", "区域经理姓名（7天）", group="request"),
    _S("request.holder.quality", "", "品质中心联系人（15天）", group="request"),
    _S("request.auto_escalate_minutes", 5, "自动升级检查间隔（分钟，主窗口打开时）", "int", "request"),
    # printing
    _S("print.receipt_layout", "A4", "收据版式（A4 / 三联）", group="print"),
    _S("print.receipt_offset_x_mm", 0, "三联收据水平偏移（mm）", "int", "print"),
    _S("print.receipt_offset_y_mm", 0, "三联收据垂直偏移（mm）", "int", "print"),
    # backup and security
    _S("backup.interval_minutes", 30, "自动备份间隔（分钟）", "int", "backup"),
    _S("backup.keep_daily", 7, "保留日备份（份）", "int", "backup"),
    _S("backup.keep_weekly", 4, "保留周备份（份）", "int", "backup"),
    _S("backup.keep_monthly", 12, "保留月备份（份）", "int", "backup"),
    _S("backup.keep_migration", 3, "保留升级前备份（份）", "int", "backup"),
    _S("backup.second_folder", "", "第二备份目录（如U盘）", group="backup"),
    _S("backup.startup_check_days", 7, "启动时完整性检查：正常关闭后多少天内免检（天；0为每次检查）", "int", "backup"),
    _S("security.idle_lock_minutes", 15, "无操作自动锁定（分钟）", "int", "security"),
]

HOURS_A_DAY, MINUTES_AN_HOUR = 24, 60  # a "time" setting is HH:MM
BY_KEY = {s.key: s for s in SETTINGS}
SETTINGS_FILE = "settings.toml"
SITE_DEFAULTS_FILE = Path(__file__).resolve().parents[2] / "resources" / "site.toml"


def flatten(d: dict, prefix: str = "") -> dict:
    """{"a": {"b": 1}} → {"a.b": 1}: a settings file's tables as dotted keys."""
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _nest(flat: dict) -> dict:
    root: dict = {}
    for key, value in flat.items():
        parts = key.split(".")
        node = root
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return root


# Ranges a value must lie in (inclusive), by key pattern: the first pattern that matches applies
# (fnmatch; "fen" in integer fen). A site file or 站点设置 outside them is refused naming the setting.
LIMITS: list[tuple[str, tuple]] = [
    ("fee.property_rate.*", (1, 2000)),          # 0.01–20.00 元/㎡·月 (the seed: 1.78–2.90)
    ("fee.gas_tier1_limit", (1, 1000)),
    ("fee.*", (0, 1_000_000)),                   # at most 10,000 元
    ("renovation.deposit.*", (0, 10_000_000)),
    ("*_pct*", (0, 100)),
    ("billing.vacant_rate_pct", (0, 100)),
    ("billing.due_day", (1, 31)),
    ("dunning.*_day", (1, 31)),
    ("dunning.late_fee_daily_rate", (Decimal(0), Decimal("0.01"))),
    ("request.satisfied_min_score", (1, 5)),
    ("billing.prepay_months", (0, 120)),
]
KIND_LIMITS = {"int": (0, 1_000_000), "fen": (0, 10_000_000), "decimal": (Decimal(0), Decimal(1_000_000))}
REQUIRED_TEXT = ("site.name",)   # never empty (the name is on every form); a site file also needs company.name
BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
              "是": True, "否": False}


def limits_for(key: str) -> tuple | None:
    from fnmatch import fnmatchcase
    for pattern, bounds in LIMITS:
        if fnmatchcase(key, pattern):
            return bounds
    return None


def _check_range(setting: Setting, value):
    if setting.kind not in ("int", "fen", "decimal"):
        return
    lo, hi = limits_for(setting.key) or KIND_LIMITS[setting.kind]
    v = Decimal(value) if setting.kind == "decimal" else value
    if not (lo <= v <= hi):
        if setting.kind == "fen":
            from app.core.money import fmt_fen
            lo_s, hi_s, v_s = fmt_fen(lo), fmt_fen(hi), fmt_fen(value)
        else:
            lo_s, hi_s, v_s = str(lo), str(hi), str(value)
        raise ValidationError(setting.label, f"应在 {lo_s} 至 {hi_s} 之间，收到 {v_s}")


def coerce(setting: Setting, value: Any) -> Any:
    """Check and convert a value for a setting (its kind, its range in LIMITS, a required text not
    empty); raises ValidationError naming the setting."""
    v = _convert(setting, value)
    _check_range(setting, v)
    if setting.key in REQUIRED_TEXT and not str(v).strip():
        raise ValidationError(setting.label, "不能为空")
    return v


def _convert(setting: Setting, value: Any) -> Any:
    kind = setting.kind
    try:
        if kind in ("int", "fen"):
            if isinstance(value, (bool, float)):
                raise ValueError
            v = int(str(value).strip())
            if v < 0:
                raise ValidationError(setting.label, "不能为负数")
            return v
        if kind == "decimal":
            d = Decimal(str(value).strip())
            if d < 0:
                raise ValidationError(setting.label, "不能为负数")
            return str(d)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            word = str(value).strip().lower()
            if word not in BOOL_WORDS:
                raise ValidationError(setting.label, f"应为“是”或“否”（true / false），收到“{value}”")
            return BOOL_WORDS[word]
        if kind == "time":
            s = str(value).strip()
            hh, mm = s.split(":")
            if not (0 <= int(hh) < HOURS_A_DAY and 0 <= int(mm) < MINUTES_AN_HOUR):
                raise ValueError
            return f"{int(hh):02d}:{int(mm):02d}"
        return str(value)
    except ValidationError:
        raise
    except (ValueError, InvalidOperation, TypeError):
        expected = {"int": "整数", "fen": "整数（分）", "decimal": "数字", "time": "时间（时:分）"}.get(kind, "文本")
        raise ValidationError(setting.label, f"应为{expected}，收到“{value}”") from None


LAYER_LABELS = {"default": "程序默认", "site": "站点文件", "office": "本处修改"}
APPLIED_SITE_FILE = "site-applied.toml"   # the site file's values the manager last saw (upgrade list)


def read_toml(path: Path) -> dict:
    """A settings file's known keys, dotted (unknown keys are left out)."""
    with open(path, "rb") as fh:
        try:
            raw = flatten(tomllib.load(fh))
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError(f"设置文件 {path}", f"格式错误：{exc}") from None
    return {k: v for k, v in raw.items() if k in BY_KEY}


class Settings:
    """The site's settings in three layers: the product's declared defaults < the site file the
    installer ships (resources/site.toml) < the office's own changes (the data folder's
    settings.toml). Only the office's layer is ever written, and it holds only values that differ
    from the layers below, so an upgrade's new site values apply unless the office changed that key."""

    def __init__(self, values: dict | None = None, path: Path | None = None, site: dict | None = None):
        self._site = {k: coerce(BY_KEY[k], v) for k, v in (site or {}).items()}
        self._office: dict = {}
        self.path = path
        if values:
            self.update(values)

    def below(self, key: str):
        """The value the key has without the office's change (site file, else default)."""
        return self._site[key] if key in self._site else BY_KEY[key].default

    def source(self, key: str) -> str:
        """Where the key's value comes from: "office", "site" or "default" (LAYER_LABELS)."""
        if key in self._office:
            return "office"
        return "site" if key in self._site else "default"

    def get(self, key: str):
        if key in self._office:
            return self._office[key]
        try:
            return self.below(key)
        except KeyError:
            raise KeyError(f"unknown setting {key!r}") from None

    def __getitem__(self, key):
        return self.get(key)

    def decimal(self, key: str) -> Decimal:
        return Decimal(str(self.get(key)))

    def _put(self, key: str, value):
        if value == self.below(key):
            self._office.pop(key, None)   # back to the site's or the product's value: not a change
        else:
            self._office[key] = value

    def set(self, key: str, value):
        setting = BY_KEY.get(key)
        if setting is None:
            raise ValidationError(key, "不是已知的设置项")
        self._put(key, coerce(setting, value))

    def update(self, values: dict):
        """Set several values at once: all are checked before any is changed."""
        checked = {}
        for k, v in values.items():
            setting = BY_KEY.get(k)
            if setting is None:
                raise ValidationError(k, "不是已知的设置项")
            checked[k] = coerce(setting, v)
        for k, v in checked.items():
            self._put(k, v)

    def as_dict(self) -> dict:
        return {s.key: self.get(s.key) for s in SETTINGS}

    def changed(self) -> dict:
        """The office's own changes (the values saving writes)."""
        return dict(self._office)

    def site_values(self) -> dict:
        return dict(self._site)

    @classmethod
    def load(cls, data_dir: Path | None, site_file: Path | None = None) -> "Settings":
        """The three layers. An office file written by an older version held every setting: values in it
        equal to the site file's value or the site value the manager last saw (site-applied.toml), and
        before that file exists the product's default, are not the office's changes and are dropped,
        so new site values arrive."""
        site_path = Path(site_file or SITE_DEFAULTS_FILE)
        site = read_toml(site_path) if site_path.is_file() else {}
        s = cls(site=site)
        if data_dir:
            s.path = Path(data_dir) / SETTINGS_FILE
            applied_path = Path(data_dir) / APPLIED_SITE_FILE
            applied = read_toml(applied_path) if applied_path.is_file() else {}
            office = read_toml(s.path) if s.path.is_file() else {}
            checked = {k: coerce(BY_KEY[k], v) for k, v in office.items()}
            legacy = not applied_path.is_file()   # written by a version before the layers
            for k, v in checked.items():
                if k in applied and coerce(BY_KEY[k], applied[k]) == v and v != s.below(k):
                    continue   # the old site file's value kept by a full dump: the new site value applies
                if legacy and v == BY_KEY[k].default:
                    continue   # the product's default kept by a full dump: not the office's change
                s._put(k, v)
        return s

    def save(self, path: Path | None = None):
        """Write the office's changes only (atomically)."""
        write_toml(Path(path or self.path), self._office)


def write_toml(path: Path, values: dict):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    import tomli_w  # only when saving
    tmp.write_text(tomli_w.dumps(_nest(dict(sorted(values.items())))), encoding="utf-8")
    tmp.replace(path)
