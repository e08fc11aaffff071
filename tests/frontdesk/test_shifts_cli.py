"""Command line of the shift log: `propertydesk shifts --date D` lists the day's hand-overs and
corrections with the open items now; `print shift-day --date D --out F` writes the A4 day sheet
(subprocesses, signed in through the environment as every command-line test)."""
import datetime as dt

from app.frontdesk import parcels, shifts
from tests.frontdesk.test_frontdesk_cli import run_cli
from tests.helpers import signin
from tests.helpers.keys import DEFAULT_HOMES, make_homes
from tests.helpers.pdf import pdf_text


def test_cli_lists_and_prints_the_days_shift_log(ctx, users, data_dir, tmp_path):
    make_homes(DEFAULT_HOMES)
    ctx.clock.set(dt.datetime(2026, 11, 20, 15, 55))
    parcels.check_in(ctx, {"room_code": "5-201", "carrier": "顺丰", "tracking_no": "SF100", "place": "货架A-1"})
    e = shifts.hand_over(ctx, {"events": "5号楼停水两小时", "pending": "SF100待取", "cash": "88.5"}, "frontdesk",
                         signin.test_password())
    shifts.correct(ctx, e.id, "现金实为 80 元", cash="80")
    r = run_cli(data_dir, "shifts", "--date", "2026-11-20")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any("JB2026-000001" in ln and "早班 08:00-16:00" in ln and "→ 李前台" in ln and "现金 88.50 元" in ln
               for ln in lines), r.stdout
    assert "    记事：5号楼停水两小时  移交：SF100待取" in lines
    assert any("JB2026-000002  更正 JB2026-000001" in ln and "更正后现金 80.00 元" in ln for ln in lines)
    assert "2026-11-20 共 2 条交接班记录" in r.stdout and "当前未结：待取包裹 1 件" in r.stdout
    out = tmp_path / "shift.pdf"
    r = run_cli(data_dir, "print", "shift-day", "--date", "2026-11-20", "--out", str(out))
    assert r.returncode == 0, r.stderr
    text = pdf_text(out.read_bytes())
    assert "交接班记录" in text and "5号楼停水两小时" in text and "现金实为 80 元" in text
    r = run_cli(data_dir, "shifts", "--date", "2026-13-01")
    assert r.returncode != 0 and "--date" in r.stderr + r.stdout
