"""What each home owes per charge item (charge_balance, issue 20), kept current by database triggers.

One row per (home, item) with open charges that can fall into arrears: not fully paid
(``paid_fen < amount_fen``), with a due date, and neither a deposit nor the prepayment request
(the categories app.ledger.arrears leaves out). ``owed_fen`` is the sum of amount − paid of those
charges, ``open_count`` their number, ``oldest_due`` / ``newest_due`` their first and last due date.
A (home, item) with nothing open has no row.

The triggers on ``charge`` (INSERT, UPDATE of the columns that decide the row, DELETE) keep the table
exact for every write path, bulk ``INSERT … SELECT`` included, without the services knowing of it:
an insert adds to its row; an update or delete recomputes the rows of the old and the new (home,
item) from that pair's charges (the unique index leads with home, item). On PostgreSQL the function
first locks the row (an upsert) and then recomputes in a new statement, whose READ COMMITTED snapshot
sees what the desk that held the lock committed: two desks paying the same home stay exact. Before
an update or delete recounts, it locks the home's row (FOR NO KEY UPDATE), so two desks changing one
home's charges in crossing orders wait for each other instead of deadlocking.

``install(db)`` (schema step 16) creates the triggers and fills the table from the charges;
``REFILL_SQL`` is the repair, one statement after emptying the table.
"""
from __future__ import annotations

from peewee import BigIntegerField, CharField, CompositeKey, DateField, IntegerField

from .base import BaseModel
from .db import is_sqlite


class ChargeBalance(BaseModel):
    """Open, arrears-capable charges of one home and item, summed (maintained by triggers only)."""
    home_id = IntegerField()
    item_code = CharField()
    owed_fen = BigIntegerField(default=0)
    open_count = IntegerField(default=0)
    oldest_due = DateField(null=True)
    newest_due = DateField(null=True)

    class Meta:
        table_name = "charge_balance"
        primary_key = CompositeKey("home_id", "item_code")
        indexes = ((("oldest_due",), False),)


class ChargeMonth(BaseModel):
    """Open, arrears-capable charges of one home and month (the period, else the due date's month):
    how many, and the first due date; the months a home owes are its rows with ``oldest_due < as_of``."""
    home_id = IntegerField()
    month = CharField()
    open_count = IntegerField(default=0)
    oldest_due = DateField(null=True)

    class Meta:
        table_name = "charge_balance_month"
        primary_key = CompositeKey("home_id", "month")
        indexes = ((("oldest_due",), False),)


MODELS = [ChargeBalance, ChargeMonth]

# the charges a row sums (keep in step with app.ledger.arrears.NOT_ARREARS)
COUNTED = ("{t}.paid_fen < {t}.amount_fen AND {t}.due_date IS NOT NULL"
           " AND {t}.category NOT IN ('deposit', 'prepay')")

AGGREGATE = ("SELECT home_id, item_code, SUM(amount_fen - paid_fen), COUNT(*), MIN(due_date), MAX(due_date)"
             " FROM charge WHERE " + COUNTED.format(t="charge"))
REFILL_SQL = ("INSERT INTO charge_balance (home_id, item_code, owed_fen, open_count, oldest_due, newest_due) "
              + AGGREGATE + " GROUP BY home_id, item_code")
WATCHED = "amount_fen, paid_fen, refunded_fen, home_id, item_code, due_date, category, period"
# the month a charge counts in (app.ledger.arrears: the period, else the due date's month)
MONTH = {"sqlite": "COALESCE(NULLIF({t}.period, ''), substr({t}.due_date, 1, 7))",
         "pg": "COALESCE(NULLIF({t}.period, ''), to_char({t}.due_date, 'YYYY-MM'))"}


def month_aggregate(engine: str) -> str:
    m = MONTH[engine].format(t="charge")
    return (f"SELECT home_id, {m}, COUNT(*), MIN(due_date) FROM charge WHERE " + COUNTED.format(t="charge"))


def month_refill_sql(engine: str) -> str:
    m = MONTH[engine].format(t="charge")
    return ("INSERT INTO charge_balance_month (home_id, month, open_count, oldest_due) "
            + month_aggregate(engine) + f" GROUP BY home_id, {m}")


def _sqlite_recompute(who: str) -> str:
    return (f"DELETE FROM charge_balance WHERE home_id = {who}.home_id AND item_code = {who}.item_code; "
            "INSERT INTO charge_balance (home_id, item_code, owed_fen, open_count, oldest_due, newest_due) "
            f"{AGGREGATE} AND home_id = {who}.home_id AND item_code = {who}.item_code "
            "GROUP BY home_id, item_code; ")


