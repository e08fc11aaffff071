"""Demo rows of the parking area on the tianlun site: cards for attached spaces, valid plates."""
import random

import pytest

from app.demo import parking as demo_parking
from app.demo import sites as demo
from app.parking.cards import register_card, vehicle_rows
from app.parking.plates import check_plate
from models.parking import Vehicle
from models.people import ParkingOwner
from models.property import ParkingSpace


@pytest.fixture
def tianlun(ctx):
    demo.build_site(ctx, "tianlun", seed=1, extensions=False)
    demo_parking.populate(ctx, random.Random(1))
    return ctx


def test_demo_cards_belong_to_attached_spaces(tianlun):
    ctx = tianlun
    assert ParkingSpace.select().count() == 24 + 78
    cards = list(Vehicle.select())
    attached = ParkingSpace.select().where(ParkingSpace.home.is_null(False)).count()
    assert 0.5 * attached <= len(cards) <= attached + 1
    for x in cards:
        assert check_plate(x.plate) == x.plate
        s = ParkingSpace.get_by_id(x.space_id)
        assert s.home_id == x.home_id and s.state in ("已售", "已租")
        assert ParkingOwner.select().where((ParkingOwner.space == s.id) & (ParkingOwner.owner == x.owner_id)).exists()
    assert len({x.plate for x in cards}) == len(cards)
    assert any(len(x.plate) == 8 for x in cards)                     # new-energy plates too
    assert Vehicle.select().where(Vehicle.status == "已注销").count() == 1
    rows = vehicle_rows(ctx)
    assert rows and all(r["phone"].count("*") >= 2 for r in rows)
    numbers = sorted(int(x.number.split("-")[1]) for x in cards)
    assert numbers == list(range(1, len(cards) + 1))                # the form numbers are unbroken
    # the next card continues the sequence
    free = ParkingSpace.select().where((ParkingSpace.state != "空闲")
                                       & ~ParkingSpace.id.in_(Vehicle.select(Vehicle.space).where(
                                           Vehicle.status == "有效"))).first()
    x = register_card(ctx, {"space_id": free.id, "plate": "陕A0000Z", "identity_checked": True})
    assert int(x.number.split("-")[1]) == len(cards) + 1
    demo_parking.populate(ctx, random.Random(2))                    # a second run adds nothing
    assert Vehicle.select().count() == len(cards) + 1
