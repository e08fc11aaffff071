"""The forms of the five hand-over steps (身份核验, 签署协议, 缴纳物业费, 验房交接, 交付钥匙), each a
ui.common.forms.FormDialog calling its app.movein service; and what each step changes besides the
hand-over itself (the kinds of ui.common.runner.notify_changed)."""
from __future__ import annotations

from app.core.money import fmt_fen
from app.movein import api as movein
from ui.common.forms import FormDialog
from ui.common.ops import run_action

PAY_METHODS = ["现金", "银行卡", "转账"]
# besides "movein": the owner and the archive documents (archives), the prepayment and the meter start
# readings (ledger), the door keys leaving the register and the home's state (keys, archives)
STEP_CHANGES = {
    "identity": ("archives",),
    "agreements": ("archives",),
    "payment": ("ledger",),
    "inspection": ("archives", "ledger"),
    "keys": ("archives", "keys"),
}


def identity_form(tab, hid) -> FormDialog:
    p = movein.owner_prefill(hid)
    fields = [("name", "业主姓名", "text", p.get("name", "")),
              ("id_number", "身份证号", "text", ""),
              ("phone", "联系电话", "text", p.get("phone", "")),
              ("gender", "性别", "choice", p.get("gender") or "男", ["男", "女"]),
              ("employer", "工作单位", "text", p.get("employer", "")),
              ("id_checked", "已核对身份证原件", "check", True),
              ("copy_kept", "已留存身份证复印件及照片", "check", True),
              ("invoice_copy", "已留存购房发票复印件", "check", True)]
    intro = f"已登记身份证：{p['id_masked']}（留空则沿用）" if p.get("id_masked") else "填写业主信息表"

    def submit(v):
        data = {k: v[k] for k in ("name", "phone", "gender", "employer")}
        if v["id_number"] or not p.get("id_masked"):
            data["id_number"] = v["id_number"]
        return movein.do_identity(tab.ctx, hid, owner=data, id_checked=v["id_checked"],
                                  copy_kept=v["copy_kept"], invoice_copy=v["invoice_copy"])
    return FormDialog("身份核验", fields, submit, tab, intro)


def agreements_form(tab, hid) -> FormDialog:
    fields = [(code, name, "check", False) for code, name in movein.AGREEMENTS]
    return FormDialog("签署协议", fields, lambda v: movein.do_agreements(
        tab.ctx, hid, [c for c, ok in v.items() if ok]), tab, "请业主签署以下协议：")


def payment_form(tab, hid) -> FormDialog | None:
    amount = run_action(tab, movein.prepayment_amount, tab.ctx, tab.current_home_id)
    if amount is None:
        return None
    p = movein.owner_prefill(hid)
    months = tab.ctx.settings.get("billing.prepay_months")
    fields = [("amount", "应收金额", "label", f"{fmt_fen(amount)} 元（{months}个月物业费）"),
              ("method", "付款方式", "choice", "现金", PAY_METHODS),
              ("payer", "交款人", "text", p.get("name", "")),
              ("reference", "转账/刷卡参考号", "text", "")]
    return FormDialog("缴纳物业费", fields, lambda v: movein.do_payment(
        tab.ctx, hid, v["method"], v["payer"], v["reference"]), tab)


def inspection_form(tab, hid) -> FormDialog:
    fields = [("signed", "业主已签署房屋交接书", "check", False),
              ("water", "水表起始读数", "text", ""), ("power", "电表起始读数", "text", ""),
              ("gas", "燃气表起始读数", "text", "")]
    return FormDialog("验房交接", fields, lambda v: movein.complete_inspection(
        tab.ctx, hid, v["signed"], {k: v[k] for k in ("water", "power", "gas")}), tab,
        "缺陷请先用“登记缺陷”逐项记录，再完成验房交接。")


def keys_form(tab, hid) -> FormDialog:
    p = movein.owner_prefill(hid)
    fields = [("receiver", "领取人", "text", p.get("name", "")),
              ("gifts", "礼品", "text", ""),
              ("manuals", "已交付使用说明书和质量保证书", "check", True),
              ("state", "交付后状态", "choice", "已入住", movein.STATES_AFTER)]
    return FormDialog("交付钥匙", fields, lambda v: movein.do_keys(
        tab.ctx, hid, v["receiver"], v["gifts"], v["manuals"], v["state"]), tab)


FORMS = {"identity": identity_form, "agreements": agreements_form, "payment": payment_form,
         "inspection": inspection_form, "keys": keys_form}


def step_form(tab, step: str) -> FormDialog | None:
    """The form of *step* for the tab's current hand-over (None when it cannot be offered)."""
    return FORMS[step](tab, tab.current_handover_id)
