"""Command-line subcommands of the parking area: ``parking spaces``, ``parking cards`` and
``print car-card``."""


def register(sub, groups):
    p = sub.add_parser("parking", help="车位与车卡", parents=[groups["common"]])
    ps = p.add_subparsers(dest="parking_command", metavar="WHAT", required=True)
    s = ps.add_parser("spaces", help="列出车位（位置、状态、房号、产权/租用人、车牌、车位费）",
                      parents=[groups["common"]])
    s.add_argument("--level", choices=["地上", "地下"], help="只列地上或地下车位")
    s.add_argument("--state", choices=["空闲", "已售", "已租"], help="只列该状态的车位")
    s.add_argument("--text", default="", help="车位编号、房号、业主姓名或车牌")
    s.set_defaults(handler=list_spaces)
    c = ps.add_parser("cards", help="列出车卡（默认只列有效的）", parents=[groups["common"]])
    c.add_argument("--text", default="", help="车牌、车卡号、房号、车位或车主")
    c.add_argument("--all", action="store_true", help="含已注销的车卡")
    c.set_defaults(handler=list_cards)
    r = groups["print"].add_parser("car-card", help="车卡办理登记表", parents=[groups["common"]])
    r.add_argument("--card", required=True, help="车卡号、登记表编号或车牌号")
    r.add_argument("--out", required=True, help="PDF 文件路径")
    r.set_defaults(handler=print_card)


def list_spaces(args, ctx):
    from app.parking.spaces import space_rows, summary
    rows = space_rows(ctx, args.level, args.state, args.text)
    for r in rows:
        who = f"  {r['room_code']} {r['holder_text']} {r['phone']}".rstrip() if r["room_code"] else ""
        plates = f"  车牌 {r['plates']}" if r["plates"] else ""
        print(f"{r['code']}  {r['level']}  {r['state']}{who}{plates}  {r['fee']} 元/月")
    s = summary(ctx)
    print(f"共 {len(rows)} 个车位；" + "；".join(
        f"{lv} 空闲 {s[lv]['空闲']} 已售 {s[lv]['已售']} 已租 {s[lv]['已租']}" for lv in ("地上", "地下")))
    return 0


def list_cards(args, ctx):
    from app.parking.cards import vehicle_rows
    rows = vehicle_rows(ctx, text=args.text, include_cancelled=args.all)
    for r in rows:
        print(f"{r['card_number']}  {r['plate']}  {r['room_code']} {r['driver_name']} {r['phone']}  车位 "
              f"{r['space_code'] or '—'}  {r['valid_from']:%Y-%m-%d} 至 {r['valid_until']:%Y-%m-%d}  {r['status']}")
    print(f"共 {len(rows)} 张车卡")
    return 0


def print_card(args, ctx):
    from app.parking.cards import car_card_pdf, vehicle_rows
    from app.parking.plates import SEPARATORS
    from app.printing.base import write_pdf
    key = args.card.strip().upper()
    plate = SEPARATORS.sub("", key)   # as printed on the plate: 豫A·12345
    rows = [r for r in vehicle_rows(ctx, include_cancelled=True)
            if key in (r["card_number"].upper(), r["number"].upper()) or plate == r["plate"]]
    if not rows:
        print(f"没有找到车卡“{args.card}”")
        return 1
    print(f"已生成：{write_pdf(car_card_pdf(ctx, rows[0]['id']), args.out)}")
    return 0
