"""Owner names in pinyin: the stored key (surname readings), pinyin order of the archive table,
pinyin initials and syllables in the search box, every write path filling the key, and schema
step 2 upgrading a version-1 database."""
from __future__ import annotations

import pytest
from openpyxl import Workbook

from app.archives import search
from app.archives.listing import HomeFilter, find_owners, list_home_ids
from app.archives.people import create_owner, remove_owner, update_owner
from app.archives.structure import create_building, create_cluster, create_entrance, create_home
from app.core.pinyin import name_key, search_keys
from models.archive import HomeSearch
from models.people import Owner

# -- the key ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name,key", [
    ("王建林", "wang2 jian4 lin2"),
    ("李娜", "li3 na4"),
    ("吕布", "lv3 bu4"),                       # ü typed as v
    ("王子", "wang2 zi3"),                     # never the neutral tone in a name
    ("于思远", "yu2 si1 yuan3"),               # the surname never joins a phrase (于思 yu2 sai1)
    ("周长青", "zhou1 chang2 qing1"),
    ("欧阳娜娜", "ou1 yang2 na4 na4"),          # compound surnames
    ("尉迟恭", "yu4 chi2 gong1"),
    ("万俟卨", "mo4 qi2 xie4"),
    ("单于平", "chan2 yu2 ping2"),
    ("John Smith", "john smith"),
    ("阿卜杜拉·买买提", "a1 bu3 du4 la1 mai3 mai3 ti2"),
    ("王ＡＢ", "wang2 ab"),                    # full-width letters
    ("", ""),
])
def test_name_key(name, key):
    assert name_key(name) == key


@pytest.mark.parametrize("surname,reading", [
    ("曾", "zeng"), ("单", "shan"), ("仇", "qiu"), ("解", "xie"), ("区", "ou"), ("查", "zha"),
    ("朴", "piao"), ("覃", "qin"), ("盖", "ge"), ("乐", "yue"), ("尉", "wei"), ("缪", "miao"),
    ("翟", "zhai"), ("任", "ren"), ("华", "hua"), ("沈", "shen"), ("柏", "bai"), ("葛", "ge"),
])
def test_surnames_read_as_surnames(surname, reading):
    assert name_key(surname + "小明").split()[0].rstrip("12345") == reading
    assert name_key(surname + "明").split()[0].rstrip("12345") == reading


def test_a_one_character_name_is_not_read_as_a_surname():
    assert name_key("乐") == "le4"


def test_search_keys():
    # every start at a syllable, full syllables then initials; the all-full form covers its prefixes
    assert search_keys("wang2 jian4 lin2") == " wjl wangjl wangjianlin jl jianlin lin"
    assert search_keys("li3") == " li"
    assert search_keys("yi3 zhu4 0012") == " yz yizhu zhu"          # digits are not typed as pinyin
    assert search_keys("") == ""
    long = search_keys(name_key("阿卜杜拉·买买提"))                  # more than 4 syllables: from the first only
    assert long.startswith(" abdlmmt ") and " mmt" not in long


# -- a small site ------------------------------------------------------------------------------

def _site(ctx, owners):
    """One entrance; rooms 1-101, 1-102 … in the order of *owners*; None: a home without owner."""
    c = create_cluster(ctx, "A", "罗马假日")
    b = create_building(ctx, c.id, "1")
    e = create_entrance(ctx, b.id, "1")
    homes = {}
    for i, name in enumerate(owners):
        room = f"1-{101 + i}"
        h = create_home(ctx, e.id, {"room_code": room, "area": "90", "house_type": "洋房"})
        homes[room] = h.id
        if name:
            create_owner(ctx, h.id, {"name": name})
    return homes


def _rooms(ids):
    from models.property import Home
    by_id = {h.id: h.room_code for h in Home.select()}
    return [by_id[i] for i in ids]


def test_owner_sort_is_pinyin_order(ctx):
    _site(ctx, ["周杰", "张伟", None, "赵强", "陈明", "白雪", "安然", "曾小贤", "单田芳", "王建林", "王建", "张伟"])
    ids = list_home_ids(ctx, HomeFilter(sort="owner"))
    order = _rooms(ids)
    # 安 an < 白 bai < 陈 chen < 单 shan < 王建 < 王建林 < 曾 zeng < 张 zhang (ties by room) < 赵 < 周; no owner last
    assert order == ["1-107", "1-106", "1-105", "1-109", "1-111", "1-110", "1-108",
                     "1-102", "1-112", "1-104", "1-101", "1-103"]
    desc = _rooms(list_home_ids(ctx, HomeFilter(sort="owner", descending=True)))
    assert desc == list(reversed(order))


