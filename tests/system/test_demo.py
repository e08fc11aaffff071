"""Demo sites: exact counts of domain.md §1, valid identity numbers, realistic households."""
import datetime as dt

import pytest
from peewee import fn

from app.archives import search
from app.core.errors import StateError, ValidationError
from app.core.validation import check_id_number
from app.demo import sites as demo
from models.archive import ArchiveDocument, Visit
from models.people import HomeOwner, Owner, Resident
from models.property import Building, Cluster, Home, ParkingSpace
from models.users import User


@pytest.fixture
def tianlun(ctx):
    return demo.build_site(ctx, "tianlun", seed=1, extensions=False)


def test_tianlun_counts_and_settings(ctx, tianlun, data_dir):
    assert tianlun["homes"] == Home.select().count() == 292
    assert Building.select().count() == 25
    assert ParkingSpace.select().where(ParkingSpace.level == "地上").count() == 24
    assert ParkingSpace.select().where(ParkingSpace.level == "地下").count() == 78
    assert {h.house_type for h in Home.select()} == {"洋房", "叠加", "联排"}
    assert ctx.settings.get("site.name") == "天伦庄园"
    assert ctx.settings.get("site.address") == "郑州市惠济区开元路9号"
    assert ctx.settings.get("site.homes") == 292
    assert (ctx.settings.get("site.parking_above"), ctx.settings.get("site.parking_under")) == (24, 78)
    # the demo's own values are the office's changes (only what differs from the defaults is saved)
    saved = (data_dir / "settings.toml").read_text(encoding="utf-8")
    assert "郑州市惠济区开元路9号" in saved and "fee" not in saved


def test_tianlun_carries_the_sources_facts(ctx, tianlun):
    """Seed 000 items 14 and 20: a Zhengzhou site, not a Xi'an one."""
    get = ctx.settings.get
    assert (get("site.postcode"), get("site.police_station")) == ("450000", "新城派出所")
    assert (get("site.land_area"), get("site.floor_area")) == ("52024.33", "66038.99")
    assert "惠济区实验小学" in get("site.schools") and "郑州师范学院附属实验中学" in get("site.schools")
    assert get("company.name") == "河南省天伦物业管理有限公司"
    assert (get("company.legal_rep"), get("company.qualification"), get("company.service_standard")) == (
        "李玉兰", "二级资质", "一级服务标准")
    assert get("site.service_phone").startswith("0371-")
    landlines = [p for (p,) in Owner.select(Owner.phone2).tuples() if "-" in p]   # sealed: compared decrypted
    assert landlines and all(p.startswith("0371-") for p in landlines)
    employers = " ".join(e for (e,) in Owner.select(Owner.employer).tuples())
    assert "郑州" in employers and "西安" not in employers
    assert "西安" not in " ".join(str(get(k)) for k in ("site.address", "site.schools", "company.name"))


def test_tianlun_every_state_and_customer_category(ctx, tianlun):
    states = {s for (s,) in Home.select(Home.state).tuples()}
    assert states == {"未交付", "空置", "装修中", "已入住", "出租"}
    today = ctx.clock.today()
    bounds = [ctx.settings.get(k)
              for k in ("customer.new_months", "customer.settling_months", "customer.stable_months")]

    def category(d):  # months since moving in against the settings' boundaries (6/18/30)
        months = (today - d).days / 30.44
        return sum(months >= b for b in bounds)

    cats = {category(h.move_in_date) for h in Home.select().where(Home.move_in_date.is_null(False))}
    assert cats == {0, 1, 2, 3}
    # move-in dates spread over the past four years, none in the future
    oldest = Home.select(Home.move_in_date).where(Home.move_in_date.is_null(False)).order_by(Home.move_in_date).scalar()
    assert today - dt.timedelta(days=4 * 366) <= oldest < today - dt.timedelta(days=3 * 365)


def test_identity_numbers_valid_and_encrypted(ctx, tianlun):
    owners = list(Owner.select())
    assert len(owners) >= 292 - 8
    numbers = [ctx.vault.decrypt(o.id_enc) for o in owners]
    for o, n in zip(owners, numbers, strict=True):
        assert check_id_number(n) == n
        assert o.id_masked == n[:3] + "*" * 11 + n[-4:]
        assert o.id_tail == n[-4:]
        assert n not in o.id_enc
        # gender matches the 17th digit, birth date matches digits 7-14
        assert o.gender == ("男" if int(n[16]) % 2 else "女")
        assert o.birth_date == dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    assert len(set(numbers)) == len(numbers)
    for r in Resident.select().where(Resident.is_tenant == True):  # noqa: E712
        assert check_id_number(ctx.vault.decrypt(r.id_enc))


