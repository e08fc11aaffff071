"""Command-line subcommands of the move-in area."""
from __future__ import annotations

from pathlib import Path


def register(sub, groups):
    p = sub.add_parser("movein", help="入住办理进度", parents=[groups["common"]])
    p.add_argument("--event", type=int, help="交房活动编号（默认：全部房屋）")
    p.set_defaults(handler=board)
    pr = groups["print"]
    n = pr.add_parser("movein-notice", help="批量打印入住通知书", parents=[groups["common"]])
    n.add_argument("--event", type=int, required=True, help="交房活动编号")
    n.add_argument("--out", required=True)
    n.set_defaults(handler=print_notices)
    f = pr.add_parser("movein-form", help="打印入住手续书/验房单/房屋交接书/钥匙移交清单", parents=[groups["common"]])
    f.add_argument("--home", required=True, help="房号")
    f.add_argument("--form", required=True, choices=sorted(FORMS))
    f.add_argument("--out", required=True)
    f.set_defaults(handler=print_form)
    r = pr.add_parser("repair-order", help="打印工程质量维修单", parents=[groups["common"]])
    r.add_argument("--number", required=True, help="维修单号，如 WX2026-00001")
    r.add_argument("--out", required=True)
    r.set_defaults(handler=print_repair_order)


FORMS = {"procedure": ("procedure_pdf", "入住手续书"), "inspection": ("inspection_pdf", "验房单"),
         "handover": ("handover_doc_pdf", "房屋交接书"), "keys": ("key_list_pdf", "钥匙移交清单")}


def board(args, ctx):
    from app.movein.events import events, progress_board
    b = progress_board(event_id=args.event)
    if args.event is None:
        for ev in events():
            print(f"活动 {ev.id}：{ev.name}  {ev.start_date} 至 {ev.end_date}")
    print("　".join(f"{k} {v}" for k, v in b.counts.items()))
    for r in b.rows:
        if r.stage != "待办理":
            defects = f"  缺陷{r.open_defects}项" if r.open_defects else ""
            print(f"{r.room_code:<10}{r.owner_name:<8}{r.stage}{defects}")
    return 0


def print_notices(args, ctx):
    from app.core.errors import NotFound
    from app.movein.prints import notice_pdf
    from app.printing.base import write_pdf
    from models.movein import HandoverEvent
    if HandoverEvent.get_or_none(HandoverEvent.id == args.event) is None:
        raise NotFound(f"交房活动：找不到编号 {args.event}")
    write_pdf(notice_pdf(ctx, args.event), args.out)
    print(f"已生成入住通知书：{Path(args.out)}")
    return 0


def print_form(args, ctx):
    from app.core.errors import NotFound
    from app.movein import prints
    from app.movein.steps import handover_for_home
    from app.printing.base import write_pdf
    h = handover_for_home(args.home)
    if h is None:
        raise NotFound(f"房号 {args.home}：尚未办理入住")
    fn, title = FORMS[args.form]
    write_pdf(getattr(prints, fn)(ctx, h.id), args.out)
    print(f"已生成{title}：{Path(args.out)}")
    return 0


def print_repair_order(args, ctx):
    from app.core.errors import NotFound
    from app.movein.prints import repair_order_pdf
    from app.printing.base import write_pdf
    from models.movein import Defect
    d = Defect.get_or_none(Defect.order_number == args.number.strip().upper())
    if d is None:
        raise NotFound(f"维修单号：找不到 {args.number}")
    write_pdf(repair_order_pdf(ctx, d.id), args.out)
    print(f"已生成工程质量维修单：{Path(args.out)}")
    return 0
