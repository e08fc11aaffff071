"""What the demo-site modules share: fast bulk inserts, a random chance, a date months ago, a
context at a past moment."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random

from app.core.clock import Clock
from models.db import is_sqlite
from models.sealed import SealedPhoneField

SQLITE_CHUNK = 1000          # rows per executemany on SQLite
POSTGRES_PARAMETERS = 60000  # parameters per multi-row INSERT on PostgreSQL (its limit is 65,535)
DAYS_PER_MONTH = 30.44


def chance(rng: random.Random, share: float) -> bool:
    """True in about *share* of the draws (one draw of *rng*)."""
    return rng.random() < share


def at(ctx, when: dt.datetime, user=None):
    """``ctx`` with its clock stopped at *when* (and acting as *user* when given): a demo row
    written through the services on a past day."""
    return dataclasses.replace(ctx, clock=Clock(when), user=user or ctx.user)


def months_ago(today: dt.date, months: float) -> dt.date:
    return today - dt.timedelta(days=int(months * DAYS_PER_MONTH))


def _sqlite_value(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def batched_insert(model, rows):
    """Insert dict rows (missing fields take the model defaults) with one executemany.
    peewee's SQL generation costs ~20 µs a value; the driver's executemany is 10× faster."""
    if not rows:
        return
    db = model._meta.database
    fields = [f for f in model._meta.sorted_fields if not (f is model._meta.primary_key and f.name == "id")]
    sqlite = is_sqlite(db.obj if hasattr(db, "obj") else db)
    param = "?" if sqlite else "%s"
    sql = (f'INSERT INTO "{model._meta.table_name}" (' + ", ".join(f'"{f.column_name}"' for f in fields)
           + ") VALUES (" + ", ".join([param] * len(fields)) + ")")
    defaults = {}
    for f in fields:
        d = f.default
        defaults[f.name] = d() if callable(d) else d
    conv = _sqlite_value if sqlite else (lambda v: v)
    sealed = [isinstance(f, SealedPhoneField) for f in fields]   # phones sealed as the model would seal them
    values = [tuple(conv(f.db_value(v) if seal else v)
                    for f, seal, v in ((f, seal, r[f.name] if f.name in r else defaults[f.name])
                                       for f, seal in zip(fields, sealed, strict=True)))
              for r in rows]
    cursor = db.cursor()
    if sqlite:
        for i in range(0, len(values), SQLITE_CHUNK):
            cursor.executemany(sql, values[i:i + SQLITE_CHUNK])
        return
    # PostgreSQL: one round trip per row is slow; send multi-row VALUES
    per = max(1, POSTGRES_PARAMETERS // len(fields))
    row_sql = "(" + ", ".join([param] * len(fields)) + ")"
    head = sql[:sql.index(" VALUES ")] + " VALUES "
    for i in range(0, len(values), per):
        chunk = values[i:i + per]
        cursor.execute(head + ", ".join([row_sql] * len(chunk)), [x for row in chunk for x in row])


def insert_returning_ids(model, rows) -> list[int]:
    """Insert rows in order and return their new ids in the same order."""
    last = model.select(model.id).order_by(model.id.desc()).scalar() or 0
    batched_insert(model, rows)
    ids = [r[0] for r in model.select(model.id).where(model.id > last).order_by(model.id).tuples()]
    if len(ids) != len(rows):
        raise RuntimeError(f"{model.__name__}: inserted {len(rows)} rows, found {len(ids)}")
    return ids
