"""Foundation: settings, money, validation, privacy, audit chain, migrations."""
import datetime as dt

import pytest

from app.core import money, validation
from app.core.errors import PermissionDenied, ValidationError
from app.core.permissions import ACTIONS, allowed, require
from app.core.privacy import mask_id, mask_phone
from app.core.settings import SETTINGS, Settings


@pytest.mark.parametrize("text,fen", [("1.78", 178), ("1,234.5", 123450), ("¥12", 1200), ("０.５６", 56),
                                      ("3000元", 300000)])
def test_parse_yuan(text, fen):
    assert money.parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["1.234", "abc", "", "-1"])
def test_parse_yuan_rejects(text):
    with pytest.raises(ValidationError) as e:
        money.parse_yuan(text, "收款金额")
    assert "收款金额" in str(e.value)


def test_money_never_float():
    with pytest.raises(TypeError):
        money.parse_yuan(1.5)
    with pytest.raises(TypeError):
        money.mul_fen(1.5, 100)


@pytest.mark.parametrize("qty,rate,fen", [("123.45", 178, 21974), ("0.5", 1, 1), ("2.5", 1, 3), ("100", 290, 29000)])
def test_mul_fen_half_up_once(qty, rate, fen):
    assert money.mul_fen(qty, rate) == fen


@pytest.mark.parametrize("fen,text", [
    (0, "零元整"), (12345, "壹佰贰拾叁元肆角伍分"), (100000, "壹仟元整"), (1000500, "壹万零伍元整"),
    (300000, "叁仟元整"), (10, "壹角整"), (1, "壹分"), (100001, "壹仟元零壹分"), (10000000000, "壹亿元整"),
    (2138000, "贰万壹仟叁佰捌拾元整"),
])
def test_daxie(fen, text):
    assert money.daxie(fen) == text


def test_fmt_fen():
    assert money.fmt_fen(123456789) == "1,234,567.89"
    assert money.fmt_fen(-5) == "-0.05"


def make_id(prefix17):
    return prefix17 + validation.id_check_char(prefix17)


def test_id_number_checksum():
    good = make_id("11010119900307123")
    assert validation.check_id_number(good) == good
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="校验位"):
        validation.check_id_number(bad)
    with pytest.raises(ValidationError, match="身份证号"):
        validation.check_id_number("12345")
    with pytest.raises(ValidationError, match="出生日期"):
        validation.check_id_number(make_id("11010119901307123"))


@pytest.mark.parametrize("text,ok", [("138 1234 5678", "13812345678"), ("138-1234-5678", "13812345678"),
                                     ("+8613812345678", "13812345678"), ("１３８１２３４５６７８", "13812345678")])
def test_mobile(text, ok):
    assert validation.check_mobile(text) == ok


def test_mobile_bad():
    with pytest.raises(ValidationError, match="手机号码"):
        validation.check_mobile("12345678901")


def test_phone_landline():
    assert validation.check_phone("0351-7654321") == "0351-7654321"
    assert validation.check_phone("7654321") == "7654321"


def test_phone_service_hotline():
    assert validation.check_phone("400-123-4567") == "400-123-4567"
    assert validation.check_phone("８００ ８１０ ８８８８") == "800-810-8888"
    with pytest.raises(ValidationError, match="联系电话.*400/800"):
        validation.check_phone("400-123-456")


@pytest.mark.parametrize("text", ["2011/6/10", "2011.6.10", "2011年6月10日", "2011-06-10", dt.date(2011, 6, 10)])
def test_dates(text):
    assert validation.parse_date(text) == dt.date(2011, 6, 10)


def test_area():
    assert validation.check_area("123.45") == 12345
    assert validation.check_area("89㎡") == 8900
    with pytest.raises(ValidationError, match="建筑面积"):
        validation.check_area("-3")


def test_room_code():
    assert validation.check_room_code("5-203") == "5-203"
    assert validation.check_room_code("５－２０３") == "5-203"
    with pytest.raises(ValidationError, match="房号"):
        validation.check_room_code("abc")


def test_masking():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_id("110101199003071234") == "110***********1234"


def test_settings_defaults_from_domain():
    s = Settings()
    assert s.get("fee.property_rate.洋房") == 178
    assert s.get("fee.parking_under") == 24000
    assert s.get("renovation.deposit.联排") == 1000000
    assert s.get("dunning.late_fee_daily_rate") == "0.0003"
    assert len({x.key for x in SETTINGS}) == len(SETTINGS)