def _sqlite_recompute_month(who: str) -> str:
    key = MONTH["sqlite"].format(t=who)
    return (f"DELETE FROM charge_balance_month WHERE home_id = {who}.home_id AND month = {key}; "
            "INSERT INTO charge_balance_month (home_id, month, open_count, oldest_due) "
            f"{month_aggregate('sqlite')} AND home_id = {who}.home_id AND {MONTH['sqlite'].format(t='charge')} = {key} "
            f"GROUP BY home_id, {MONTH['sqlite'].format(t='charge')}; ")


SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS charge_balance_ins AFTER INSERT ON charge WHEN "
    + COUNTED.format(t="NEW") + " BEGIN "
    "INSERT INTO charge_balance (home_id, item_code, owed_fen, open_count, oldest_due, newest_due) "
    "VALUES (NEW.home_id, NEW.item_code, NEW.amount_fen - NEW.paid_fen, 1, NEW.due_date, NEW.due_date) "
    "ON CONFLICT (home_id, item_code) DO UPDATE SET owed_fen = owed_fen + excluded.owed_fen, "
    "open_count = open_count + 1, oldest_due = min(oldest_due, excluded.oldest_due), "
    "newest_due = max(newest_due, excluded.newest_due); "
    "INSERT INTO charge_balance_month (home_id, month, open_count, oldest_due) "
    "VALUES (NEW.home_id, " + MONTH["sqlite"].format(t="NEW") + ", 1, NEW.due_date) "
    "ON CONFLICT (home_id, month) DO UPDATE SET open_count = open_count + 1, "
    "oldest_due = min(oldest_due, excluded.oldest_due); END",
    f"CREATE TRIGGER IF NOT EXISTS charge_balance_upd AFTER UPDATE OF {WATCHED} ON charge WHEN ("
    + COUNTED.format(t="OLD") + ") OR (" + COUNTED.format(t="NEW") + ") BEGIN "
    + _sqlite_recompute("OLD") + _sqlite_recompute_month("OLD") + "END",
    f"CREATE TRIGGER IF NOT EXISTS charge_balance_move AFTER UPDATE OF {WATCHED} ON charge WHEN ("
    "NEW.home_id IS NOT OLD.home_id OR NEW.item_code IS NOT OLD.item_code OR NEW.period IS NOT OLD.period"
    " OR NEW.due_date IS NOT OLD.due_date) AND "
    + COUNTED.format(t="NEW") + " BEGIN " + _sqlite_recompute("NEW") + _sqlite_recompute_month("NEW") + "END",
    "CREATE TRIGGER IF NOT EXISTS charge_balance_del AFTER DELETE ON charge WHEN "
    + COUNTED.format(t="OLD") + " BEGIN " + _sqlite_recompute("OLD") + _sqlite_recompute_month("OLD") + "END",
)

