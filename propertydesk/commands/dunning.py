"""`propertydesk dunning`: the calendar stage and households in arrears on a date, or a batch of
second/third notices printed per building — to a PDF (--out) or a printer (--printer, --copies: the
通知单 kind's paper and offset, through the one print path of propertydesk.cli.run_print). A stage
issued again in the same month needs --again; a third notice before its day or without a second
notice needs the manager's --override-reason. --visit / --escalate record a door-to-door visit or a
problem handed to the manager in the dunning record."""
from __future__ import annotations

import time
from pathlib import Path

# app.ledger.dunning.VISIT_OUTCOMES, spelled here so building the parser imports no service
# (tests/system/test_cli_imports.py keeps the two equal)
VISIT_OUTCOMES = ("承诺缴费", "当场缴费", "未遇业主", "拒缴", "有投诉", "其他")


def register(sub, groups):
    p = sub.add_parser("dunning", help="催缴：欠费户及所处阶段，或批量打印二次/三次通知单", parents=[groups["common"]])
    p.add_argument("--date", help="日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--stage", type=int, choices=(2, 3), help="打印通知：2 二次通知，3 三次通知（含滞纳金）")
    p.add_argument("--building", help="只打印该楼栋（楼号，如 5）")
    p.add_argument("--out", help="通知单PDF文件")
    p.add_argument("--again", action="store_true", help="本月已发过该阶段通知的住户再次发出")
    p.add_argument("--override-reason", default="", help="经理特批：提前或未经二次通知发出三次通知的原因")
    p.add_argument("--visit", metavar="房号", help="登记上门催缴（配合 --outcome、--notes）")
    p.add_argument("--outcome", default="", help="上门结果：" + "、".join(VISIT_OUTCOMES))
    p.add_argument("--notes", default="", help="说明")
    p.add_argument("--escalate", metavar="房号", help="催缴中遇到的问题转经理（配合 --problem）")
    p.add_argument("--problem", default="", help="需经理处理的问题")
    p.add_argument("--arrears-list", choices=("manager", "building"),
                   help="欠费清单：manager 按客服管理员、building 按楼栋（配合 --out PDF 或 --xlsx）")
    p.add_argument("--xlsx", help="欠费清单Excel文件")
    p.set_defaults(handler=run, pdf_kind="notice")


def _record(args, ctx) -> int:
    from app.archives.homes import home_by_room
    from app.ledger import dunning
    if args.visit:
        home = home_by_room(args.visit, "--visit")
        r = dunning.log_visit(ctx, home.id, args.outcome, args.notes)
        print(f"已登记 {home.room_code} 上门催缴：{r.outcome}")
    else:
        home = home_by_room(args.escalate, "--escalate")
        r = dunning.hand_to_manager(ctx, home.id, args.problem)
        print(f"已将 {home.room_code} 的问题转经理：{r.outcome}")
    return 0


def _arrears_list(args, ctx, day, building_id) -> int:
    from app.core.errors import ValidationError
    from app.ledger import arrears_lists
    from app.printing.base import write_pdf
    if not (args.out or args.xlsx):
        raise ValidationError("--out", "欠费清单须指定PDF文件（--out）、打印机（--printer）或Excel文件（--xlsx）")
    only = {"building_id": building_id} if building_id else {}
    if args.xlsx:
        n = arrears_lists.arrears_list_xlsx(ctx, args.xlsx, day, args.arrears_list, **only)
        print(f"已导出欠费清单 {n} 户：{Path(args.xlsx).resolve()}")
    if args.out:
        write_pdf(arrears_lists.arrears_list_pdf(ctx, day, args.arrears_list, **only), args.out)
        where = "" if getattr(args, "out_is_temporary", False) else f"：{Path(args.out).resolve()}"
        print(f"已生成欠费清单{where}")
    return 0


def run(args, ctx):
    from app.core.errors import StateError, ValidationError
    from app.core.money import fmt_fen
    from app.core.validation import parse_date
    from app.ledger import dunning
    from app.printing.base import write_pdf
    from models.property import Building
    if args.visit or args.escalate:
        if args.stage or (args.visit and args.escalate):
            raise ValidationError("--visit", "登记上门、转经理与打印通知须分开进行")
        return _record(args, ctx)
    day = parse_date(args.date, "日期") if args.date else ctx.clock.today()
    building_id = None
    if args.building:
        b = Building.get_or_none(Building.code == args.building.replace("号楼", "").strip())
        if b is None:
            raise ValidationError("楼栋", f"找不到楼栋“{args.building}”")
        building_id = b.id
    if args.arrears_list:
        return _arrears_list(args, ctx, day, building_id)
    if getattr(args, "printer", None) and not args.stage:
        raise ValidationError("--printer", "只有打印通知单（--stage 2 或 3）时才能指定打印机")
    if args.stage:
        if not args.out:
            raise ValidationError("--out", "打印通知单须指定输出文件（--out）或打印机（--printer）")
        t0 = time.perf_counter()
        try:
            n, pdf = dunning.notices_pdf(ctx, day, args.stage, building_id, again=args.again,
                                         override_reason=args.override_reason)
        except StateError as exc:
            raise StateError(f"{exc}（确需再次发出请加 --again）") from exc
        if not n:
            print("没有需要发出通知的欠费住户"
                  + ("（三次通知只发给本月已发二次通知的住户）。" if args.stage == dunning.STAGE_THIRD else "。"))
            return 0
        write_pdf(pdf, args.out)
        where = "" if getattr(args, "out_is_temporary", False) else f"：{Path(args.out).resolve()}"
        print(f"已生成{dunning.STAGES[args.stage]} {n} 份（{time.perf_counter() - t0:.1f} 秒）{where}")
        return 0
    stage, rows = dunning.board(ctx, day, building_id=building_id)
    print(f"{day} 催缴阶段：{dunning.STAGES[stage]}；欠费 {len(rows)} 户，"
          f"合计 {fmt_fen(sum(r.owed_fen for r in rows))} 元")
    for r in rows:
        print(f"{r.room_code:<10}{r.owners:<10}{fmt_fen(r.owed_fen):>12} 元  {r.months}个月  "
              f"{r.area_manager:<6} {r.next_action}")
    return 0
