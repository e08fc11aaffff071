"""Command-line subcommands of the front-desk registers: ``parcels``, ``visitors``, ``passes``,
``contacts``, ``shifts``, ``letting``, ``rounds`` and their prints (``print parcels-day``, ``visitors-day``,
``goods-pass``, ``passes-day``, ``contacts``, ``site-facts``, ``shift-day``, ``letting``, ``rounds-day``)."""


def _date(text):
    if not text:
        return None
    from app.core.validation import parse_date
    return parse_date(text, "--date")


def register(sub, groups):
    c = groups["common"]
    p = sub.add_parser("parcels", help="代收快递：列出待取包裹（存放时长、保管费，超时标出）", parents=[c])
    p.add_argument("--overdue", action="store_true", help="只列超过免费保管期的")
    p.add_argument("--room", help="只列该房号的")
    p.set_defaults(handler=parcels_waiting)
    p = sub.add_parser("visitors", help="来访登记：列出仍在小区内的访客（--date 列出当日登记）", parents=[c])
    p.add_argument("--date", help="列出该日的来访登记（YYYY-MM-DD）")
    p.set_defaults(handler=visitors_list)
    p = sub.add_parser("passes", help="物品放行条：列出已开具、仍有效的放行条（--all 最近90天全部）", parents=[c])
    p.add_argument("--all", action="store_true", help="最近90天开具的全部放行条")
    p.set_defaults(handler=passes_list)
    for name, help_, handler in (("parcels-day", "代收快递登记表（当日）", print_parcels_day),
                                 ("visitors-day", "来访人员登记表（当日）", print_visitors_day),
                                 ("passes-day", "物品放行登记表（当日）", print_passes_day)):
        r = groups["print"].add_parser(name, help=help_, parents=[c])
        r.add_argument("--date", help="日期（默认今天）")
        r.add_argument("--out", help="PDF 文件路径")
        r.set_defaults(handler=handler)
    p = sub.add_parser("contacts", help="通讯录：列出常用电话（单位、负责人、电话）", parents=[c])
    p.add_argument("--search", default="", help="只列含这些字的（单位、负责人、电话、类别）")
    p.set_defaults(handler=contacts_list)
    for name, help_, handler in (("contacts", "客服中心常用电话表", print_contacts),
                                 ("site-facts", "项目概况（站点设置）", print_site_facts)):
        r = groups["print"].add_parser(name, help=help_, parents=[c])
        r.add_argument("--out", help="PDF 文件路径")
        r.set_defaults(handler=handler)
    p = sub.add_parser("shifts", help="交接班记录：列出当日的交接班（--date 指定日期）与当前未结事项", parents=[c])
    p.add_argument("--date", help="日期（YYYY-MM-DD，默认今天）")
    p.set_defaults(handler=shifts_list)
    r = groups["print"].add_parser("shift-day", help="交接班记录（当日，A4）", parents=[c])
    r.add_argument("--date", help="日期（默认今天）")
    r.add_argument("--out", help="PDF 文件路径")
    r.set_defaults(handler=print_shift_day)
    p = sub.add_parser("letting", help="租售登记：列出在租售的房源（--seekers 列出求租求购登记）", parents=[c])
    p.add_argument("--seekers", action="store_true", help="列出未成交的求租、求购登记")
    p.set_defaults(handler=letting_list)
    r = groups["print"].add_parser("letting", help="租售房源登记表（在租售）", parents=[c])
    r.add_argument("--out", help="PDF 文件路径")
    r.set_defaults(handler=print_letting)
    p = sub.add_parser("rounds", help="巡查记录：列出待跟进的巡查发现（--date 列出当日巡查）", parents=[c])
    p.add_argument("--date", help="列出该日的巡查记录（YYYY-MM-DD）")
    p.set_defaults(handler=rounds_list)
    r = groups["print"].add_parser("rounds-day", help="巡查记录表（当日）", parents=[c])
    r.add_argument("--date", help="日期（默认今天）")
    r.add_argument("--out", help="PDF 文件路径")
    r.set_defaults(handler=print_rounds_day)
    r = groups["print"].add_parser("goods-pass", help="物品放行条（含存根）", parents=[c])
    r.add_argument("--number", required=True, help="放行条编号，如 FX2026-000001")
    r.add_argument("--out", help="PDF 文件路径")
    r.set_defaults(handler=print_goods_pass)


