"""Search as you type over room code, owner and resident names, phones and identity-number tails.

One line of text per home in ``home_search`` (models.archive.HomeSearch); ``index_homes`` must
be called (inside the write's transaction) after any change to those fields.
"""
from __future__ import annotations

from peewee import fn

from models.archive import HomeSearch
from models.people import HomeOwner, Owner, Resident
from models.property import Home

from .validation import normalize


def _line(room_code, names, phones, tails) -> str:
    parts = [room_code] + [n for n in names if n] + [p.replace("-", "") for p in phones if p] + [t for t in tails if t]
    return " ".join(parts).lower()


def index_homes(home_ids=None):
    """Rebuild the search line of the given homes (all homes when None)."""
    homes = Home.select(Home.id, Home.room_code)
    if home_ids is not None:
        home_ids = list(home_ids)
        if not home_ids:
            return
        homes = homes.where(Home.id.in_(home_ids))
    homes = {h.id: h.room_code for h in homes}
    data = {hid: ([], [], []) for hid in homes}
    q = (HomeOwner.select(HomeOwner.home, Owner.name, Owner.phone, Owner.phone2, Owner.id_tail, Owner.spouse_name)
         .join(Owner).where(HomeOwner.until.is_null()))
    if home_ids is not None:
        q = q.where(HomeOwner.home.in_(list(homes)))
    for row in q.tuples():
        hid, name, phone, phone2, tail, spouse = row
        if hid in data:
            data[hid][0].extend([name, spouse])
            data[hid][1].extend([phone, phone2])
            data[hid][2].append(tail)
    rq = Resident.select(Resident.home, Resident.name, Resident.phone)
    if home_ids is not None:
        rq = rq.where(Resident.home.in_(list(homes)))
    for hid, name, phone in rq.tuples():
        if hid in data:
            data[hid][0].append(name)
            data[hid][1].append(phone)
    rows = [{"home": hid, "text": _line(homes[hid], *data[hid])} for hid in homes]
    db = HomeSearch._meta.database
    with db.atomic():
        if home_ids is None:
            HomeSearch.delete().execute()
        else:
            HomeSearch.delete().where(HomeSearch.home.in_(list(homes))).execute()
        for i in range(0, len(rows), 500):
            HomeSearch.insert_many(rows[i:i + 500]).execute()


def _terms(query: str) -> list[str]:
    return [t for t in normalize(query).lower().split() if t]


def _contains(term: str):
    """Substring test of the search line. On SQLite ``instr`` (a plain byte search) is about
    twice as fast as ``LIKE '%x%'`` and needs no escaping of % and _; elsewhere ILIKE."""
    from models.db import is_sqlite
    if is_sqlite():
        return fn.instr(HomeSearch.text, term) > 0
    return HomeSearch.text.contains(term)


def match_query(query: str):
    """A sub-query of the ids of the homes whose line contains every word of *query*, or None
    when the query has no words (used by app.archives to combine search with the filters)."""
    terms = _terms(query)
    if not terms:
        return None
    cond = None
    for term in terms:
        c = _contains(term)
        cond = c if cond is None else cond & c
    return HomeSearch.select(HomeSearch.home).where(cond)


def search_home_ids(query: str, limit: int | None = None) -> list[int]:
    """Home ids whose search line contains every word of the query (case-insensitive)."""
    sel = match_query(query)
    if sel is None:
        return []
    sel = sel.order_by(HomeSearch.home)
    if limit:
        sel = sel.limit(limit)
    sql, params = sel.sql()
    return [r[0] for r in HomeSearch._meta.database.execute_sql(sql, params).fetchall()]