def test_sort_by_the_first_owner_in_pinyin_order(ctx):
    homes = _site(ctx, ["周杰", "张伟"])
    create_owner(ctx, homes["1-101"], {"name": "安然"})        # co-owner: 1-101 sorts by 安
    assert _rooms(list_home_ids(ctx, HomeFilter(sort="owner"))) == ["1-101", "1-102"]


def test_find_owners_in_pinyin_order(ctx):
    _site(ctx, ["周伟", "张伟", "安伟", "陈伟"])
    assert [o["name"] for o in find_owners(ctx, "伟")] == ["安伟", "陈伟", "张伟", "周伟"]


# -- search ------------------------------------------------------------------------------------

@pytest.fixture
def named(ctx):
    return _site(ctx, ["王建林", "汪俊", "曾小贤", "欧阳娜娜", "John Smith", "单田芳"])


@pytest.mark.parametrize("query,expected", [
    ("wjl", ["1-101"]),                 # initials
    ("WJL", ["1-101"]),                 # any case
    ("wangjl", ["1-101"]),              # full surname, initials of the given name
    ("wangjianlin", ["1-101"]),         # full pinyin
    ("wangjianl", ["1-101"]),           # full pinyin, typed so far
    ("wangj", ["1-101", "1-102"]),      # 王建林, 汪俊
    ("jl", ["1-101"]),                  # the given name alone
    ("jianlin", ["1-101"]),
    ("w", ["1-101", "1-102"]),          # one initial
    ("ang", []),                        # only from the start of a syllable
    ("jlw", []),
    ("zengxx", ["1-103"]),              # 曾 as a surname: zeng, not ceng
    ("cengxx", []),
    ("zxx", ["1-103"]),
    ("shantf", ["1-106"]),              # 单 shan, not dan
    ("dtf", []),
    ("oynn", ["1-104"]),                # compound surname
    ("ouyangnana", ["1-104"]),
    ("smith", ["1-105"]),               # a Latin name: its words as typed
    ("john", ["1-105"]),
    ("wjl 1-101", ["1-101"]),           # with another word: all must match
    ("wjl 1-102", []),
    ("1-10 zxx", ["1-103"]),
    ("王建林", ["1-101"]),               # hanzi as before
])
def test_pinyin_queries(ctx, named, query, expected):
    assert sorted(_rooms(search.search_home_ids(query))) == expected


def test_search_box_of_the_archive_table(ctx, named):
    assert _rooms(list_home_ids(ctx, HomeFilter(text="wangj", sort="owner"))) == ["1-102", "1-101"]


def test_renamed_removed_and_anonymised_owners(ctx, named):
    owner = Owner.get(Owner.name == "王建林")
    update_owner(ctx, owner.id, {"name": "李建林"})
    assert Owner.get_by_id(owner.id).name_pinyin == "li3 jian4 lin2"
    assert search.search_home_ids("wjl") == []
    assert _rooms(search.search_home_ids("ljl")) == ["1-101"]
    remove_owner(ctx, named["1-101"], owner.id)
    assert search.search_home_ids("ljl") == []
    from app.archives.anonymise import anonymise_owner
    zeng = Owner.get(Owner.name == "曾小贤")
    anonymise_owner(ctx, zeng.id, "搬离")
    zeng = Owner.get_by_id(zeng.id)
    assert zeng.name_pinyin == name_key(zeng.name) and "zeng" not in zeng.name_pinyin
    assert search.search_home_ids("zxx") == []


def test_index_lines_keep_text_and_pinyin_apart(ctx, named):
    line = HomeSearch.get(HomeSearch.home == named["1-101"]).text
    text, _tab, keys = line.partition("\t")
    assert text == "1-101 王建林\x01w\x01j\x01l" and keys == search_keys("wang2 jian4 lin2")
    assert HomeSearch.get(HomeSearch.home == named["1-105"]).text.startswith("1-105 john smith\x01j\x01s\t")
    # digits never look at the pinyin; one letter is one of the first letters only
    assert search.search_home_ids("\t") == []
    assert _rooms(search.search_home_ids("j")) == ["1-101", "1-102", "1-105"]
    assert _rooms(search.search_home_ids("a")) == []


# -- write paths ---------------------------------------------------------------------------------

def test_model_writes_keep_the_key(ctx):
    o = Owner.create(name="曾志伟")
    assert Owner.get_by_id(o.id).name_pinyin == "zeng1 zhi4 wei3"
    o = Owner.get_by_id(o.id)
    o.name = "解放"
    o.save(only=[Owner.name])
    assert Owner.get_by_id(o.id).name_pinyin == "xie4 fang4"
    o = Owner.get_by_id(o.id)
    o.phone = "13800001111"
    o.save()                                # the name untouched: the key stays
    assert Owner.get_by_id(o.id).name_pinyin == "xie4 fang4"