def parcels_waiting(args, ctx):
    from app.frontdesk import parcels
    rows = parcels.waiting_for_home(ctx, args.room) if args.room else parcels.waiting_parcels(ctx)
    if args.overdue:
        rows = [r for r in rows if r["overdue"]]
    for r in rows:
        mark = "【超时】" if r["overdue"] else ""
        fee = f"  保管费 {r['fee']} 元" if r["fee"] else ""
        print(f"{mark}{r['number']}  {r['room_code']} {r['recipient']}  {r['carrier']} {r['tracking_no']}  "
              f"{r['size']} {r['place']}  收件 {r['received_at']}  已存放 {r['age']}{fee}")
    late = sum(1 for r in rows if r["overdue"])
    print(f"共 {len(rows)} 件包裹待取，其中超时 {late} 件")
    return 0


def visitors_list(args, ctx):
    from app.frontdesk import visitors
    day = _date(args.date)
    rows = visitors.day_visitors(ctx, day) if day else visitors.inside(ctx)
    for r in rows:
        where = " ".join(x for x in (r["room_code"], r["host"]) if x)
        out = f"离开 {r['left_at']}" if r["left_at"] else f"在内 {r['stay']}"
        extra = "".join(x for x in (f"  同行{r['companions']}人" if r["companions"] else "",
                                    f"  车牌 {r['plate']}" if r["plate"] else ""))
        print(f"{r['name']}  {r['id_text']}  访 {where}  {r['reason']}{extra}  来访 {r['entered_at']}  {out}")
    inside = sum(1 for r in rows if r["inside"])
    what = f"{day:%Y-%m-%d} 来访 {len(rows)} 人次" if day else f"仍在小区内 {len(rows)} 人次"
    print(f"{what}" + (f"，其中未离开 {inside} 人次" if day else ""))
    return 0


def passes_list(args, ctx):
    from app.frontdesk import passes
    rows = passes.pass_register(ctx) if args.all else passes.open_passes(ctx)
    for r in rows:
        plate = f"  车牌 {r['plate']}" if r["plate"] else ""
        used = f"  放行 {r['used_at']} {r['checked_by']}" if r["used_at"] else ""
        print(f"{r['number']}  {r['status']}  {r['room_code']} {r['consent_by']}（{r['consent']}）  "
              f"{r['items_short']}  搬运 {r['carrier']}{plate}  有效期至 {r['valid_date']}{used}")
    print(f"共 {len(rows)} 张放行条" + ("（最近90天）" if args.all else "有效待放行"))
    return 0


def contacts_list(args, ctx):
    from app.frontdesk.contacts import list_contacts
    rows = list_contacts(ctx, args.search)
    for r in rows:
        extra = "".join(x for x in (f"  {r['person']}" if r["person"] else "",
                                    f"  备用 {r['phone2']}" if r["phone2"] else "",
                                    f"  {r['address']}" if r["address"] else ""))
        print(f"【{r['category']}】{r['name']}  {r['phone']}{extra}")
    print(f"共 {len(rows)} 个联系单位")
    return 0


def print_contacts(args, ctx):
    from app.frontdesk.prints import phone_list_pdf
    return _write(args, phone_list_pdf(ctx))


def print_site_facts(args, ctx):
    from app.frontdesk.prints import site_facts_pdf
    return _write(args, site_facts_pdf(ctx))


def _write(args, pdf):
    from app.printing.base import write_pdf
    print(f"已生成：{write_pdf(pdf, args.out)}")
    return 0


