"""The 催缴 board's writes: a batch of second or third notices (asked first when the stage was
issued this month already, and, for a third notice before its day or without a second notice, the
manager's reason), a door-to-door visit and a problem handed to the manager."""
from __future__ import annotations

from app.core.money import fmt_fen
from app.core.permissions import allowed
from app.ledger import dunning
from ui.common.forms import FormDialog
from ui.common.ops import confirm, info, run_action
from ui.common.print_preview import preview
from ui.common.runner import notify_changed


def _override_reason(tab, check) -> str | None:
    """The manager's reason to issue third notices outside the calendar; "" to keep to it; None: cancelled."""
    third_day = int(tab.ctx.settings.get("dunning.third_from_day"))
    why = []
    if check.too_early:
        why.append(f"今天未到每月{third_day}日")
    if check.without_second:
        why.append(f"{check.without_second} 户本月未发二次通知")
    role = getattr(tab.ctx.user, "role", None)
    if not allowed(role, "ledger.dunning_override"):
        if check.too_early:
            info(tab, f"三次通知须在每月{third_day}日及以后发出；如确需提前，请由经理办理。", "无法发出三次通知")
            return None
        return ""
    form = FormDialog("经理特批三次通知", [("reason", "特批原因", "text", "")],
                      lambda v: (v["reason"] or "").strip(), tab,
                      "；".join(why) + "。\n填写特批原因将向全部欠费住户发出三次通知（记入操作日志）；"
                      + ("留空则不能发出。" if check.too_early else "留空则只发给本月已发二次通知的住户。"))
    form.setObjectName("override_form")
    tab.last_form = form
    if not form.exec():
        return None
    return form.result_value or ""


def issue_notices(tab, stage: int) -> None:
    """打印二次通知 / 打印三次通知: check, ask, issue and preview the batch of the board's day and building."""
    from app.ledger.bulk_preview import notices_preview
    ctx, day, building = tab.ctx, tab.day.date().toPython(), tab.building.currentData()
    check = run_action(tab, dunning.notice_check, ctx, day, stage, building, title="无法打印通知")
    if check is None:
        return
    reason = ""
    if stage == dunning.STAGE_THIRD and (check.too_early or check.without_second):
        reason = _override_reason(tab, check)
        if reason is None:
            return
    again = False
    if check.issued_homes:
        if not confirm(tab, f"本月已有 {check.issued_homes} 户发出{dunning.STAGES[stage]}"
                            f"（共 {check.issued_notices} 份）。再次发出将为这些住户各增加一份新编号的通知。"
                            "\n\n确定再次发出吗？", "再次发出催缴通知"):
            return
        again = True
    options = {"again": again, "override_reason": reason}
    pre = run_action(tab, notices_preview, ctx, day, stage, building, title="无法打印通知", **options)
    if pre is None:
        return
    if not pre.lines:
        info(tab, "没有需要发出通知的欠费住户。")
        return
    if not confirm(tab, f"将向{tab.building.currentText()} {pre.homes} 户发出{dunning.STAGES[stage]}，"
                        f"{'欠费及滞纳金' if stage == dunning.STAGE_THIRD else '欠费'}合计 ¥{fmt_fen(pre.total_fen)}；"
                        "每份通知编号并记入催缴记录。\n\n确定发出吗？", "发出催缴通知"):
        return
    from ui.common.progress import ProgressRun

    def issued(result):
        n, pdf = result
        notify_changed(tab, "ledger")
        tab.refresh_board()
        tab.last_preview = preview(tab, pdf, f"{dunning.STAGES[stage]}（{n} 份）", f"催缴通知-{stage}.pdf",
                                   kind="notice")
    # the batch (every notice numbered, recorded and drawn) in the background, progress after 0.6 s
    tab.last_run = ProgressRun(tab, ctx, f"正在生成{dunning.STAGES[stage]}…", dunning.notices_pdf, ctx, day, stage,
                               building, cancellable=False, write=True, title="无法打印通知", **options).success(
        issued).run()


def record_visit(tab, row) -> bool:
    form = FormDialog(f"上门催缴：{row.room_code} {row.owners}",
                      [("outcome", "上门结果", "choice", dunning.VISIT_OUTCOMES[0], dunning.VISIT_OUTCOMES),
                       ("notes", "说明", "text", "")],
                      lambda v: dunning.log_visit(tab.ctx, row.home_id, v["outcome"], v["notes"]), tab,
                      f"欠费 {fmt_fen(row.owed_fen)} 元，{row.months} 个月")
    tab.last_form = form
    return bool(form.exec())


def hand_to_manager(tab, row) -> bool:
    form = FormDialog(f"问题转经理：{row.room_code} {row.owners}", [("problem", "问题说明", "text", "")],
                      lambda v: dunning.hand_to_manager(tab.ctx, row.home_id, v["problem"]), tab,
                      "催缴中遇到的问题（如业主投诉、拒缴理由）交经理处理，记入催缴记录。")
    tab.last_form = form
    return bool(form.exec())


def print_arrears_list(tab) -> None:
    """打印欠费清单: per building when one is chosen, else per area manager."""
    from app.ledger import arrears_lists
    day, building = tab.day.date().toPython(), tab.building.currentData()
    by, only = ("building", {"building_id": building}) if building else ("manager", {})
    pdf = run_action(tab, arrears_lists.arrears_list_pdf, tab.ctx, day, by, **only)
    if pdf:
        tab.last_preview = preview(tab, pdf, "欠费清单", f"欠费清单-{day}.pdf")


def export_arrears_list(tab) -> None:
    from PySide6.QtWidgets import QFileDialog

    from app.ledger import arrears_lists
    day, building = tab.day.date().toPython(), tab.building.currentData()
    by, only = ("building", {"building_id": building}) if building else ("manager", {})
    from ui.common.progress import ProgressRun
    path, _ = QFileDialog.getSaveFileName(tab, "导出欠费清单", f"欠费清单-{day}.xlsx", "Excel 文件 (*.xlsx)")
    if not path:
        return
    # in the background: progress after 0.6 s, 取消 between rows (no file kept)
    tab.last_run = ProgressRun(tab, tab.ctx, "正在导出欠费清单…", arrears_lists.arrears_list_xlsx, tab.ctx, path, day,
                               by, title="导出失败", **only).success(
        lambda n: info(tab, f"已导出欠费清单 {n} 户：{path}")).run()
