"""Letting agency (租售登记): listings and seekers in the ledger, matching by kind and budget, a
viewing refused until the seeker signed the fee agreement, the deal in one transaction with the
meters read and the agency fee (月租金 × 40 % / 50 %, site settings) charged in the fee ledger."""
import datetime as dt

import pytest

from app.core.errors import PermissionDenied, StateError, ValidationError
from app.frontdesk import letting, prints
from models.frontdesk import LettingDeal, LettingListing, LettingSeeker
from models.ledger import Charge
from models.users import AuditLog
from tests.helpers.keys import DEFAULT_HOMES, make_homes
from tests.helpers.pdf import pdf_text


@pytest.fixture
def homes(ctx):
    return make_homes(DEFAULT_HOMES)


def _listing(ctx, **kw):
    data = {"room_code": "5-201", "kind": "出租", "price": "2,350", "available_from": "2026-12-01",
            "owner_name": "刘女士", "terms": "家电齐全，一年起租"}
    return letting.add_listing(ctx, {**data, **kw})


def _seeker(ctx, **kw):
    data = {"name": "陈明", "phone": "13912345678", "kind": "出租", "needs": "两室，近学校", "budget": "2500"}
    return letting.add_seeker(ctx, {**data, **kw})


def test_listings_seekers_and_matching(ctx, homes):
    a = _listing(ctx)
    _listing(ctx, room_code="5-202", price="3000", owner_name="马先生")
    _listing(ctx, room_code="5-301", kind="出售", price="1,200,000", owner_name="周先生")
    assert (a.number, a.price_fen, a.status) == ("ZL2026-000001", 235000, "在租售")
    with pytest.raises(ValidationError) as e:
        _listing(ctx)
    assert e.value.field == "房号" and "已有在租售" in str(e.value)
    with pytest.raises(ValidationError) as e:
        _listing(ctx, room_code="5-102", price="")
    assert e.value.field == "月租金"
    s = _seeker(ctx)
    assert s.number == "QZ2026-000001" and s.phone == "13912345678"
    with pytest.raises(ValidationError) as e:
        _seeker(ctx, phone="")
    assert e.value.field == "联系电话"
    assert [r["room_code"] for r in letting.matches_for(ctx, s.id)] == ["5-201"]       # 3000 over the budget
    rows = letting.on_offer(ctx)
    assert [r["price"] for r in rows] == ["2,350.00 元/月", "3,000.00 元/月", "1,200,000.00 元"]
    assert letting.seekers(ctx)[0]["phone"] == "139****5678"
    gone = letting.withdraw_listing(ctx, rows[1]["id"], "业主自行出租")
    assert gone.status == "已撤回" and len(letting.on_offer(ctx)) == 2
    with pytest.raises(StateError):
        letting.withdraw_listing(ctx, gone.id, "再撤")


def test_viewing_needs_the_fee_agreement_and_the_deal_charges_the_fee(ctx, homes):
    a, s = _listing(ctx), _seeker(ctx)
    with pytest.raises(StateError) as e:                 # no viewing yet
        letting.conclude(ctx, a.id, s.id, {"water": "123", "power": "4567"})
    assert "中介服务费协议" in str(e.value)
    with pytest.raises(ValidationError) as e:
        letting.book_viewing(ctx, a.id, s.id, {"at": "2026-11-24 10:00", "guide": "张管家"})
    assert e.value.field == "服务费协议"
    vw = letting.book_viewing(ctx, a.id, s.id, {"at": "2026-11-24 10:00", "guide": "张管家", "agreement_signed": True})
    assert vw.at == dt.datetime(2026, 11, 24, 10, 0)
    with pytest.raises(ValidationError) as e:
        letting.conclude(ctx, a.id, s.id, {"water": "123"})
    assert e.value.field == "电表读数"
    deal = letting.conclude(ctx, a.id, s.id, {"price": "2,300", "start_date": "2026-12-01", "rate": "业主价",
                                             "water": "123", "power": "4567"})
    assert (deal.price_fen, deal.fee_pct, deal.fee_fen) == (230000, 40, 92000)
    charge = Charge.get_by_id(deal.charge_id)
    assert (charge.item_code, charge.amount_fen, charge.source, charge.source_id, charge.home_id) == (
        "service_letting", 92000, "letting", deal.id, homes["5-201"].id)
    assert LettingListing.get_by_id(a.id).status == "已成交" and LettingSeeker.get_by_id(s.id).status == "已成交"
    row = AuditLog.select().where(AuditLog.action == "letting.deal").get()
    assert row.entity_id == str(a.id)
    with pytest.raises(StateError):
        letting.conclude(ctx, a.id, s.id, {"water": "1", "power": "2"})
    assert LettingDeal.select().count() == 1 and letting.deals(ctx)[0]["fee"] == "920.00"


def test_market_rate_follows_the_setting_and_a_sale_has_no_fee(ctx, homes):
    ctx.settings.set("service_price.letting_market_pct", 55)
    a, s = _listing(ctx, price="1999.99"), _seeker(ctx)
    letting.book_viewing(ctx, a.id, s.id, {"agreement_signed": True})
    deal = letting.conclude(ctx, a.id, s.id, {"rate": "市场价", "water": "1", "power": "2"})
    assert (deal.fee_pct, deal.fee_fen) == (55, 109999)          # 199999 × 55 % = 109999.45 → 109999 fen (half up)
    sale, buyer = _listing(ctx, room_code="5-301", kind="出售", price="900000"), _seeker(ctx, kind="出售", name="吴丽")
    letting.book_viewing(ctx, sale.id, buyer.id, {"agreement_signed": True})
    d = letting.conclude(ctx, sale.id, buyer.id, {})
    assert d.fee_fen == 0 and d.charge_id is None
    with pytest.raises(ValidationError) as e:
        letting.fee_for(ctx, 1000, "优惠价")
    assert e.value.field == "收费标准"


def test_roles_and_the_printed_list(ctx, homes, as_role):
    with pytest.raises(PermissionDenied):
        _listing(as_role("cashier"))
    _listing(as_role("frontdesk"))
    text = pdf_text(prints.letting_pdf(ctx))
    assert "租售房源登记表" in text and "5-201" in text and "2,350.00" in text and "刘女士" in text
