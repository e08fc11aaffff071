"""`propertydesk report daily|collection`: the cashier's daily report and the collection rate, printed
to a PDF (--out) or a printer (--printer, --copies: through propertydesk.cli.run_print)."""
from __future__ import annotations

from pathlib import Path


def register(sub, groups):
    p = sub.add_parser("report", help="收费报表：日报、收费率", parents=[groups["common"]])
    p.add_argument("kind", choices=("daily", "collection"), help="daily 收费日报；collection 月度收费率")
    p.add_argument("--date", help="日报日期 YYYY-MM-DD（默认今天）；收费率：统计截至该日")
    p.add_argument("--month", help="收费率月份 YYYY-MM")
    p.add_argument("--out", help="输出PDF文件")
    p.set_defaults(handler=run, pdf_kind="a4")


def run(args, ctx):
    from app.core.errors import ValidationError
    from app.core.money import fmt_fen
    from app.core.validation import parse_date
    from app.ledger import reports as lr
    from app.printing.base import write_pdf
    day = parse_date(args.date, "日期") if args.date else None
    if args.kind == "daily":
        day = day or ctx.clock.today()
        r = lr.daily_report(ctx, day)
        print(f"{day} 收费日报：票据 {len(r.receipts)} 张（作废 {r.voided}），收据合计 {fmt_fen(r.receipts_fen)} 元，"
              f"退款 {fmt_fen(r.refunds_fen)} 元，实收净额 {fmt_fen(r.net_fen)} 元")
        for k, v in r.by_method:
            print(f"  {k}：{fmt_fen(v)} 元")
        if r.reductions:
            print(f"  减免（不计实收）：{r.reductions} 笔，{fmt_fen(r.reductions_fen)} 元")
        if args.out:
            write_pdf(lr.report_pdf(ctx, "daily", day=day), args.out)
            _written(args)
        return 0
    if not args.month:
        raise ValidationError("--month", "请指定月份，如 2026-11")
    rep = lr.collection_rate(ctx, args.month, day)
    print(f"{rep.period} 收费率（目标 {rep.target_pct}%）：全小区 {rep.total.rate_text}，"
          f"应收 {fmt_fen(rep.total.billed_fen)} 元，实收 {fmt_fen(rep.total.collected_fen)} 元")
    for r in rep.by_cluster + rep.by_manager:
        print(f"  {r.name:<16}{r.rate_text:>8}  {_target_words(r.meets_target)}")
    if args.out:
        write_pdf(lr.report_pdf(ctx, "collection", period=args.month, as_of=day), args.out)
        _written(args)
    return 0


def _target_words(meets) -> str:
    return "无应收" if meets is None else ("达标" if meets else "未达标")


def _written(args):
    if not getattr(args, "out_is_temporary", False):  # a temporary file goes to --printer, then away
        print(f"已生成：{Path(args.out).resolve()}")