def test_households_are_realistic(ctx, tianlun):
    assert Resident.select().where(Resident.is_tenant == True).count() > 0  # noqa: E712
    let_homes = Home.select().where(Home.state == "出租")
    for h in let_homes:
        assert Resident.select().where((Resident.home == h) & (Resident.is_tenant == True)).count() >= 1  # noqa: E712
    key = Owner.select().where(Owner.is_key_customer == True)  # noqa: E712
    assert key.count() > 0 and all(o.key_customer_tags for o in key)
    arrears = Owner.select().where(Owner.arrears_flag == True)  # noqa: E712
    assert arrears.count() > 0 and all(o.arrears_reason for o in arrears)
    assert Owner.select().where(Owner.spouse_name != "").count() > 100
    assert Owner.select().where(Owner.employer != "").count() > 200
    # co-owned homes and owners of several homes both occur
    co = (HomeOwner.select(HomeOwner.home).group_by(HomeOwner.home).having(fn.COUNT(HomeOwner.id) > 1)).count()
    multi = (HomeOwner.select(HomeOwner.owner).group_by(HomeOwner.owner).having(fn.COUNT(HomeOwner.id) > 1)).count()
    assert co > 0 and multi > 0
    # homes not handed over have no owner
    assert HomeOwner.select().join(Home).where(Home.state == "未交付").count() == 0


def test_archive_mostly_complete_and_visits(ctx, tianlun):
    total = ArchiveDocument.select().count()
    on_file = ArchiveDocument.select().where(ArchiveDocument.on_file == True).count()  # noqa: E712
    assert 0.85 < on_file / total < 1.0
    assert Visit.select().where(Visit.kind == "入住三日回访").count() > 100
    assert Visit.select().where(Visit.kind == "重点客户拜访").count() > 0
    for v in Visit.select().where(Visit.kind == "入住三日回访"):
        assert 0 < (v.visit_date - v.home.move_in_date).days <= ctx.settings.get("customer.movein_visit_days")


def test_staff_accounts_and_area_managers(ctx, tianlun):
    roles = {u.role for u in User.select()}
    assert roles == {"manager", "frontdesk", "area_manager", "cashier"}
    assert User.get(User.username == "manager").display_name == "王经理"
    managers = {b.area_manager.display_name for b in Building.select()}
    assert len(managers) == 3 and all(b.area_manager.role == "area_manager" for b in Building.select())


def test_search_index_built(ctx, tianlun):
    owner = Owner.select().order_by(Owner.id).first()
    home_id = HomeOwner.get(HomeOwner.owner == owner).home_id
    assert home_id in search.search_home_ids(owner.name)
    assert home_id in search.search_home_ids(owner.id_tail)


def test_refuses_non_empty_database_and_unknown_site(ctx, tianlun):
    with pytest.raises(StateError, match="已有 292 户"):
        demo.build_site(ctx, "wanxing")
    with pytest.raises(ValidationError, match="演示小区"):
        demo.build_site(ctx, "nowhere")


@pytest.mark.slow
def test_wanxing_exact_cluster_counts(ctx):
    s = demo.build_site(ctx, "wanxing", seed=3)   # with every area's demo rows: counts still exact
    expected = {"A": ("罗马假日", 233, 184, 177), "B": ("巴黎春天", 379, 322, 316), "C": ("加州阳光", 432, 373, 366),
                "D": ("格林小镇", 602, 234, 0), "F": ("新城市广场", 219, 160, 124)}
    counts = demo.cluster_counts()
    for code, (name, homes, renovated, moved) in expected.items():
        assert Cluster.get(Cluster.code == code).name == name
        assert counts[code] == {"homes": homes, "renovated": renovated, "moved_in": moved}
        moved_db = Home.select().join(Cluster).where((Cluster.code == code) & Home.move_in_date.is_null(False)).count()
        assert moved_db == moved
    assert s["homes"] == Home.select().count() == 1865
    assert s["clusters"] == counts
    assert not Home.select().where(Home.state == "未交付").exists()   # all five clusters handed over
    assert ctx.settings.get("site.name") == "万兴现代城"
    assert ctx.settings.get("site.homes") == 1865
    assert s["seconds"] < 120   # a few seconds on an idle machine; generous for shared CI
    numbers = [ctx.vault.decrypt(enc) for (enc,) in Owner.select(Owner.id_enc).tuples()]
    assert all(check_id_number(n) == n for n in numbers) and len(set(numbers)) == len(numbers)
    # D 格林小镇 has nobody moved in; the older clusters cover every customer category
    today = ctx.clock.today()
    months = {int((today - d).days / 30.44) for (d,) in Home.select(Home.move_in_date)
              .where(Home.move_in_date.is_null(False)).tuples()}
    assert min(months) < 6 and max(months) >= 30


@pytest.mark.slow
def test_extensions_run(ctx):
    s = demo.build_site(ctx, "tianlun", seed=5)
    assert Home.select().count() == 292
    # every area's populate ran (one that fails is reported: test_a_failing_area_is_reported…)
    assert s["extension_errors"] == []
    assert s["extensions"] == list(demo.EXTENSIONS)
    assert Owner.select().count() > 280
    _looks_in_use(ctx)