def test_settings_roundtrip_and_bad_value(tmp_path):
    s = Settings.load(tmp_path)
    s.set("site.name", "万兴现代城")
    s.set("fee.property_rate.洋房", 199)
    s.save()
    again = Settings.load(tmp_path)
    assert again.get("site.name") == "万兴现代城" and again.get("fee.property_rate.洋房") == 199
    with pytest.raises(ValidationError, match="物业费 洋房"):
        again.update({"site.name": "x", "fee.property_rate.洋房": "abc"})
    assert again.get("site.name") == "万兴现代城"  # nothing changed half-way


def test_permissions_table():
    assert allowed("manager", "ledger.void")
    assert not allowed("frontdesk", "ledger.void")
    for action, (_label, roles) in ACTIONS.items():
        assert "manager" in roles, action


def test_require_refuses_in_chinese(as_role):
    with pytest.raises(PermissionDenied, match="权限不足"):
        require(as_role("frontdesk"), "settings.edit")


def test_audit_chain_detects_edit(ctx):
    from app.core.audit import record, verify_chain
    from models.users import AuditLog
    with ctx.db.atomic():
        for i in range(3):
            record(ctx, "test.write", "thing", i, {"v": i}, {"v": i + 1})
    assert verify_chain(ctx) == []
    AuditLog.update(after='{"v": 99}').where(AuditLog.seq == 2).execute()
    assert any("2" in p for p in verify_chain(ctx))


def test_schema_version_and_newer_refused(ctx):
    from models.migrations import CURRENT_VERSION, SchemaTooNew, get_version, migrate
    from models.system import Meta
    assert get_version() == CURRENT_VERSION
    Meta.update(value=str(CURRENT_VERSION + 1)).where(Meta.key == "schema_version").execute()
    with pytest.raises(SchemaTooNew, match="高于本程序"):
        migrate()


def test_table_manifest_matches_models():
    from models import TABLES, all_models
    assert {m._meta.table_name for m in all_models()} == TABLES


def test_missing_table_created_at_start(ctx):
    from models.archive import Visit
    from models.migrations import migrate
    ctx.db.drop_tables([Visit])
    assert "visit" not in ctx.db.get_tables()
    migrate()
    assert "visit" in ctx.db.get_tables()


def test_sqlite_pragmas(ctx):
    from models.db import is_sqlite
    if not is_sqlite():
        pytest.skip("sqlite only")
    assert ctx.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert ctx.db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert ctx.db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2


def test_vault_hides_identity_number(ctx):
    v = ctx.vault
    token = v.encrypt("110101199003071234")
    assert "110101199003071234" not in token
    assert v.decrypt(token) == "110101199003071234"
    assert v.lookup_hash("110101199003071234") == v.lookup_hash("110101199003071234")


def test_cli_settings_runs(tmp_path):
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(tmp_path), "settings"],
                       capture_output=True, text=True, encoding="utf-8", check=False)
    assert r.returncode == 0, r.stderr
    assert "fee.property_rate.洋房 = 178" in r.stdout


def test_main_window_opens(qtbot, ctx):
    from ui.main_window import MainWindow
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    assert "天伦庄园" in w.windowTitle()


def test_peewee_loaded_without_psycopg2_and_postgres_still_has_its_driver():
    """Start-up hides psycopg2 from peewee (30 ms); a PostgreSQL URL hands the driver over."""
    import subprocess
    import sys
    code = (
        "import sys, models.db as d, peewee\n"
        "assert peewee.psycopg2 is None and 'psycopg2' not in sys.modules\n"
        "d._enable_psycopg2()\n"
        "import psycopg2\n"
        "from psycopg2 import extensions as e\n"
        "assert peewee.psycopg2 is psycopg2\n"
        "db = peewee.PostgresqlDatabase('x')\n"
        "assert isinstance(db._adapter, peewee.Psycopg2Adapter)\n"
        "db._adapter.check_driver()\n"
        "assert db._adapter.txn_idle == e.TRANSACTION_STATUS_IDLE\n"
        "assert db._adapter.json_type is not None\n"
        "print('ok')\n")
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(root), check=False)
    assert r.stdout.strip() == "ok", r.stderr
