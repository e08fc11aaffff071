"""Search as you type over room code, owner and resident names, phones and identity-number tails,
and owner names typed in pinyin (initials ``wjl``, full syllables ``wangjianlin``, or both ``wangjl``).

One line of text per home in ``home_search`` (models.archive.HomeSearch); ``index_homes`` must
be called (inside the write's transaction) after any change to those fields. The line is the
searchable text, the first letters of the owners' pinyin keys (each after a \x01, so that only a
one-letter word matches one), then a tab and the keys (app/pinyin.py ``search_keys``: each
preceded by a space). A word of two or more ASCII letters matches the text anywhere or a pinyin
key from its start; any other word matches the text (and those first letters) only.

Phones are never in the line: each phone gives the keyed tokens of its windows of four digits
(app.core.crypto.Vault.phone_tokens: HMAC under a key derived from the site key), kept after a
\x02 at the end of the line. A word of four or more digits (dashes dropped) matches the text (room
codes, identity-number tails) or a home holding the tokens of all its windows; a fragment of one
to three digits matches the text only. The line holds no full identity number either (only the
tail the masked number shows).
"""
from __future__ import annotations

import threading
import unicodedata
import uuid
from bisect import bisect_right

from peewee import SQL, fn

from app.core.crypto import WINDOW, active
from app.core.pinyin import is_pinyin_term, search_keys
from app.core.validation import normalize
from models.archive import HomeSearch
from models.golive import PendingCheck
from models.migrations import SEARCH_STALE, SEARCH_TOKEN_KEY
from models.people import HomeOwner, Owner, Resident
from models.property import Home
from models.system import Meta

SEP = "\t"        # between a line's text and its pinyin keys
LETTER = "\x01"   # before each first letter of a pinyin key, in the text
PHONES = "\x02"   # before the phones' window tokens, at the end of the line


def _line(room_code, names, phones, tails, pinyin=()) -> str:
    parts = [room_code] + [n for n in names if n] + [t for t in tails if t]
    text = " ".join(parts).lower().replace(SEP, " ").replace(PHONES, " ")
    keys = "".join(search_keys(k) for k in pinyin if k)
    vault = active() if any(phones) else None
    tokens = " ".join(dict.fromkeys(t for p in phones if p for t in vault.phone_tokens_cached(vault.unseal(p))))
    if not keys and not tokens:
        return text
    letters = "".join(LETTER + c for c in dict.fromkeys(k[0] for k in keys.split())) if keys else ""
    return f"{text}{letters}{SEP}{keys}" + (f"{PHONES}{tokens}" if tokens else "")


def _fetch(query) -> list[tuple]:
    """The rows of a peewee query as plain tuples straight from the cursor."""
    sql, params = query.sql()
    return HomeSearch._meta.database.execute_sql(sql, params).fetchall()


def id_list(ids) -> SQL:
    """A list of record ids for ``IN``, written into the statement (whole numbers only): peewee binds one
    parameter per value at ~20 µs each, a second for an import's 50,000 homes in each of five queries."""
    return SQL("(" + (",".join([str(int(i)) for i in ids]) or "NULL") + ")")


def _add_pending(data: dict, homes=None):
    """The raw text of open 待核对 items joins its home's line: a bad phone as imported (kept encrypted)
    by its keyed digit tokens like any phone, other raw texts as text; identity numbers are left out."""
    pq = PendingCheck.select(PendingCheck.home, PendingCheck.field, PendingCheck.raw_text, PendingCheck.raw_enc).where(
        PendingCheck.resolved_at.is_null(), PendingCheck.home.is_null(False))
    if homes is not None:
        pq = pq.where(PendingCheck.home.in_(id_list(homes)))
    for hid, field, raw, enc in _fetch(pq):
        if hid not in data:
            continue
        if not enc:
            data[hid][0].append("".join(raw.replace("-", "").split()))
        elif "phone" in field:   # app.golive.worklist.is_phone_field
            data[hid][1].append(unicodedata.normalize("NFKC", active().decrypt(enc)))