def print_parcels_day(args, ctx):
    from app.frontdesk.prints import parcels_day_pdf
    return _write(args, parcels_day_pdf(ctx, _date(args.date)))


def print_visitors_day(args, ctx):
    from app.frontdesk.prints import visitors_day_pdf
    return _write(args, visitors_day_pdf(ctx, _date(args.date)))


def print_passes_day(args, ctx):
    from app.frontdesk.prints import passes_register_pdf
    return _write(args, passes_register_pdf(ctx, _date(args.date)))


def print_goods_pass(args, ctx):
    from app.frontdesk.passes import find_by_number
    from app.frontdesk.prints import goods_pass_pdf
    return _write(args, goods_pass_pdf(ctx, find_by_number(args.number).id))


def shifts_list(args, ctx):
    from app.frontdesk import shifts
    day = _date(args.date) or ctx.clock.today()
    rows = shifts.day_entries(ctx, day)
    for r in rows:
        if r["kind"] == "更正":
            print(f"{r['number']}  更正 {r['corrects']}  {r['handed_at']} {r['handed_name']}：{r['events']}"
                  + (f"  更正后现金 {r['cash']} 元" if r["cash"] else ""))
            continue
        cash = (f"现金 {r['cash']} 元（应有 {r['expected']}，{r['diff']}）" if r["cash"]
                else f"未清点（应有 {r['expected']}）")
        print(f"{r['number']}  {r['shift']} {r['hours']}  {r['handed_name']} → {r['taken_name']}  {r['handed_at']}  "
              f"{cash}  当日收款 {r['receipts']} 元")
        print(f"    记事：{r['events']}" + (f"  移交：{r['pending']}" if r["pending"] else ""))
    cur = shifts.current_shift(ctx)
    print(f"{day:%Y-%m-%d} 共 {len(rows)} 条交接班记录；当前 {cur['shift']}（{cur['hours']}）")
    print("当前未结：" + shifts.items_text(shifts.open_items(ctx)))
    return 0


def print_shift_day(args, ctx):
    from app.frontdesk.prints import shift_day_pdf
    return _write(args, shift_day_pdf(ctx, _date(args.date)))


def letting_list(args, ctx):
    from app.frontdesk import letting
    if args.seekers:
        rows = letting.seekers(ctx)
        for r in rows:
            budget = f"  预算 {r['budget']} 元" if r["budget"] else ""
            print(f"{r['number']}  {r['name']} {r['phone']}  {r['wants']}{budget}  "
                  f"{r['needs']}  登记 {r['created_at']}")
        print(f"共 {len(rows)} 人求租、求购（未成交）")
        return 0
    rows = letting.on_offer(ctx)
    for r in rows:
        terms = f"  {r['terms']}" if r["terms"] else ""
        print(f"{r['number']}  {r['room_code']}  {r['kind']} {r['price']}  {r['available_from']}起  "
              f"业主 {r['owner_name']}{terms}")
    print(f"共 {len(rows)} 套房源在租售")
    return 0


def print_letting(args, ctx):
    from app.frontdesk.prints import letting_pdf
    return _write(args, letting_pdf(ctx))


def rounds_list(args, ctx):
    from app.frontdesk import rounds
    day = _date(args.date)
    rows = rounds.day_rounds(ctx, day) if day else rounds.open_rounds(ctx)
    for r in rows:
        follow = f"  跟进：{r['follow_up']}" if r["follow_up"] else ""
        done = f"  已处理 {r['handled_at']}：{r['result']}" if not r["open"] else "  【待跟进】"
        print(f"{r['number']}  {r['at']}  {r['place']}  {r['found']}{follow}  巡查人 {r['patrolled_by']}{done}")
    print(f"{day:%Y-%m-%d} 巡查记录 {len(rows)} 项" if day else f"共 {len(rows)} 项巡查发现待跟进")
    return 0


def print_rounds_day(args, ctx):
    from app.frontdesk.prints import rounds_day_pdf
    return _write(args, rounds_day_pdf(ctx, _date(args.date)))
