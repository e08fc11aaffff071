"""Issue 19: settings in layers — product defaults < the installer's site file < the office's changes.

Saving writes only what the office changed, so an upgrade's new site values arrive (the bug: one save
in 站点设置 wrote all settings, and an upgrade from 洋房 1.78 to 1.88 still billed 1.78)."""
from __future__ import annotations

import tomllib

import pytest

from app.core.settings import APPLIED_SITE_FILE, SETTINGS, SETTINGS_FILE, Settings, write_toml
from app.system.site_settings import acknowledge_site_changes, save_settings, site_changes, source_label
from models.users import AuditLog

RATE = "fee.property_rate.洋房"


def site_file(tmp_path, name, rate, phone="0371-63886699"):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'[site]\nname = "天伦庄园"\nservice_phone = "{phone}"\n\n[fee.property_rate]\n"洋房" = {rate}\n',
                    encoding="utf-8")
    return path


def use_site(ctx, path):
    ctx.settings = Settings.load(ctx.data_dir, site_file=path)
    return ctx.settings


def office_file(ctx) -> dict:
    with open(ctx.data_dir / SETTINGS_FILE, "rb") as fh:
        return tomllib.load(fh)


def test_saving_writes_only_the_offices_change_and_an_upgrade_rate_arrives(ctx, tmp_path):
    use_site(ctx, site_file(tmp_path, "v1", 178))
    save_settings(ctx, {"site.service_phone": "0371-60000001"})   # through the settings code, as 站点设置 saves
    assert office_file(ctx) == {"site": {"service_phone": "0371-60000001"}}
    s = use_site(ctx, site_file(tmp_path, "v2", 188))              # the upgrade's installer
    assert s.get(RATE) == 188 and s.source(RATE) == "site"
    assert s.get("site.service_phone") == "0371-60000001" and s.source("site.service_phone") == "office"
    assert s.source("dunning.due_day" if False else "billing.due_day") == "default"
    assert [source_label(ctx, k) for k in (RATE, "site.service_phone", "billing.due_day")] == \
        ["站点文件", "本处修改", "程序默认"]


def test_an_older_versions_full_copy_of_every_setting_no_longer_hides_new_site_values(ctx, tmp_path):
    # the old program wrote all 18x values, the site's 1.78 among them, on one save
    old = {s.key: s.default for s in SETTINGS} | {"site.service_phone": "0371-60000001"}
    write_toml(ctx.data_dir / SETTINGS_FILE, old)
    s = use_site(ctx, site_file(tmp_path, "v2", 188))
    assert s.get(RATE) == 188
    assert s.changed() == {"site.service_phone": "0371-60000001"}
    acknowledge_site_changes(ctx)                                  # first start: the file is cleaned
    assert office_file(ctx) == {"site": {"service_phone": "0371-60000001"}}


def test_a_dumped_old_site_value_gives_way_to_the_new_one(ctx, tmp_path):
    """The old site file said 2.00 (not the product's 1.78) and was dumped into the office's file: the
    site values the manager last saw tell it apart from an office change."""
    use_site(ctx, site_file(tmp_path, "v1", 200))
    acknowledge_site_changes(ctx)                                  # remembered: 洋房 2.00 from the site
    write_toml(ctx.data_dir / SETTINGS_FILE, {RATE: 200, "site.service_phone": "0371-60000001"})
    s = use_site(ctx, site_file(tmp_path, "v2", 210))
    assert s.get(RATE) == 210 and s.source(RATE) == "site"


def test_an_office_change_survives_the_upgrade_and_is_listed_as_kept(ctx, tmp_path):
    use_site(ctx, site_file(tmp_path, "v1", 178))
    acknowledge_site_changes(ctx)
    save_settings(ctx, {RATE: "2.00"})
    use_site(ctx, site_file(tmp_path, "v2", 188))
    assert ctx.settings.get(RATE) == 200
    changes = site_changes(ctx)
    assert [(c["label"], c["old"], c["new"], c["now"], c["overridden"]) for c in changes] == \
        [("物业费 洋房（元/㎡·月）", "1.78", "1.88", "2.00", True)]


def test_the_upgrade_list_is_audited_once_acknowledged(ctx, tmp_path):
    use_site(ctx, site_file(tmp_path, "v1", 178))
    acknowledge_site_changes(ctx)
    assert site_changes(ctx) == []
    use_site(ctx, site_file(tmp_path, "v2", 188, phone="0371-63889999"))
    changes = site_changes(ctx)
    assert {c["key"] for c in changes} == {RATE, "site.service_phone"}
    acknowledge_site_changes(ctx, changes)
    assert site_changes(ctx) == []
    row = AuditLog.select().where(AuditLog.action == "settings.site_upgrade").get()
    assert "1.88" in row.after and "1.78" in row.before
    applied = tomllib.loads((ctx.data_dir / APPLIED_SITE_FILE).read_text(encoding="utf-8"))
    assert applied["fee"]["property_rate"]["洋房"] == 188


def test_a_bad_value_in_the_site_file_names_the_setting(ctx, tmp_path):
    from app.core.errors import ValidationError
    bad = tmp_path / "bad.toml"
    bad.write_text('[fee.property_rate]\n"洋房" = "abc"\n', encoding="utf-8")
    with pytest.raises(ValidationError, match="物业费 洋房"):
        Settings.load(ctx.data_dir, site_file=bad)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("fee.property_rate.洋房", 17800, "物业费 洋房（元/㎡·月）：应在 0.01 至 20.00 之间，收到 178.00"),
    ("fee.property_rate.洋房", 0, "应在 0.01 至 20.00 之间，收到 0.00"),
    ("billing.due_day", 45, "月度费用缴费截止日（每月几日，超过月末按月末）：应在 1 至 31 之间，收到 45"),
    ("billing.collection_target_pct", 960, "收费率目标（%）：应在 0 至 100 之间，收到 960"),
    ("billing.bill_vacant", "ture", "空置房计收物业费：应为“是”或“否”（true / false），收到“ture”"),
    ("site.name", "", "小区名称：不能为空"),
    ("dunning.late_fee_daily_rate", "0.3", "滞纳金日费率：应在 0 至 0.01 之间，收到 0.3"),
])
def test_values_out_of_range_or_of_the_wrong_type_are_refused(key, value, message):
    """The issue's examples: name = "", a rate of 17800 or 0, due_day 45, a 960 % target, bool "ture"."""
    from app.core.errors import ValidationError
    s = Settings()
    with pytest.raises(ValidationError) as err:
        s.set(key, value)
    assert message in str(err.value)
    assert s.get(key) == next(x.default for x in SETTINGS if x.key == key)