def index_homes(home_ids=None):
    """Rebuild the search line of the given homes (all homes when None). Call inside the write's
    transaction; it also marks the in-memory index of every process as stale (a new token).
    After a migration marked the whole index stale, every call rebuilds all homes."""
    if home_ids is not None and _cache.stored_key()[2] == SEARCH_STALE:
        home_ids = None
    homes = Home.select(Home.id, Home.room_code)
    if home_ids is not None:
        home_ids = list(home_ids)
        if not home_ids:
            return
        homes = homes.where(Home.id.in_(id_list(home_ids)))
    homes = dict(_fetch(homes))
    data = {hid: ([], [], [], []) for hid in homes}
    q = (HomeOwner.select(HomeOwner.home, Owner.name, Owner.phone, Owner.phone2, Owner.id_tail, Owner.spouse_name,
                          Owner.name_pinyin)
         .join(Owner).where(HomeOwner.until.is_null()))
    if home_ids is not None:
        q = q.where(HomeOwner.home.in_(id_list(homes)))
    for row in _fetch(q):
        hid, name, phone, phone2, tail, spouse, pinyin = row
        if hid in data:
            data[hid][0].extend([name, spouse])
            data[hid][1].extend([phone, phone2])
            data[hid][2].append(tail)
            data[hid][3].append(pinyin)
    rq = Resident.select(Resident.home, Resident.name, Resident.phone)
    if home_ids is not None:
        rq = rq.where(Resident.home.in_(id_list(homes)))
    for hid, name, phone in _fetch(rq):
        if hid in data:
            data[hid][0].append(name)
            data[hid][1].append(phone)
    _add_pending(data, homes if home_ids is not None else None)
    rows = [(hid, _line(homes[hid], *data[hid])) for hid in homes]
    db = HomeSearch._meta.database
    with db.atomic():
        if home_ids is None:
            HomeSearch.delete().execute()
        else:
            HomeSearch.delete().where(HomeSearch.home.in_(id_list(home_ids))).execute()
        from models.db import is_sqlite
        if is_sqlite():   # the driver's executemany: no SQL built per row (50,000 homes: ~3 s less)
            db.cursor().executemany("INSERT INTO home_search (home_id, text) VALUES (?, ?)", rows)
        else:             # PostgreSQL: multi-row VALUES, not one round trip per row
            for i in range(0, len(rows), 1000):
                HomeSearch.insert_many(rows[i:i + 1000], fields=[HomeSearch.home, HomeSearch.text]).execute()
        old_key = _cache.stored_key()
        token = uuid.uuid4().hex
        if not Meta.update(value=token).where(Meta.key == TOKEN_KEY).execute():
            Meta.create(key=TOKEN_KEY, value=token)
        removed = [h for h in home_ids if h not in homes] if home_ids is not None else []
        _cache.update(old_key, old_key[:2] + (token,), rows, full=home_ids is None, removed=removed)


# The in-memory index ---------------------------------------------------------------------
# Scanning 50,000 lines in SQL (LIKE or instr) costs 12–45 ms depending on the machine's load, and
# an FTS5 trigram index finds nothing for one or two Chinese characters (the usual query: a
# surname). So each process keeps the lines joined into one string and searches it with
# str.find (≈1 ms for 50,000 homes). A token in the meta table, renewed by every index_homes,
# tells a process when another process (or a rolled-back write) made its copy stale.

TOKEN_KEY = SEARCH_TOKEN_KEY


