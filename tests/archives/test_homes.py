"""app.archives.homes / app.core.lookup: one way to find a home by room code or id, and a row by id."""
import pytest

from app.archives.homes import home_by_id, home_by_room, home_of
from app.core.errors import NotFound, ValidationError
from app.core.lookup import get_or_404
from models.keys import Key
from models.property import Building, Cluster, Entrance, Home


@pytest.fixture
def home(ctx):
    c = Cluster.create(code="A", name="罗马假日")
    b = Building.create(cluster=c, code="5", name="5号楼")
    e = Entrance.create(building=b, code="1")
    return Home.create(entrance=e, building=b, cluster=c, room_code="5-1-203", area_x100=9000, house_type="洋房")


@pytest.mark.parametrize("typed", ["5-1-203", " ５－１－２０３ ", "5 - 1 - 203", "5—1—203", "５-１-２０３"])
def test_room_code_as_typed(home, typed):
    assert home_by_room(typed).id == home.id
    assert home_by_room(typed, message="x").id == home.id
    assert home_of(typed).id == home.id


def test_unknown_or_bad_room_code_default_names_the_field(home):
    with pytest.raises(ValidationError) as e:
        home_by_room("9-999", "借用房号")
    assert str(e.value) == "借用房号：房号“9-999”不存在，请核对" and e.value.field == "借用房号"
    with pytest.raises(ValidationError, match="格式不正确"):
        home_by_room("abc")
    with pytest.raises(ValidationError, match="不能为空"):
        home_by_room("  ")


def test_room_code_with_caller_message(home):
    for typed in ("9-9-999", "abc", "", None):
        with pytest.raises(NotFound) as e:
            home_by_room(typed, message=f"房号：未找到房屋“{typed}”")
        assert str(e.value) == f"房号：未找到房屋“{typed}”"


def test_home_by_id(home):
    assert home_by_id(home.id) == home and home_by_id(str(home.id)) == home and home_by_id(home) == home
    with pytest.raises(NotFound, match=r"^房屋不存在（编号 99999）$"):
        home_by_id(99999)
    with pytest.raises(NotFound, match=r"^房屋：编号 abc 不存在$"):
        home_by_id("abc", "房屋：编号 abc 不存在")   # not numeric: never reaches the query
    with pytest.raises(ValidationError) as e:
        home_by_id(None, field="房号")
    assert str(e.value) == "房号：房屋不存在"


def test_home_of(home):
    assert home_of(home) is home and home_of(home.id) == home
    with pytest.raises(ValidationError, match="^房号：房屋不存在$"):
        home_of(99999)
    with pytest.raises(NotFound, match="^找不到 99999$"):
        home_of(99999, message="找不到 99999")


def test_get_or_404(ctx, home):
    k = Key.create(area="配电房", kind="公共钥匙", copies=1, keeper_place="客服前台",
                   created_at=ctx.clock.now(), updated_at=ctx.clock.now())
    assert get_or_404(Key, k.id, "钥匙") == k
    assert get_or_404(Key, Key.area == "配电房", "钥匙") == k
    with pytest.raises(NotFound, match=r"^钥匙（编号 777）不存在$"):
        get_or_404(Key, 777, "钥匙")
    with pytest.raises(NotFound, match=r"^收据不存在（编号 x）$"):
        get_or_404(Key, "x", message="收据不存在（编号 x）")
    with pytest.raises(NotFound, match=r"^记录（编号 None）不存在$"):
        get_or_404(Key, None)
