"""Search as you type: room code, names, phones, identity-number tails; the in-memory index stays
in step with writes, with other processes' writes and with rolled-back transactions."""
from __future__ import annotations

import pytest

from app.archives import listing, search
from app.archives.listing import HomeFilter, list_home_ids
from app.archives.people import create_owner, remove_owner, update_owner
from app.archives.structure import (
    create_building,
    create_cluster,
    create_entrance,
    create_home,
    delete_home,
    update_home,
)
from models.archive import HomeSearch
from tests.helpers.archives import ID_LI, ID_WANG, build_small_site


@pytest.fixture
def site(ctx, users):
    return build_small_site(ctx, users)


def rooms(ids):
    from models.property import Home
    return sorted(Home.get_by_id(i).room_code for i in ids)


@pytest.mark.parametrize("query,expected", [
    ("张", ["1-101", "2-101"]),                 # one Chinese character (owner 张伟, resident 张小明)
    ("张伟", ["1-101", "2-101"]),               # owner of two homes
    ("李娜", ["1-101", "2-101"]),               # co-owner of 1-101, spouse of 张伟 (2-101)
    ("张小明", ["1-101"]),                      # resident
    ("赵租客", ["2-101"]),                      # tenant
    ("1234", ["1-101", "2-101"]),               # phone fragment 138 1234 5678
    ("13700001111", ["2-101"]),                 # tenant's full phone
    ("0351", ["1-102"]),                        # landline area code
    ("03517654321", ["1-102"]),                 # landline typed without the dash
    ("1-2-301", ["1-2-301"]),                   # room code
    ("2-10", ["2-101", "2-102"]),               # room code prefix
    (ID_WANG[-4:], ["1-102"]),                  # identity number tail
    ("张 1-101", ["1-101"]),                    # several words: all must match
    ("１－１０１", ["1-101"]),                   # full-width input
    ("不存在", []),
    ("   ", []),
])
def test_search_queries(ctx, site, query, expected):
    assert rooms(search.search_home_ids(query)) == expected


def test_identity_tail_with_x(ctx, users):
    from tests.helpers.archives import make_id
    c = create_cluster(ctx, "A", "罗马假日")
    b = create_building(ctx, c.id, "5")
    e = create_entrance(ctx, b.id, "1")
    h = create_home(ctx, e.id, {"room_code": "5-203", "area": "90", "house_type": "洋房"})
    # find a number whose check character is X
    n = next(make_id(f"11010119900307{k:03d}") for k in range(1000) if make_id(f"11010119900307{k:03d}")[-1] == "X")
    create_owner(ctx, h.id, {"name": "孙丽", "id_number": n})
    assert search.search_home_ids(n[-4:].lower()) == [h.id]
    assert search.search_home_ids(n[-4:]) == [h.id]


def test_index_follows_writes(ctx, site):
    h = site["homes"]
    assert search.search_home_ids("李娜") == [h["1-101"].id, h["2-101"].id]
    update_owner(ctx, site["li"].id, {"name": "李丽娜"})
    assert search.search_home_ids("李丽娜") == [h["1-101"].id]
    remove_owner(ctx, h["1-101"].id, site["li"].id)
    assert search.search_home_ids("李丽娜") == []
    update_home(ctx, h["2-102"].id, {"room_code": "2-1102"})
    assert search.search_home_ids("2-1102") == [h["2-102"].id]
    new = create_home(ctx, site["e11"].id, {"room_code": "1-301", "area": "90", "house_type": "洋房"})
    assert search.search_home_ids("1-301") == [new.id]
    delete_home(ctx, new.id)
    assert search.search_home_ids("1-301") == []


def test_index_notices_writes_of_another_process(ctx, site):
    """Another PC (or process) rewrote the index: the token changed, this process reloads."""
    assert search.search_home_ids("王芳") == [site["homes"]["1-102"].id]
    HomeSearch.update(text="1-102 王芳芳").where(HomeSearch.home == site["homes"]["1-102"].id).execute()
    from models.system import Meta
    Meta.update(value="other-process").where(Meta.key == search.TOKEN_KEY).execute()
    assert search.search_home_ids("王芳芳") == [site["homes"]["1-102"].id]


def test_index_after_rolled_back_write(ctx, site):
    """A write that failed after re-indexing is rolled back: the search does not show it."""
    hid = site["homes"]["2-102"].id
    with pytest.raises(RuntimeError), ctx.db.atomic():
        create_owner(ctx, hid, {"name": "回滚人"})
        assert search.search_home_ids("回滚人") == [hid]
        raise RuntimeError("boom")
    assert search.search_home_ids("回滚人") == []


def test_full_reindex_and_limit(ctx, site):
    search.index_homes(None)
    assert len(search.search_home_ids("-")) == 6
    assert len(search.search_home_ids("-", limit=2)) == 2
    assert HomeSearch.select().count() == 6


def test_combined_with_filters_many_hits(ctx, site, monkeypatch):
    """Above IN_LIST_MAX hits the service filters the sorted id list in Python: same result."""
    f = HomeFilter(text="1", building_id=site["b1"].id)
    small = list_home_ids(ctx, f)
    monkeypatch.setattr(listing, "IN_LIST_MAX", 0)
    assert list_home_ids(ctx, f) == small and len(small) == 4
    assert rooms(list_home_ids(ctx, HomeFilter(text=ID_LI[-4:]))) == ["1-101"]


def test_phone_typed_with_dashes_is_found():
    assert search.query_terms("139-1234-5678") == ["13912345678"]
    assert search.query_terms("0351-7654321") == ["03517654321"]
    assert search.query_terms("12-1-1302 5-203") == ["12-1-1302", "5-203"]
