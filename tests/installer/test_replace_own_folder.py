"""Issue 19, the replacing site's own data folder and the kept site (installer/propertydesk.nsi,
installer/verify_replace.py). Under Wine in installer/ci.sh; here: the script compiles with makensis
(a stub stage), says what it must, and the kept-site check fails on the states it must catch."""
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NSI = ROOT / "installer" / "propertydesk.nsi"
sys.path.insert(0, str(ROOT / "installer"))
try:
    spec = importlib.util.spec_from_file_location("installer_verify_own", ROOT / "installer" / "verify.py")
    verify = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(verify)
finally:
    sys.path.remove(str(ROOT / "installer"))


@pytest.mark.skipif(not shutil.which("makensis"), reason="makensis not installed (apt-get install nsis)")
def test_the_script_compiles_for_a_site(tmp_path):
    stage = tmp_path / "stage"
    (stage / "resources").mkdir(parents=True)
    (stage / "pythonw.exe").write_bytes(b"MZ")
    shutil.copyfile(ROOT / "resources" / "app.ico", stage / "resources" / "app.ico")
    (tmp_path / "license.txt").write_text("licence", encoding="utf-16")
    out = tmp_path / "setup.exe"
    (tmp_path / "site.nsh").write_text("\n".join([
        '!define SITE "wanxing"', '!define SITE_NAME "万兴现代城"', '!define VERSION "0.1.0"',
        '!define VERSION4 "0.1.0.0"', f'!define STAGE "{stage}"', f'!define OUTFILE "{out}"',
        '!define DATA_DEFAULT "machine"', '!define COMPRESSOR "zlib"', '!define INSTALLED_KB "1"',
        f'!define LICENSE_PAGE "{tmp_path / "license.txt"}"', f'!define ICON "{stage / "resources" / "app.ico"}"',
        "!macro REMOVE_PROGRAM_FILES", '  Delete "$INSTDIR\\pythonw.exe"', "!macroend", ""]), encoding="utf-8")
    proc = subprocess.run(["makensis", "-V2", "-INPUTCHARSET", "UTF8", f"-DSITE_NSH={tmp_path / 'site.nsh'}", str(NSI)],
                          capture_output=True, text=True, errors="replace", timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert out.stat().st_size > 30_000 and out.read_bytes()[:2] == b"MZ"


def test_the_script_refuses_over_kept_data_and_gives_the_new_site_its_own_folder():
    """What the Wine round checks, in the script's words: the refusal no longer needs InstallDir (a site
    uninstalled with its data kept counts), and a replacing site's folder is '<old>-<code>'."""
    text = NSI.read_text(encoding="utf-8")
    init = text[text.index("Function .onInit"):text.index("FunctionEnd", text.index("Function .onInit"))]
    assert '${AndIf} $1 != ""' not in init
    assert "本机保留着站点“$OldSiteName”（$OldSite）的物业前台数据" in init
    assert 'StrCpy $DataDir "$DataDir-${SITE}"' in text
    assert "原站点的数据保留在原处（未打开、未修改）：$OldDataDir" in text


@pytest.fixture
def kept(tmp_path):
    """A fake prefix right after an uninstall that kept 天伦庄园's data: registry keeps the site, no InstallDir."""
    v = verify.Verifier.__new__(verify.Verifier)
    v.prefix, v.failures, v.code, v.site_name = tmp_path, [], "tianlun", "天伦庄园"
    v.other_exe = tmp_path / "wanxing-setup.exe"
    data_win = r"C:\users\office\AppData\Local\PropertyDesk\PropertyDesk"
    data = v.c_path(data_win)
    data.mkdir(parents=True)
    (data / "propertydesk.db").write_bytes(b"db")
    key = {"Site": "tianlun", "SiteName": "天伦庄园", "DataMode": "user", "DataDir": data_win}
    state = {"key": dict(key)}
    v.registry = lambda: ""
    v.reg_section = lambda _text, name: dict(state["key"]) if name == v.APP_KEY else None
    return v, data, data_win, state


def test_kept_site_check_passes_on_a_refusal(kept):
    v, _data, data_win, _state = kept
    v.install = lambda label, extra=(), exe=None, expect_rc=0: None   # the setup refused: nothing changed
    v.kept_site_refused(data_win)
    assert v.failures == []


def test_kept_site_check_fails_when_the_setup_installs_or_touches_the_data(kept):
    v, data, data_win, state = kept

    def installs(label, extra=(), exe=None, expect_rc=0):
        inst = v.installed_dir()
        inst.mkdir(parents=True, exist_ok=True)
        (inst / "pythonw.exe").write_bytes(b"MZ")
        (data / "site.json").write_text("{}", encoding="utf-8")
        state["key"].update(Site="wanxing", InstallDir=r"C:\Program Files\PropertyDesk")
    v.install = installs
    v.kept_site_refused(data_win)
    assert any("kept site: refused" in f for f in v.failures)
