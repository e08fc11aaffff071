"""Who may do what. Enforced in the services with ``require(ctx, action)``.

Roles: frontdesk 前台, area_manager 客服管理员, cashier 财务, manager 经理 (all actions), backup
备份账号 (only the backup, from the command line: the scheduled job's account).
An area adds its actions here, in its own section.
"""
from __future__ import annotations

from app.core.errors import PermissionDenied

FD, AM, CA, MG = "frontdesk", "area_manager", "cashier", "manager"
ALL = (FD, AM, CA, MG)
BK = "backup"   # the scheduled backup's account: may only back up (command line only)

ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    # action: (Chinese description, roles allowed)
    # owner archives
    "archive.view": ("查看业主档案", ALL),
    "archive.edit": ("编辑业主档案", (FD, AM, MG)),
    "archive.delete": ("删除业主档案", (MG,)),
    "archive.import": ("导入业主档案", (AM, MG)),
    "golive.balances": ("导入期初欠费与预存（上线）", (MG,)),
    "golive.signoff": ("上线检查签字确认", (MG,)),
    "golive.parking": ("导入车位与车辆（上线）", (MG,)),
    "archive.export": ("导出业主档案", (AM, MG)),
    "archive.visit": ("登记拜访", (FD, AM, MG)),
    "archive.familiarity": ("熟知率检查", (MG,)),
    "pii.view_full": ("查看完整身份证号和电话", (AM, MG)),
    "owner.anonymise": ("业主资料匿名化", (MG,)),
    "structure.edit": ("编辑楼栋房屋结构", (MG,)),
    # keys and loans
    "keys.view": ("查看钥匙登记", ALL),
    "keys.sign": ("钥匙借出与归还", (FD, AM, MG)),
    "keys.edit": ("编辑钥匙目录", (FD, MG)),
    "loans.view": ("查看借用登记", ALL),
    "loans.lend": ("物品借出与归还", (FD, AM, MG)),
    "loans.edit": ("编辑借用物品", (FD, MG)),
    # front-desk registers (parcels, visitors, goods-out passes)
    "frontdesk.view": ("查看前台登记", ALL),
    "frontdesk.export": ("导出前台登记", (FD, AM, MG)),
    "parcels.receive": ("代收快递登记与领取", (FD, AM, MG)),
    "parcels.waive": ("免收包裹保管费（需经理）", (MG,)),
    "visitors.register": ("来访登记", (FD, AM, MG)),
    "passes.issue": ("开具与作废物品放行条", (FD, AM, MG)),
    "passes.gate": ("门岗查验放行", (FD, AM, MG)),
    "contacts.edit": ("编辑通讯录", (FD, AM, MG)),
    "shiftlog.write": ("交接班记录", (FD, AM, MG)),
    "letting.edit": ("租售登记（房源、求租、看房、成交）", (FD, AM, MG)),
    "rounds.write": ("巡查记录", (FD, AM, MG)),
    # ledger
    "ledger.view": ("查看收费台账", ALL),
    "ledger.bill": ("计费（月度计费、抄表）", (CA, MG)),
    "ledger.charge": ("登记收费项目", (FD, AM, CA, MG)),
    "ledger.charge_items": ("编辑收费项目与标准（需经理）", (MG,)),
    "ledger.reading": ("录入抄表读数", (FD, AM, CA, MG)),
    "ledger.pay": ("收款开票", (CA, MG)),
    "ledger.refund": ("退款（押金退还）", (CA, MG)),
    "ledger.void": ("作废收据（需经理）", (MG,)),
    "ledger.reduce": ("申请减免", (FD, AM, CA, MG)),
    "ledger.reduce_approve": ("审批减免（需经理）", (MG,)),
    "ledger.dunning": ("催缴登记与通知", (AM, CA, MG)),
    "ledger.dunning_override": ("提前或未经二次通知发出三次通知（需经理）", (MG,)),
    "ledger.report": ("收费报表", (CA, MG)),
    "ledger.export": ("导出台账", (CA, MG)),
    # move-in
    "movein.view": ("查看入住办理", ALL),
    "movein.step": ("办理入住步骤", (FD, AM, MG)),
    "movein.event": ("集中交房活动管理", (MG,)),
    # renovation
    "renovation.view": ("查看装修管理", ALL),
    "renovation.edit": ("装修登记与巡查", (FD, AM, MG)),
    "renovation.approve": ("装修审批与验收", (MG,)),
    # service requests
    "service.view": ("查看报事投诉", ALL),
    "service.intake": ("受理报事投诉", (FD, AM, MG)),
    "service.handle": ("派工与处理", (FD, AM, MG)),
    "service.visit": ("回访", (FD, AM, MG)),
    "service.classify": ("投诉定性（有效/无效）", (MG,)),
    "service.edit": ("更正本人受理的报事投诉", (FD, AM, MG)),
    "service.edit_any": ("更正他人受理的报事投诉", (MG,)),
    "service.export": ("导出报事投诉登记表", (AM, MG)),
    # parking spaces, vehicles and car cards
    "parking.view": ("查看车位与车卡", ALL),
    "parking.edit": ("新增、修改车位", (AM, MG)),
    "parking.rent": ("车位出租与退租", (FD, AM, MG)),
    "parking.sell": ("登记车位售出（产权）与收回", (AM, MG)),
    "parking.card": ("车卡办理与注销", (FD, AM, MG)),
    # notices for the board
    "notices.view": ("查看公告栏", ALL),
    "notices.draft": ("起草公告", (FD, AM, MG)),
    "notices.approve": ("审批公告", (MG,)),
    "notices.post": ("打印、张贴与撤下公告", (FD, AM, MG)),
    "notices.template": ("编辑公告模板", (AM, MG)),
    "notices.report": ("打印项目月度工作报告", (MG,)),
    "notices.export": ("导出公告登记", (AM, MG)),
    # system
    "settings.edit": ("修改站点设置", (MG,)),
    "users.manage": ("账号管理", (MG,)),
    "backup.run": ("备份", (*ALL, BK)),
    "backup.restore": ("恢复数据库", (MG,)),
    "audit.view": ("查看审计日志", (MG,)),
    "site_key.sheet": ("打印站点密钥恢复单", (MG,)),
}


def allowed(role: str | None, action: str) -> bool:
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    return role in ACTIONS[action][1]


def require(ctx, action: str):
    """Raise PermissionDenied (a Chinese message) unless ctx.user's role may do *action*."""
    user = getattr(ctx, "user", None)
    role = getattr(user, "role", None)
    if not allowed(role, action):
        from models.users import ROLES
        who = ROLES.get(role, "未登录用户")
        raise PermissionDenied(f"权限不足：{who}不能{ACTIONS[action][0]}")