def _looks_in_use(ctx):
    """The demo as a site in use (clock 2026-11-23): six months billed, most homes paid, some
    owing 1–2 months and some 3 or more, the dunning calendar worked, receipts by named staff."""
    from collections import Counter

    from app.ledger import arrears, billing, dunning
    from models.ledger import Charge, DunningRecord, Payment, Receipt
    from models.parking import Vehicle
    assert billing.billed_periods() == ["2026-10", "2026-09", "2026-08", "2026-07", "2026-06", "2026-05"]
    # the loan deposit posted by the loans demo did not stop the monthly billing
    assert Charge.select().where(Charge.item_code == "loan_deposit").exists()
    billed_homes = {h for (h,) in Charge.select(Charge.home).where(Charge.bill_period == "2026-10").tuples()}
    owing = arrears.home_arrears(ctx)
    months = Counter(min(a.months, 3) for a in owing)
    assert months[1] + months[2] >= 10 and months[3] >= 3, months
    assert len(owing) < 0.3 * len(billed_homes)            # most homes paid
    # receipts spread over the six months, each month's bills paid in that month
    by_month = Counter(r.issued_at.strftime("%Y-%m") for r in Receipt.select(Receipt.issued_at))
    assert all(by_month[m] > 150 for m in billing.billed_periods()), by_month
    assert by_month["2026-11"] > 0                         # arrears paid after the calls, prepayments
    # every receipt names a staff account, the routine ones the site's cashier; none says 命令行
    names = Counter(r.cashier_name for r in Receipt.select(Receipt.cashier_name))
    assert "命令行" not in names and "" not in names
    assert names.most_common(1)[0][0] == "赵丽"
    assert not Receipt.select().where(Receipt.cashier.is_null()).exists()
    # paid amounts equal the payment lines
    paid = dict(Payment.select(Payment.charge, fn.SUM(Payment.amount_fen))
                .where(Payment.kind.in_(["pay", "void", "prepay"])).group_by(Payment.charge).tuples())
    assert all(c.paid_fen == paid.get(c.id, 0) for c in Charge.select(Charge.id, Charge.paid_fen))
    # the dunning calendar: calls by the area managers, second and third notices each month
    stages = Counter((r.stage, r.record_date.strftime("%Y-%m")) for r in DunningRecord.select())
    for m in ("2026-10", "2026-11"):
        assert stages[(dunning.STAGE_PHONE, m)] > 0 and stages[(dunning.STAGE_SECOND, m)] > 0
        assert stages[(dunning.STAGE_THIRD, m)] > 0
    callers = {r.staff.role for r in DunningRecord.select().where(DunningRecord.stage == dunning.STAGE_PHONE)}
    assert callers == {"area_manager"}
    assert DunningRecord.select().where(DunningRecord.record_date > ctx.clock.today()).count() == 0
    assert Receipt.select().where(Receipt.issued_at > ctx.clock.now()).count() == 0
    _stage, board = dunning.board(ctx)
    assert board and any(r.third_notice for r in board)
    # Zhengzhou plates
    plates = [p for (p,) in Vehicle.select(Vehicle.plate).tuples()]
    assert plates and all(p.startswith("豫A") for p in plates)


def test_a_failing_area_is_reported_and_its_rows_rolled_back(ctx, monkeypatch):
    import random

    from models.property import Cluster

    def adds_a_cluster(ctx, rng):
        Cluster.create(code="K", name="保留的组团")

    def fails_half_way(ctx, rng):
        Cluster.create(code="X", name="回滚的组团")
        raise RuntimeError("坏了")

    monkeypatch.setattr(demo, "EXTENSIONS", {"good": adds_a_cluster, "bad": fails_half_way})
    done, failed = demo.run_extensions(ctx, random.Random(1))
    assert done == ["good"] and failed == [("bad", "RuntimeError: 坏了")]
    assert [c.code for c in Cluster.select()] == ["K"]


@pytest.mark.slow
def test_build_large(ctx):
    s = demo.build_large(ctx, homes=1000)
    assert s["homes"] == Home.select().count() == 1000
    assert Owner.select().count() == 1000
    o = Owner.select().order_by(Owner.id.desc()).first()
    assert check_id_number(ctx.vault.decrypt(o.id_enc))
    home_id = HomeOwner.get(HomeOwner.owner == o).home_id
    assert home_id in search.search_home_ids(o.phone)


def test_demo_accounts_sign_in_with_the_demo_password(ctx):
    from app.demo.sites import DEMO_PASSWORD, build_site
    from app.system.accounts import authenticate, needs_first_run
    build_site(ctx, "tianlun", extensions=False)
    assert not needs_first_run()
    user = authenticate(ctx, "zhaoli", DEMO_PASSWORD)
    assert user.role == "cashier"