def test_excel_import_fills_the_key(ctx, tmp_path):
    from app.golive import owners_import as excel_owners
    wb = Workbook()
    ws = wb.active
    ws.append(["楼号", "单元", "房间号", "业主", "手机号码", "面积(㎡)", "房屋类型"])
    ws.append(["5号楼", "1单元", 203, "仇晓光", "13812345678", 123.45, "洋房"])
    ws.append(["5号楼", "1单元", 204, "查良镛", "13812345679", 98, "洋房"])
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    r = excel_owners.import_owners(ctx, path)
    assert r.imported == 2, r.rejected
    assert Owner.get(Owner.name == "仇晓光").name_pinyin == "qiu2 xiao3 guang1"
    assert Owner.get(Owner.name == "查良镛").name_pinyin == "zha1 liang2 yong1"
    assert _rooms(search.search_home_ids("qxg")) == ["5-1-203"]
    assert _rooms(search.search_home_ids("zhaly")) == ["5-1-204"]


def test_demo_sites_fill_the_key(ctx):
    from app.demo import sites as demo
    demo.build_large(ctx, homes=120)
    owners = list(Owner.select(Owner.name, Owner.name_pinyin).tuples())
    assert owners and all(key == name_key(name) and key for name, key in owners)
    name, key = owners[7]
    initials = "".join(t[0] for t in key.split())
    assert search.search_home_ids(initials)


def test_demo_site_fills_the_key(ctx):
    from app.demo import sites as demo
    demo.build_site(ctx, "tianlun", seed=1, extensions=False)
    missing = Owner.select().where(Owner.name_pinyin == "").count()
    assert missing == 0 and Owner.select().count() > 100


# -- schema step 2 -------------------------------------------------------------------------------

def test_version_1_database_is_upgraded(ctx, tmp_path):
    from models import migrations
    from models.system import Meta
    homes = _site(ctx, ["王建林", "曾小贤", "王建林", None])
    db = ctx.db
    # make it what version 1 wrote: no owner.name_pinyin, search lines without pinyin
    db.execute_sql("ALTER TABLE owner DROP COLUMN name_pinyin")
    for hid, text in list(HomeSearch.select(HomeSearch.home, HomeSearch.text).tuples()):
        HomeSearch.update(text=text.partition("\t")[0].partition("\x01")[0]).where(HomeSearch.home == hid).execute()
    Meta.update(value="1").where(Meta.key == "schema_version").execute()
    Meta.update(value="v1").where(Meta.key == search.TOKEN_KEY).execute()
    assert "name_pinyin" not in {c.name for c in db.get_columns("owner")}
    assert migrations.get_version(db) == 1
    assert search.search_home_ids("wjl") == [] and search.search_home_ids("w") == []

    found = migrations.migrate(db, backup_dir=tmp_path / "backups")
    assert found == 1 and migrations.get_version(db) == migrations.CURRENT_VERSION
    assert "name_pinyin" in {c.name for c in db.get_columns("owner")}
    assert {o.name: o.name_pinyin for o in Owner.select()} == {
        "王建林": "wang2 jian4 lin2", "曾小贤": "zeng1 xiao3 xian2"}
    assert _rooms(search.search_home_ids("wjl")) == ["1-101", "1-103"]
    assert _rooms(list_home_ids(ctx, HomeFilter(sort="owner"))) == ["1-101", "1-103", "1-102", "1-104"]
    # the column has a default in the table: a raw insert that does not name it still works
    db.execute_sql("INSERT INTO owner (name, gender, education, native_place, employer, work_address, phone, "
                   "phone2, id_type, id_enc, id_hash, id_masked, id_tail, spouse_name, spouse_phone, "
                   "spouse_employer, family_structure, residents_count, is_key_customer, key_customer_tags, "
                   "opinion, suggestions, special_requests, arrears_flag, arrears_reason, arrears_complaint, "
                   "anonymised, notes, created_at, updated_at) VALUES ('新业主', '', '', '', '', '', '', '', "
                   "'身份证', '', '', '', '', '', '', '', '', 0, false, '', '', '', '', false, '', '', false, '', "
                   "'2026-11-23 09:00:00', '2026-11-23 09:00:00')")
    assert Owner.get(Owner.name == "新业主").name_pinyin == ""
    # once more: nothing to do
    assert migrations.migrate(db) == migrations.CURRENT_VERSION
    assert len(homes) == 4
