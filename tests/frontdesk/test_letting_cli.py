"""Command line of the letting ledger: `propertydesk letting` lists the homes on offer,
`--seekers` the seekers still looking, `print letting --out F` the list (subprocesses)."""
from app.frontdesk import letting
from tests.frontdesk.test_frontdesk_cli import run_cli
from tests.helpers.keys import DEFAULT_HOMES, make_homes
from tests.helpers.pdf import pdf_text


def test_cli_lists_and_prints_the_letting_ledger(ctx, data_dir, tmp_path):
    make_homes(DEFAULT_HOMES)
    letting.add_listing(ctx, {"room_code": "5-201", "price": "2300", "owner_name": "刘女士", "terms": "一年起租",
                              "available_from": "2026-12-01"})
    letting.add_seeker(ctx, {"name": "陈明", "phone": "13912345678", "needs": "两室", "budget": "2500"})
    r = run_cli(data_dir, "letting")
    assert r.returncode == 0, r.stderr
    assert "ZL2026-000001  5-201  出租 2,300.00 元/月  2026-12-01起  业主 刘女士  一年起租" in r.stdout
    assert "共 1 套房源在租售" in r.stdout
    r = run_cli(data_dir, "letting", "--seekers")
    assert r.returncode == 0, r.stderr
    assert "QZ2026-000001  陈明 139****5678  求租  预算 2,500.00 元  两室" in r.stdout and "13912345678" not in r.stdout
    out = tmp_path / "letting.pdf"
    r = run_cli(data_dir, "print", "letting", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "租售房源登记表" in pdf_text(out.read_bytes())