PG_FUNCTIONS = (
    """CREATE OR REPLACE FUNCTION charge_balance_fix(h integer, i varchar) RETURNS void AS $$
BEGIN
  -- lock the row first (waits for a desk changing the same home and item), then recompute in a
  -- new statement: its snapshot sees what that desk committed
  INSERT INTO charge_balance (home_id, item_code, owed_fen, open_count) VALUES (h, i, 0, 0)
    ON CONFLICT (home_id, item_code) DO UPDATE SET owed_fen = charge_balance.owed_fen;
  UPDATE charge_balance b SET (owed_fen, open_count, oldest_due, newest_due) = (
      SELECT COALESCE(SUM(c.amount_fen - c.paid_fen), 0), COUNT(*), MIN(c.due_date), MAX(c.due_date)
      FROM charge c WHERE c.home_id = h AND c.item_code = i AND """ + COUNTED.format(t="c") + """)
    WHERE b.home_id = h AND b.item_code = i;
  DELETE FROM charge_balance WHERE home_id = h AND item_code = i AND open_count = 0;
END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION charge_month_fix(h integer, m varchar) RETURNS void AS $$
BEGIN
  INSERT INTO charge_balance_month (home_id, month, open_count) VALUES (h, m, 0)
    ON CONFLICT (home_id, month) DO UPDATE SET open_count = charge_balance_month.open_count;
  UPDATE charge_balance_month b SET (open_count, oldest_due) = (
      SELECT COUNT(*), MIN(c.due_date) FROM charge c
      WHERE c.home_id = h AND """ + MONTH["pg"].format(t="c") + " = m AND " + COUNTED.format(t="c") + """)
    WHERE b.home_id = h AND b.month = m;
  DELETE FROM charge_balance_month WHERE home_id = h AND month = m AND open_count = 0;
END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION charge_balance_sync() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF """ + COUNTED.format(t="NEW") + """ THEN
      INSERT INTO charge_balance (home_id, item_code, owed_fen, open_count, oldest_due, newest_due)
        VALUES (NEW.home_id, NEW.item_code, NEW.amount_fen - NEW.paid_fen, 1, NEW.due_date, NEW.due_date)
        ON CONFLICT (home_id, item_code) DO UPDATE SET
          owed_fen = charge_balance.owed_fen + EXCLUDED.owed_fen,
          open_count = charge_balance.open_count + 1,
          oldest_due = LEAST(charge_balance.oldest_due, EXCLUDED.oldest_due),
          newest_due = GREATEST(charge_balance.newest_due, EXCLUDED.newest_due);
      INSERT INTO charge_balance_month (home_id, month, open_count, oldest_due)
        VALUES (NEW.home_id, """ + MONTH["pg"].format(t="NEW") + """, 1, NEW.due_date)
        ON CONFLICT (home_id, month) DO UPDATE SET open_count = charge_balance_month.open_count + 1,
          oldest_due = LEAST(charge_balance_month.oldest_due, EXCLUDED.oldest_due);
    END IF;
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    IF """ + COUNTED.format(t="OLD") + """ THEN
      PERFORM 1 FROM home WHERE id = OLD.home_id FOR NO KEY UPDATE;
      PERFORM charge_balance_fix(OLD.home_id, OLD.item_code);
      PERFORM charge_month_fix(OLD.home_id, """ + MONTH["pg"].format(t="OLD") + """);
    END IF;
    RETURN NULL;
  END IF;
  IF (""" + COUNTED.format(t="OLD") + ") OR (" + COUNTED.format(t="NEW") + """) THEN
    -- the home's row first: two desks recounting one home's rows in crossing orders would deadlock
    PERFORM 1 FROM home WHERE id IN (OLD.home_id, NEW.home_id) ORDER BY id FOR NO KEY UPDATE;
    PERFORM charge_balance_fix(OLD.home_id, OLD.item_code);
    PERFORM charge_month_fix(OLD.home_id, """ + MONTH["pg"].format(t="OLD") + """);
    IF (NEW.home_id, NEW.item_code) IS DISTINCT FROM (OLD.home_id, OLD.item_code) THEN
      PERFORM charge_balance_fix(NEW.home_id, NEW.item_code);
    END IF;
    IF (NEW.home_id, """ + MONTH["pg"].format(t="NEW") + ") IS DISTINCT FROM (OLD.home_id, " + MONTH["pg"].format(
        t="OLD") + """) THEN
      PERFORM charge_month_fix(NEW.home_id, """ + MONTH["pg"].format(t="NEW") + """);
    END IF;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS charge_balance_sync ON charge",
    f"CREATE TRIGGER charge_balance_sync AFTER INSERT OR DELETE OR UPDATE OF {WATCHED} ON charge "
    "FOR EACH ROW EXECUTE FUNCTION charge_balance_sync()",
)


# the open charges of a home (and item): what the triggers recount after a payment, never its history
OPEN_HOME_INDEX_SQL = ('CREATE INDEX IF NOT EXISTS "charge_open_home" ON "charge" ("home_id", "item_code", "due_date")'
                       ' WHERE ("paid_fen" < "amount_fen")')


def install(db) -> None:
    """Create the tables (when missing), (re)create the triggers of this engine, and fill the tables
    from the charges. Idempotent."""
    db.create_tables([ChargeBalance, ChargeMonth], safe=True)
    db.execute_sql(OPEN_HOME_INDEX_SQL)
    if is_sqlite(db):                # replaced, not kept: an older version of them may be there
        for name in ("charge_balance_ins", "charge_balance_upd", "charge_balance_move", "charge_balance_del"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    for sql in SQLITE_TRIGGERS if is_sqlite(db) else PG_FUNCTIONS:
        db.execute_sql(sql)
    refill(db)


def refill(db) -> None:
    """Rebuild every row from the charges (the repair of a balance the check found wrong)."""
    db.execute_sql("DELETE FROM charge_balance")
    db.execute_sql(REFILL_SQL)
    db.execute_sql("DELETE FROM charge_balance_month")
    db.execute_sql(month_refill_sql("sqlite" if is_sqlite(db) else "pg"))
