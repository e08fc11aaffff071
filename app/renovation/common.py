"""Renovation management (装修管理, domain.md §4): what every stage shares — the states, the
look-ups, input clean-up and the names of the staff who recorded a step.

The nine stages from application to deposit refund live in the modules of this package:
application (1 application, 2 approval, 4 tests and fire-safety undertaking, 5 permit), fees
(3 fees, read from the ledger), passes (5 worker passes, 8 passes returned), works (6 patrols and
notices, 7 completion and first inspection, 9 second inspection), closing (9 deposit refund and
abandonment), progress (the stage board), lists (lists, deadlines, spot checks) and prints (the
forms). A renovation may be abandoned part way.
"""
from __future__ import annotations

from app.core import audit
from app.core.errors import ValidationError
from app.core.lookup import get_or_404
from app.core.money import parse_yuan
from app.core.permissions import allowed, require
from models.property import Home
from models.renovation import Renovation, RenovationWorker
from models.users import User

SOURCE = "renovation"
ACTIVE_STATES = ("待审批", "已批准", "施工中", "已完工", "初验通过", "已复验")
CLOSED_STATES = ("已驳回", "已结案", "已放弃")
STAGES = ["申请", "审批", "缴费", "闭水/打压试验", "许可证与出入证", "施工与巡查", "竣工初验", "退证退押",
          "复验与退保证金"]


def user_id(ctx):
    return getattr(ctx.user, "id", None)


def renovation_or_404(reno_id) -> Renovation:
    return get_or_404(Renovation, reno_id, message=f"装修登记 {reno_id} 不存在")


def worker_or_404(worker_id) -> RenovationWorker:
    return get_or_404(RenovationWorker, worker_id, message=f"施工人员 {worker_id} 不存在")


def snapshot(r) -> dict:
    return audit.model_dict(r)


def clean_text(value, field_label, required=True, max_len=500) -> str:
    s = str(value or "").strip()
    if required and not s:
        raise ValidationError(field_label, "不能为空")
    if len(s) > max_len:
        raise ValidationError(field_label, f"不能超过{max_len}个字")
    return s


def amount_fen(value, field_label) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValidationError(field_label, "不能为负数")
        return value
    return parse_yuan(value, field_label)


def home_state_after_works(home: Home, before: str) -> str:
    if before and before not in ("装修中", "未交付"):
        return before
    return "已入住" if home.move_in_date else "空置"


def user_names(ids) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.display_name for u in User.select(User.id, User.display_name).where(User.id.in_(ids))}


def user_name(user_id) -> str:
    return user_names([user_id]).get(user_id, "")


def may(ctx, action) -> bool:
    return allowed(getattr(ctx.user, "role", None), action)


def get(ctx, reno_id) -> Renovation:
    require(ctx, "renovation.view")
    return renovation_or_404(reno_id)
