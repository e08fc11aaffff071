"""Pinyin of owner names: the stored sort key and the search keys derived from it.

``name_key("王建林")`` → ``"wang2 jian4 lin2"``: one token per syllable, lower case, tone number
last (neutral tone 5; ü written v, as typed). Stored in ``owner.name_pinyin``, so listing and
searching 50,000 owners never converts a name; it is computed when a name is written.

Ordering by this key is pinyin order: syllable by syllable, then tone (妈 ma1 < 麻 ma2 < 马 ma3),
a shorter name before its longer continuation (王建 < 王建林). The tone digit also ends each
syllable, so the order survives a database collation that ignores spaces.

Surnames are read as surnames (曾 zeng, 单 shan, 仇 qiu, 解 xie, 区 ou, 查 zha, 朴 piao, 覃 qin,
盖 ge, 乐 yue …; compound surnames such as 欧阳, 尉迟, 万俟, 单于 as a whole); the given name goes
through pypinyin with its phrase dictionary. Latin letters and digits in a name are kept as
words of their own; other characters (·, spaces, brackets) only separate.

``search_keys(key)`` turns a stored key into what the search index holds for the name: every
way of typing it from any syllable on, as full syllables followed by initials
(`` wangjianlin wjl wangjl jianlin jl lin``), each preceded by a space so that a typed word
matches only from the start of one of them (``wjl``, ``wangj``, ``wangjl``, ``jl`` find 王建林;
``ang`` does not).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Surnames whose everyday reading is not pypinyin's first reading of the character (or is worth
# pinning). Tone numbers as in TONE3 style.
SURNAMES = {
    "曾": "zeng1", "单": "shan4", "仇": "qiu2", "解": "xie4", "区": "ou1", "查": "zha1", "朴": "piao2",
    "覃": "qin2", "盖": "ge3", "乐": "yue4", "尉": "wei4", "缪": "miao4", "翟": "zhai2", "繁": "po2",
    "种": "chong2", "秘": "bi4", "员": "yun4", "华": "hua4", "任": "ren2", "宁": "ning4", "纪": "ji3",
    "薄": "bo2", "折": "she2", "黑": "he4", "万": "wan4", "柏": "bai3", "褚": "chu3", "燕": "yan1",
    "叶": "ye4", "贲": "ben1", "句": "gou1", "阚": "kan4", "隗": "wei3", "召": "shao4", "郇": "huan2",
    "冼": "xian3", "那": "na1", "沈": "shen3", "长": "chang2", "重": "chong2", "藏": "zang4", "卜": "bu3",
    "谌": "chen2", "訾": "zi1", "厍": "she4", "逄": "pang2", "朝": "chao2", "曲": "qu1", "车": "che1",
    "过": "guo1", "强": "qiang2", "都": "du1", "相": "xiang1", "和": "he2", "宿": "su4", "莘": "shen1",
    "乜": "nie4", "盛": "sheng4", "殷": "yin1", "能": "nai4", "教": "jiao4", "蕃": "pi2", "粘": "nian2",
    "眭": "sui1", "佴": "nai4", "蔚": "yu4", "应": "ying1", "贾": "jia3", "葛": "ge3", "吕": "lv3",
    "牟": "mou2", "陆": "lu4", "祭": "zhai4", "宓": "mi4", "干": "gan1", "占": "zhan1", "哈": "ha3",
    "於": "yu1", "阿": "a1", "石": "shi2", "曹": "cao2", "汤": "tang1", "尚": "shang4", "恽": "yun4",
    "单于": "chan2 yu2", "尉迟": "yu4 chi2", "万俟": "mo4 qi2", "长孙": "zhang3 sun1",
    "欧阳": "ou1 yang2", "司马": "si1 ma3", "诸葛": "zhu1 ge3", "上官": "shang4 guan1",
    "令狐": "ling2 hu2", "澹台": "tan2 tai2", "公孙": "gong1 sun1", "东方": "dong1 fang1",
    "皇甫": "huang2 fu3", "慕容": "mu4 rong2", "宇文": "yu3 wen2", "夏侯": "xia4 hou2",
    "司徒": "si1 tu2", "轩辕": "xuan1 yuan2", "钟离": "zhong1 li2", "闻人": "wen2 ren2",
    "赫连": "he4 lian2", "南宫": "nan2 gong1", "端木": "duan1 mu4", "百里": "bai3 li3",
    "呼延": "hu1 yan2", "拓跋": "tuo4 ba2", "鲜于": "xian1 yu2", "申屠": "shen1 tu2",
    "太史": "tai4 shi3", "公冶": "gong1 ye3", "濮阳": "pu2 yang2", "淳于": "chun2 yu2",
    "仲孙": "zhong4 sun1", "宗政": "zong1 zheng4", "西门": "xi1 men2", "第五": "di4 wu3",
    "乐正": "yue4 zheng4", "左丘": "zuo3 qiu1", "谷梁": "gu3 liang2", "亓官": "qi2 guan1",
    "羊舌": "yang2 she2", "公羊": "gong1 yang2",
}

_RUN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+)|([a-z0-9]+)")
MAX_ALL_STARTS = 4   # names of more syllables are searchable from their first syllable only


@lru_cache(maxsize=4096)
def _tone3(marked: str) -> str:
    from pypinyin.contrib.tone_convert import to_tone3
    return to_tone3(marked, v_to_u=False, neutral_tone_with_five=True)


@lru_cache(maxsize=16384)
def _char(c: str) -> str:
    """A character's first reading, a toned one before a neutral one (子 zi3, not zi5: a name
    is never read with the neutral tone); the character itself when it has none."""
    from pypinyin.constants import PINYIN_DICT
    readings = PINYIN_DICT.get(ord(c))
    if not readings:
        return c
    keys = [_tone3(r) for r in readings.split(",")]
    return next((k for k in keys if not k.endswith("5")), keys[0])


def _hanzi(run: str) -> list[str]:
    """pypinyin's reading of a run of hanzi (its phrase dictionary, longest phrase first, else each
    character's first reading), looked up directly: lazy_pinyin costs ~200 µs a name, this ~5."""
    from pypinyin.constants import PHRASES_DICT  # lazy: ~0.4 s to load
    out: list[str] = []
    i, n = 0, len(run)
    while i < n:
        for size in range(n - i, 1, -1):
            phrase = PHRASES_DICT.get(run[i:i + size])
            if phrase:
                out.extend(_tone3(p[0]) for p in phrase)
                i += size
                break
        else:
            out.append(_char(run[i]))
            i += 1
    return out