class _Snapshot:
    """The joined lines, built once and then only read (a search never sees a half-built index).
    The text of the lines and their pinyin keys are joined separately: a digit never scans pinyin."""
    __slots__ = ("big", "starts", "ids", "line_list", "py_big", "py_starts", "py_list", "ph_big", "ph_starts",
                 "ph_list")

    def __init__(self, lines: dict[int, tuple[str, str, str]]):
        """*lines*: home id → the line split at its tab (``str.partition``)."""
        ids = sorted(lines)
        texts = [lines[hid][0] for hid in ids]
        rests = [lines[hid][2].partition(PHONES) for hid in ids]
        keys = [r[0] for r in rests]
        tokens = [r[2] for r in rests]
        self.ids, self.line_list, self.py_list, self.ph_list = ids, texts, keys, tokens
        self.big, self.starts = self._join(texts)
        self.py_big, self.py_starts = self._join(keys)
        self.ph_big, self.ph_starts = self._join(tokens)

    @staticmethod
    def _join(parts):
        starts, pos = [], 0
        for part in parts:
            starts.append(pos)
            pos += len(part) + 1
        return "\n".join(parts), starts

    @staticmethod
    def _positions(big, starts, term) -> list[int]:
        """Indexes (ascending) of the lines of *big* containing *term*."""
        out, pos, n = [], big.find(term), len(starts)
        while pos >= 0:
            i = bisect_right(starts, pos) - 1
            out.append(i)
            line_end = starts[i + 1] - 1 if i + 1 < n else len(big)
            pos = big.find(term, line_end)
        return out

    def _phone_hits(self, term: str) -> list[int]:
        """Lines holding the tokens of every window of the digits *term* (WINDOW or more digits)."""
        toks = _phone_terms(term)
        hit = self._positions(self.ph_big, self.ph_starts, toks[0])
        if len(toks) > 1:
            lists = self.ph_list
            hit = [i for i in hit if all(t in lists[i] for t in toks[1:])]
        return hit

    def _matches(self, i: int, term: str, py_term) -> bool:
        if term in self.line_list[i] or (py_term is not None and py_term in self.py_list[i]):
            return True
        return _phoneish(term) and all(t in self.ph_list[i] for t in _phone_terms(term))

    def find(self, terms: list[str]) -> list[int]:
        ids, texts = self.ids, self.line_list
        # The rarest term leads: a long one, and never a 1–2 character digit/latin one if avoidable
        # (of those, letters first: their pinyin keys are anchored, so they match fewer homes).
        order = sorted(set(terms), key=lambda t: (_common(t), not _pinyin(t), -len(t)))
        first, rest = order[0], order[1:]
        rest_py = [(t, " " + t if _pinyin(t) else None) for t in rest]

        def others(i):
            return all(self._matches(i, t, k) for t, k in rest_py)

        if _pinyin(first):
            # letters: rare in the text, and in the pinyin keys anchored at a syllable: str.find
            hit = self._positions(self.big, self.starts, first)
            py_hit = self._positions(self.py_big, self.py_starts, " " + first)
            hit = sorted(set(hit).union(py_hit)) if hit else py_hit
        elif _common(first):
            # "1", "13", "w" (a first letter of a pinyin key too): many homes match; test each line once
            hit = [i for i, text in enumerate(texts) if first in text]
        else:
            hit = self._positions(self.big, self.starts, first)
            if _phoneish(first):
                phone_hit = self._phone_hits(first)
                hit = sorted(set(hit).union(phone_hit)) if hit else phone_hit
        if rest:
            hit = [i for i in hit if others(i)]
        return [ids[i] for i in hit]


class _Index:
    """The lines of the current database, loaded on first use (the archive tab warms it up in a
    background thread), patched by index_homes, reloaded when the stored token changes."""

    def __init__(self):
        self.lock = threading.RLock()
        self.clear()

    def clear(self):
        """Forget the lines: they are loaded again on next use."""
        with self.lock:
            self.key = None              # (database, token) the lines belong to; None: not loaded
            self.lines: dict[int, tuple[str, str, str]] = {}   # split at the tab once, not at every snapshot
            self.snapshot: _Snapshot | None = None

    @staticmethod
    def stored_key():
        db = HomeSearch._meta.database
        row = Meta.select(Meta.value).where(Meta.key == TOKEN_KEY).tuples().first()
        return (id(getattr(db, "obj", db)), getattr(getattr(db, "obj", db), "database", ""), row[0] if row else None)

    def update(self, old_key, new_key, rows, full: bool, removed=()):
        """After index_homes wrote *rows*: patch the lines if they were current, else forget them."""
        with self.lock:
            if full:
                self.lines = {hid: line.partition(SEP) for hid, line in rows}
            elif self.key is not None and self.key == old_key:
                self.lines.update((hid, line.partition(SEP)) for hid, line in rows)
                for hid in removed:
                    self.lines.pop(hid, None)
            else:
                self.key = None
                return
            self.key = new_key
            self.snapshot = None

    def current(self) -> _Snapshot:
        key = self.stored_key()
        if key[2] == SEARCH_STALE:       # a migration changed what the lines hold: rebuild them all
            index_homes(None)
            key = self.stored_key()
        with self.lock:
            if key != self.key:
                sql, params = HomeSearch.select(HomeSearch.home, HomeSearch.text).sql()
                self.lines = {hid: line.partition(SEP)
                              for hid, line in HomeSearch._meta.database.execute_sql(sql, params).fetchall()}
                self.key = key
                self.snapshot = None
            if self.snapshot is None:
                self.snapshot = _Snapshot(self.lines)
            return self.snapshot


COMMON_TERM_MAX_LEN = 2   # an ASCII word this short matches many lines: looked for last
PHONE_MIN_DIGITS = 8      # a dashed word of at least this many digits is a phone (0351-7654321)


PHONE_FRAGMENT_MIN = WINDOW   # digits at least for a phone fragment to be looked for


def _phoneish(term: str) -> bool:
    """A word that may be a fragment of a phone: WINDOW or more digits."""
    return len(term) >= WINDOW and term.isdigit()


def _phone_terms(term: str) -> list[str]:
    """The window tokens of a digit word, in the form the line keeps them (after the PHONES mark)."""
    return active().phone_tokens(term)


def _common(term: str) -> bool:
    return term.isascii() and len(term) <= COMMON_TERM_MAX_LEN


def _pinyin(term: str) -> bool:
    """A word also looked for in the pinyin keys: two or more letters (one letter is a first letter,
    in the text)."""
    return len(term) > 1 and is_pinyin_term(term)


_cache = _Index()


def reset_cache():
    """Forget the in-memory index (another database was opened)."""
    _cache.clear()


def query_terms(query: str) -> list[str]:
    """Words of the query. A phone typed with dashes (139-1234-5678, 0351-7654321) is matched
    without them, as phones are indexed; room codes (5-203, 12-1-1302) keep theirs."""
    out = []
    for t in normalize(query).lower().split():
        digits = t.replace("-", "")
        is_phone = "-" in t and digits.isdigit() and len(digits) >= PHONE_MIN_DIGITS
        out.append(digits if is_phone else t)
    return out


def _contains(term: str, whole: bool = False):
    """Substring test of the search line's text (before the phones' tokens; the *whole* line for a
    token) in SQL: ``instr`` on SQLite, ILIKE elsewhere."""
    from models.db import is_sqlite
    text = HomeSearch.text
    if is_sqlite():
        part = text if whole else fn.substr(text, 1, fn.instr(text.concat(PHONES), PHONES))
        return fn.instr(part, term) > 0
    return (text if whole else fn.split_part(text, PHONES, 1)).contains(term)


def match_query(query: str):
    """A SQL sub-query of the ids of the homes whose line contains every word of *query*, or None
    when the query has no words."""
    terms = query_terms(query)
    if not terms:
        return None
    cond = None
    for term in terms:
        c = _contains(term)
        if _phoneish(term):
            phone = None
            for tok in _phone_terms(term):
                t = _contains(tok, whole=True)
                phone = t if phone is None else phone & t
            c = c | phone
        cond = c if cond is None else cond & c
    return HomeSearch.select(HomeSearch.home).where(cond)


def search_home_ids(query: str, limit: int | None = None) -> list[int]:
    """Home ids (ascending) whose search line contains every word of the query (case-insensitive)."""
    terms = query_terms(query)
    if not terms:
        return []
    ids = _cache.current().find(terms)
    return ids[:limit] if limit else ids