COMPOUND_SURNAME_LEN = 2            # 欧阳, 司马
COMPOUND_SURNAME_MIN_NAME_LEN = 3   # a two-character name is a one-character surname and a given name


@lru_cache(maxsize=65536)
def name_key(name: str | None) -> str:
    """The stored pinyin key of a name ('' for an empty name)."""
    text = unicodedata.normalize("NFKC", name or "").strip().lower()
    out: list[str] = []
    first = True
    for m in _RUN.finditer(text):
        run, latin = m.group(1), m.group(2)
        if latin:
            out.append(latin)
        else:
            if first and m.start() == 0 and len(text) > 1:
                # the surname, read on its own (no phrase across it: 周长 is not zhou1 chang2): a
                # compound one (in a name of three or more characters), else the first character
                compound = len(run) >= COMPOUND_SURNAME_LEN and len(text) >= COMPOUND_SURNAME_MIN_NAME_LEN
                two = SURNAMES.get(run[:COMPOUND_SURNAME_LEN]) if compound else None
                if two is not None and " " in two:
                    out.extend(two.split())
                    run = run[COMPOUND_SURNAME_LEN:]
                else:
                    out.append(SURNAMES.get(run[0]) or _char(run[0]))
                    run = run[1:]
            if run:
                out.extend(_hanzi(run))
        first = False
    return " ".join(out)


@lru_cache(maxsize=65536)
def search_keys(key: str) -> str:
    """The search keys of a stored key: each typing of the name that starts at a syllable,
    as full syllables then initials, each preceded by a space; '' when it has no letters."""
    syl = [s for s in (t.rstrip("012345") for t in (key or "").split()) if s.isascii() and s.isalpha()]
    n = len(syl)
    if not n:
        return ""
    inits = [s[0] for s in syl]
    parts = []
    for i in (range(n) if n <= MAX_ALL_STARTS else (0,)):
        full = ""
        for k in range(i, n + 1):
            if k != n - 1:   # full syllables + the last one's initial: a prefix of the all-full form
                parts.append(" " + full + "".join(inits[k:]))
            if k < n:
                full += syl[k]
    return "".join(dict.fromkeys(parts))


def is_pinyin_term(term: str) -> bool:
    """A typed word that may be pinyin (ASCII letters only)."""
    return term.isascii() and term.isalpha()
