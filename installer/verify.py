#!/usr/bin/env python3
"""Verify a site's installer under Wine on Linux: install, self-test, upgrade, uninstall.

    .venv/bin/python installer/verify.py --site installer/sites/tianlun.toml [--exe X-setup.exe] [--quick]

In a fresh Wine prefix (installer/build/verify/<site>/), under a private Xvfb display:
 1. install silently: ``setup.exe /S /D=C:\\Program Files\\PropertyDesk``;
 2. check the program files, the baked-in site.toml, the Start-menu and desktop shortcuts
    (.lnk: target pythonw.exe, arguments ``-m propertydesk …``, working folder = install folder) and the
    uninstall registry entry;
 3. run what the shortcut runs plus ``selftest --out …json`` (database in the data folder, a
    written record, a printed PDF, the main window offscreen and on Qt's Windows platform);
 4. change a setting in the data folder, install again (upgrade) and self-test again: the
    earlier record and the setting must still be there;
 5. uninstall silently: the program files, shortcuts and registry entry must be gone, the data
    kept and where it is still recorded; (not with --quick) install again: the reinstall opens the
    same data folder with the earlier records; uninstall with /REMOVEDATA: the data is gone;
 6. (with --other-exe, not with --quick; before that last uninstall) another site's installer over
    the installed site: refused silently (exit code 4, nothing changed, install.log says why), then
    /REPLACESITE replaces it (old shortcuts gone, registry names the new site, the data kept where it
    was and opened); the last uninstall leaves no dangling shortcut (installer/verify_replace.py).

Wine 8 lacks three functions Qt 6 / cryptography need; stand-in DLLs built here from
installer/wine-standins/*.c with mingw-w64 are put into the TEST PREFIX only (never shipped).
Any miss prints ``VERIFY FAILED`` with the reasons and exits 1. Timings go to verify.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

from verify_replace import ReplaceSiteRound

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD = HERE / "build"
STANDINS = {"icuuc": [], "bcryptprimitives": ["-ladvapi32"], "mscms": []}
INSTALL_WIN = r"C:\Program Files\PropertyDesk"
OUT_WIN = r"C:\pd-verify"
MIN_SHOT_BYTES = 2000   # a saved window picture smaller than this is blank
SM_FOLDER = "物业前台"
UNINST_KEY = r"Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\PropertyDesk"
APP_KEY = r"Software\\PropertyDesk"
VERIFY_USER, VERIFY_PASSWORD = "verify", "verify-Anzhuang-2026"   # the first manager the check creates
RATE_KEY = "fee.property_rate.洋房"         # the rate an upgrade's site file changes (installer/ci.sh)
EARLIER_SELFTESTS_BEFORE_REINSTALL = 2   # the install's and the upgrade's
XVFB_START_S = 30                # seconds Xvfb has to name its display
LNK_HEADER_SIZE = 0x4C           # MS-SHLLINK: the ShellLinkHeader, which starts with its own size
LINK_INFO_UNICODE_HEADER = 0x24  # a LinkInfo header this long carries the Unicode path offsets


def log(msg: str):
    print(f"[verify] {msg}", flush=True)


class VerifyError(RuntimeError):
    pass


class Verifier(ReplaceSiteRound):
    APP_KEY, UNINST_KEY, SM_FOLDER = APP_KEY, UNINST_KEY, SM_FOLDER

    def __init__(self, site_file: Path, exe: Path, quick: bool, keep: bool, upgrade_exe: Path | None = None,
                 other: tuple[Path, Path] | None = None):
        self.other_site, self.other_exe = other or (None, None)   # another site's installer (replace round)
        self.upgrade_exe = upgrade_exe   # the same site with new site values (an upgrade that changes a rate)
        self.site_file = site_file
        with open(site_file, "rb") as fh:
            self.site = tomllib.load(fh)
        self.code = site_file.stem
        self.site_name = self.site["site"]["name"]
        self.data_mode = (self.site.get("installer") or {}).get("data", "user")
        self.exe = exe
        self.quick = quick
        self.keep = keep
        self.work = BUILD / "verify" / self.code
        self.prefix = self.work / "prefix"
        self.failures: list[str] = []
        self.times: dict[str, float] = {}
        self.facts: dict = {}
        self.xvfb = None
        self.env = {}

    # -- plumbing ----------------------------------------------------------------------------
    def check(self, cond: bool, msg: str):
        if cond:
            log(f"ok    {msg}")
        else:
            log(f"MISS  {msg}")
            self.failures.append(msg)
        return cond

    def timed(self, name):
        verifier = self

        class _T:
            def __enter__(self):
                self.t0 = time.perf_counter()

            def __exit__(self, *exc):
                verifier.times[name] = round(time.perf_counter() - self.t0, 1)
                log(f"{name}: {verifier.times[name]} s")
        return _T()

    def c_path(self, win_path: str) -> Path:
        """Linux path of a C:\\ path in the prefix."""
        assert win_path[:3].upper() == "C:\\", win_path
        return self.prefix / "drive_c" / Path(*win_path[3:].split("\\"))

    def wine(self, args, timeout=900, cwd=None, name="wine"):
        """Run a Windows program; stdout/stderr piped (Wine misbehaves when they are files)."""
        proc = subprocess.Popen(["wine", *map(str, args)], env=self.env, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        chunks: list[bytes] = []
        # read in a thread and wait for the process, not for EOF: a Wine process started on the
        # way (explorer.exe for the desktop) can inherit the pipe and hold it open
        reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: proc.stdout.read1(65536), b"")),
                                  daemon=True)
        reader.start()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            reader.join(5)
            raise VerifyError(f"{name}: no exit within {timeout} s; output: "
                              f"{b''.join(chunks)[-2000:].decode('utf-8', 'replace')}") from None
        reader.join(10)
        self.wait_wineserver()
        return proc.returncode, b"".join(chunks).decode("utf-8", "replace")

    def wait_wineserver(self, timeout=300):
        try:
            subprocess.run(["wineserver", "-w"], env=self.env, timeout=timeout, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, check=False)
        except subprocess.TimeoutExpired:
            raise VerifyError(f"Wine processes still running after {timeout} s") from None

    def start_xvfb(self):
        if not shutil.which("Xvfb"):
            raise VerifyError("Xvfb not found (apt-get install xvfb xauth)")
        r, w = os.pipe()
        self.xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x1024x24",
                                      "-nolisten", "tcp"], pass_fds=(w,), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(w)
        buf = b""
        t0 = time.time()
        while not buf.endswith(b"\n") and time.time() - t0 < XVFB_START_S:
            chunk = os.read(r, 16)
            if not chunk:
                break
            buf += chunk
        os.close(r)
        if not buf.strip():
            raise VerifyError("Xvfb did not start")
        return ":" + buf.decode().strip()

    def stop(self):
        if self.env:
            subprocess.run(["wineserver", "-k"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=False)
        if self.xvfb is not None:
            self.xvfb.terminate()
            try:
                self.xvfb.wait(10)
            except subprocess.TimeoutExpired:
                self.xvfb.kill()

    # -- steps -------------------------------------------------------------------------------
    def build_standins(self) -> Path:
        out = BUILD / "wine-standins"
        out.mkdir(parents=True, exist_ok=True)
        gcc = shutil.which("x86_64-w64-mingw32-gcc")
        if not gcc:
            raise VerifyError("x86_64-w64-mingw32-gcc not found (apt-get install gcc-mingw-w64-x86-64-win32)")
        for name, libs in STANDINS.items():
            src, dll = HERE / "wine-standins" / f"{name}.c", out / f"{name}.dll"
            if not dll.exists() or dll.stat().st_mtime < src.stat().st_mtime:
                subprocess.run([gcc, "-O2", "-shared", "-s", "-o", str(dll), str(src), *libs], check=True)
        return out

    def choose_lang(self) -> str:
        """A Chinese Windows (code page 936) needs the Linux locale zh_CN.UTF-8: Wine converts
        file names with the Unix locale's charset, and without the locale Chinese names fail."""
        wanted = os.environ.get("PD_VERIFY_LANG")
        if wanted:
            return wanted
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout.lower()
        if "zh_cn.utf8" in out or "zh_cn.utf-8" in out:
            return "zh_CN.UTF-8"
        log("WARNING: no zh_CN.UTF-8 locale (localedef -i zh_CN -f UTF-8 zh_CN.UTF-8): testing an English "
            "Windows with C.UTF-8")
        return "C.UTF-8"

    def make_prefix(self, standins: Path):
        self.lang = self.choose_lang()
        self.facts["lang"] = self.lang
        shutil.rmtree(self.work, ignore_errors=True)
        (self.work / "home").mkdir(parents=True)
        display = self.start_xvfb()
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.work / "home"),
            "WINEPREFIX": str(self.prefix), "WINEARCH": "win64", "WINEDEBUG": "-all", "DISPLAY": display,
            "LANG": self.lang, "XDG_RUNTIME_DIR": str(self.work / "home"),
            # no Mono/Gecko download prompts; the stand-ins replace (mscms) or add the three DLLs
            # a crash ends the process instead of waiting in winedbg
            "WINEDLLOVERRIDES": "mscoree,mshtml=;winedbg.exe=d;icuuc,bcryptprimitives,mscms=n",
        }
        with self.timed("wine_prefix"):
            rc, out = self.wine(["wineboot", "--init"], timeout=600, name="wineboot")
            # Qt 6 supports Windows 10 and later; Wine's prefixes start as Windows 7
            self.wine(["winecfg", "-v", "win10"], timeout=300, name="winecfg")
        sys32 = self.prefix / "drive_c" / "windows" / "system32"
        if not sys32.is_dir():
            raise VerifyError(f"wineboot made no prefix (rc {rc}): {out[-1500:]}")
        for dll in standins.glob("*.dll"):
            target = sys32 / dll.name
            if target.is_symlink() or target.exists():
                target.unlink()
            shutil.copyfile(dll, target)
        self.c_path(OUT_WIN).mkdir(parents=True, exist_ok=True)

    def install(self, label: str, extra=(), exe: Path | None = None, expect_rc: int = 0):
        exe = exe or self.exe
        exe_copy = self.c_path(OUT_WIN) / f"{label}-{exe.name}"
        shutil.copyfile(exe, exe_copy)
        with self.timed(label):
            # /D= must be last and unquoted: passed through cmd so Wine does not quote it
            rc, out = self.wine(["cmd", "/c", f"{OUT_WIN}\\{exe_copy.name} /S {' '.join(extra)} /D={INSTALL_WIN}"],
                                timeout=900, name=label)
        self.check(rc == expect_rc, f"{label}: setup.exe {' '.join(['/S', *extra])} exited {rc} (expected {expect_rc})"
                   + (f": {out[-500:]}" if rc != expect_rc else ""))

    def app_settings(self, label: str, data_dir_win: str, save: dict | None = None) -> dict:
        """Run the installed Python on the settings code: with *save*, the office's change through
        app.system.site_settings.save_settings (as 站点设置 saves it, signed in as a manager); then the
        values in effect and their sources."""
        out_win = f"{OUT_WIN}\\{label}.json"
        out = self.c_path(out_win)
        out.unlink(missing_ok=True)
        code = (
            "import json\n"
            "from app.system.context import open_context\n"
            "from app.system.site_settings import save_settings\n"
            "from models.users import User\n"
            f"ctx = open_context({data_dir_win!r})\n"
            "from app.system.accounts import authenticate, create_first_manager, needs_first_run\n"
            "if needs_first_run():\n"
            f"    create_first_manager(ctx, {VERIFY_USER!r}, '安装验证', {VERIFY_PASSWORD!r}, {VERIFY_PASSWORD!r})\n"
            f"ctx.user = authenticate(ctx, {VERIFY_USER!r}, {VERIFY_PASSWORD!r})\n"
            f"save = {save or {}!r}\n"
            "if save:\n    save_settings(ctx, save)\n"
            f"keys = ['site.service_phone', {RATE_KEY!r}]\n"
            f"json.dump({{k: [ctx.settings.get(k), ctx.settings.source(k)] for k in keys}}, open({out_win!r}, 'w'))\n")
        with self.timed(label):
            rc, text = self.wine([f"{INSTALL_WIN}\\python.exe", "-c", code], timeout=600,
                                 cwd=self.installed_dir(), name=label)
        if not self.check(out.is_file() and rc == 0, f"{label}: the settings code ran (exit {rc})"):
            self.failures.append(f"{label}: Wine output: {text[-1500:]}")
            return {}
        # the site has its manager now: every later start signs in as it, through the real sign-in
        # code (argon2 under Wine included), like a command run by the office's IT person
        self.env.update(PROPERTYDESK_USER=VERIFY_USER, PROPERTYDESK_PASSWORD=VERIFY_PASSWORD)
        return json.loads(out.read_text(encoding="utf-8"))

    @staticmethod
    def baked_values(path: Path) -> dict:
        sys.path.insert(0, str(ROOT))
        try:
            from app.core.settings import flatten
        finally:
            sys.path.remove(str(ROOT))
        with open(path, "rb") as fh:
            return flatten(tomllib.load(fh))

    def expected_site_values(self) -> dict:
        if getattr(self, "expected", None) is not None:
            return self.expected
        import importlib.util
        spec = importlib.util.spec_from_file_location("installer_build", HERE / "build.py")
        build = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(build)
        return build.load_site(self.site_file)[1]

    def expected_upgrade_rate(self):
        """The rate in the upgrade installer's baked site file (read from the exe's build folder)."""
        return self.upgrade_values()[RATE_KEY]

    def upgrade_values(self) -> dict:
        return json.loads((self.upgrade_exe.parent / "upgrade-site.json").read_text(encoding="utf-8"))["values"]

    @staticmethod
    def read_lnk(path: Path) -> dict:
        return parse_lnk(path.read_bytes())

    def installed_dir(self) -> Path:
        return self.c_path(INSTALL_WIN)

    def registry(self, hive="system.reg") -> str:
        self.wait_wineserver()
        return (self.prefix / hive).read_text(encoding="utf-8", errors="replace")

    @staticmethod
    def reg_section(text: str, key: str) -> dict | None:
        m = re.search(r"^\[" + re.escape(key) + r"\][^\n]*\n(.*?)(?:\n\n|\Z)", text, re.M | re.S | re.I)
        if not m:
            return None
        values = {}
        for line in m.group(1).splitlines():
            mm = re.match(r'^"([^"]+)"=(?:str:)?"((?:[^"\\]|\\.)*)"', line)
            if mm:
                values[mm.group(1)] = _unescape_reg(mm.group(2))
            mm = re.match(r'^"([^"]+)"=dword:([0-9a-f]+)', line)
            if mm:
                values[mm.group(1)] = int(mm.group(2), 16)
        return values

    def shortcut_paths(self) -> dict[str, Path]:
        d = self.prefix / "drive_c"
        programs = d / "ProgramData" / "Microsoft" / "Windows" / "Start Menu" / "Programs" / SM_FOLDER
        lnk = f"物业前台 {self.site_name}.lnk"
        return {"start_menu": programs / lnk, "start_menu_uninstall": programs / "卸载 物业前台.lnk",
                "desktop": d / "users" / "Public" / "Desktop" / lnk}

    def check_install(self, label: str) -> dict:
        inst = self.installed_dir()
        self.check((inst / "pythonw.exe").is_file(), f"{label}: pythonw.exe in {INSTALL_WIN}")
        self.check((inst / "uninstall.exe").is_file(), f"{label}: uninstall.exe written")
        for d in ("propertydesk", "app", "ui", "models", "resources", "Lib/site-packages/PySide6"):
            self.check((inst / d).is_dir(), f"{label}: {d}/ installed")
        baked = inst / "resources" / "site.toml"
        self.check(baked.is_file() and self.baked_values(baked) == self.expected_site_values(),
                   f"{label}: resources/site.toml holds {self.site_file.name}'s checked values")
        self.check(not (inst / "_wmi.pyd").exists(), f"{label}: no _wmi.pyd (platform asks no WMI)")
        for name in ("PropertyDesk-LICENSE.txt", "THIRD-PARTY-NOTICES.txt", "install.log", "resources/app.ico"):
            self.check((inst / name).is_file(), f"{label}: {name} installed")
        pth = next(inst.glob("python3*._pth"), None)
        self.check(pth is not None and "import site" in pth.read_text() and "Lib\\site-packages" in pth.read_text(),
                   f"{label}: ._pth lists Lib\\site-packages and import site")
        links = {}
        for name, path in self.shortcut_paths().items():
            if self.check(path.is_file(), f"{label}: shortcut {name} ({path.name})"):
                links[name] = parse_lnk(path.read_bytes())
        main = links.get("start_menu")
        if main:
            target = main["target"].lower()
            self.check(target.endswith("\\pythonw.exe") and target.startswith(INSTALL_WIN.lower()),
                       f"{label}: shortcut target is pythonw.exe in the install folder ({main['target']})")
            self.check(main["arguments"].startswith("-m propertydesk"),
                       f"{label}: shortcut arguments '-m propertydesk …' ({main['arguments']})")
            self.check(main["working_dir"].rstrip("\\").lower() == INSTALL_WIN.lower(),
                       f"{label}: shortcut starts in the install folder ({main['working_dir']})")
            if self.data_mode == "machine":
                self.check("--data-dir" in main["arguments"], f"{label}: machine data folder passed to the app")
        reg = self.registry()
        un = self.reg_section(reg, UNINST_KEY)
        if self.check(un is not None, f"{label}: uninstall registry entry"):
            self.check(self.site_name in un.get("DisplayName", ""),
                       f"{label}: DisplayName names the site ({un.get('DisplayName')})")
            self.check("uninstall.exe" in un.get("UninstallString", ""), f"{label}: UninstallString")
            self.check("/S" in un.get("QuietUninstallString", ""), f"{label}: QuietUninstallString")
        app_key = self.reg_section(reg, APP_KEY) or {}
        self.check(app_key.get("DataMode") == self.data_mode,
                   f"{label}: data mode {app_key.get('DataMode')} (expected: {self.data_mode})")
        return main or {}

    def sign_in_window(self, label: str, plat: str, detail: dict) -> None:
        """The window check signed in as the shortcut's start does (the sign-in window filled, its 登录
        clicked, argon2 under Wine); on the Windows platform its picture and the main window's are kept
        beside this report (installer/build/verify/<site>/shots/)."""
        signed = detail.get("sign_in") or {}
        if self.env.get("PROPERTYDESK_USER") != VERIFY_USER:   # a fresh install: no account, no sign-in window yet
            self.check(str(signed.get("via", "")).startswith("none"),
                       f"{label}: {plat} without an account: no sign-in window ({signed.get('via')})")
            return
        if not self.check(signed.get("via") == "window" and signed.get("user") == VERIFY_USER,
                          f"{label}: {plat} signed in through the sign-in window ({signed.get('via')})"):
            return
        if plat != "window:default":   # offscreen under Wine has no fonts: its pictures show boxes, users never see it
            return
        for kind, win_path in (("signin", signed.get("shot")), ("window", detail.get("window_shot"))):
            shot = self.c_path(win_path) if isinstance(win_path, str) and win_path[:3].upper() == "C:\\" else None
            size = shot.stat().st_size if shot is not None and shot.is_file() else 0
            if self.check(size > MIN_SHOT_BYTES, f"{label}: {plat} {kind} picture saved ({size} bytes)"):
                keep = self.work / "shots"
                keep.mkdir(exist_ok=True)
                shutil.copyfile(shot, keep / f"{label}-{plat}-{kind}.png")

    def selftest(self, label: str, lnk: dict, platforms: str) -> dict:
        out_win = f"{OUT_WIN}\\{label}.json"
        out = self.c_path(out_win)
        if out.exists():
            out.unlink()
        target = lnk.get("target") or f"{INSTALL_WIN}\\pythonw.exe"
        args = split_args(lnk.get("arguments") or "-m propertydesk")
        cwd = self.c_path(lnk.get("working_dir") or INSTALL_WIN)
        with self.timed(label):
            rc, text = self.wine([target, *args, "selftest", "--platforms", platforms, "--out", out_win],
                                 timeout=900, cwd=cwd, name=label)
        if not self.check(out.is_file(), f"{label}: selftest wrote {out_win} (exit {rc})"):
            self.failures.append(f"{label}: Wine output: {text[-1500:]}")
            return {}
        data = json.loads(out.read_text(encoding="utf-8"))
        for c in data.get("checks", []):
            self.check(c["ok"], f"{label}: {c['name']} ({c['seconds']} s)" +
                       ("" if c["ok"] else f": {c['detail'].get('error')}\n{c['detail'].get('traceback', '')[-1200:]}"))
        self.check(data.get("ok") is True and rc == 0, f"{label}: selftest ok, exit {rc}")
        names = [c["name"] for c in data.get("checks", [])]
        for plat in platforms.split(","):
            self.check(f"window:{plat}" in names, f"{label}: main window checked on '{plat}'")
        win = {c["name"]: c["detail"] for c in data.get("checks", []) if c["name"].startswith("window:")}
        for plat, detail in win.items():
            self.sign_in_window(label, plat, detail if isinstance(detail, dict) else {})
        default_window = win.get("window:default")
        if isinstance(default_window, dict) and default_window.get("qt_platform"):
            self.check(win["window:default"]["qt_platform"] == "windows",
                       f"{label}: default Qt platform is 'windows' ({win['window:default']['qt_platform']})")
        self.check(data.get("site_name") == self.site_name, f"{label}: site name {data.get('site_name')}")
        self.check(bool(data.get("site_file_exists")), f"{label}: site.toml found by the app")
        data_dir = str(data.get("data_dir", ""))
        self.check(data_dir and not data_dir.lower().startswith(INSTALL_WIN.lower())
                   and "program files" not in data_dir.lower(),
                   f"{label}: data folder outside Program Files ({data_dir})")
        expect = "ProgramData" if self.data_mode == "machine" else "AppData\\Local"
        self.check(expect.lower() in data_dir.lower(), f"{label}: data folder is the {self.data_mode}'s ({expect})")
        self.facts[label] = {"seconds_in_app": data.get("seconds"),
                             "checks": {c["name"]: c["seconds"] for c in data.get("checks", [])},
                             "data_dir": data_dir}
        return data

    def data_dir_linux(self, win_path: str) -> Path:
        return self.c_path(win_path)

    def uninstall(self, label: str, extra=()):
        with self.timed(label):
            rc, out = self.wine([f"{INSTALL_WIN}\\uninstall.exe", "/S", *extra], timeout=600, name=label)
        # the uninstaller copies itself to %TEMP% and returns at once: wineserver -w waited for it
        self.check(rc == 0, f"{label}: uninstall.exe /S exited {rc}")

    def reinstall_and_remove(self, data_dir_win: str):
        """After an uninstall that kept the data: the registry still says where it is, a reinstall opens it
        with both earlier self-tests' records; then an uninstall with /REMOVEDATA removes it and its record."""
        app_key = self.reg_section(self.registry(), APP_KEY) or {}
        self.check(app_key.get("DataMode") == self.data_mode and bool(app_key.get("DataDir")),
                   "uninstall kept where the data is (DataMode, DataDir in the registry)")
        self.install("reinstall")
        lnk = self.check_install("reinstall")
        third = self.selftest("selftest-3", lnk, "offscreen")
        self.check((third.get("data_dir") or "").lower() == data_dir_win.lower(),
                   f"reinstall opened the office's data folder ({third.get('data_dir')})")
        write = next((c for c in third.get("checks", []) if c["name"] == "write"), {})
        self.check(write.get("detail", {}).get("earlier_selftest_rows", 0) >= EARLIER_SELFTESTS_BEFORE_REINSTALL,
                   "reinstall found the office's records (both earlier self-tests)")
        self.reinstall_without_record(data_dir_win)
        if self.other_exe:
            self.replace_site_round(data_dir_win, EARLIER_SELFTESTS_BEFORE_REINSTALL + 2)
        own_win = (self.reg_section(self.registry(), APP_KEY) or {}).get("DataDir") or data_dir_win
        self.uninstall("uninstall-removedata", ["/REMOVEDATA"])
        self.check(self.reg_section(self.registry(), APP_KEY) is None,
                   "/REMOVEDATA removed the data folder's record from the registry")
        self.check(not (self.c_path(own_win) / "propertydesk.db").exists(),
                   f"/REMOVEDATA deleted the installed site's own data ({own_win})")
        if own_win.lower() != data_dir_win.lower():   # the site was replaced: the old site's data is not its
            self.check((self.c_path(data_dir_win) / "propertydesk.db").is_file(),
                       f"/REMOVEDATA of the replacing site kept the replaced site's data ({data_dir_win})")
        self.no_dangling_links("uninstall-removedata")

    def reinstall_without_record(self, data_dir_win: str):
        """An older uninstaller removed the registry's record of where the data is: the next install
        finds the office's database by looking (even when told /MACHINEDATA for a new site's data) and
        opens it, never a new empty one."""
        self.uninstall("uninstall-keep")
        self.kept_site_refused(data_dir_win)   # another site's installer over this site's kept data
        rc, _out = self.wine(["reg", "delete", "HKLM\\Software\\PropertyDesk", "/f"], timeout=300, name="reg-delete")
        self.check(rc == 0 and self.reg_section(self.registry(), APP_KEY) is None,
                   "the data folder's record removed from the registry (as an older uninstaller did)")
        self.install("reinstall-found", ["/MACHINEDATA"])
        lnk = self.check_install("reinstall-found")
        found = self.selftest("selftest-4", lnk, "offscreen")
        self.check((found.get("data_dir") or "").lower() == data_dir_win.lower(),
                   f"without a record, the install found the office's data folder ({found.get('data_dir')})")
        write = next((c for c in found.get("checks", []) if c["name"] == "write"), {})
        self.check(write.get("detail", {}).get("earlier_selftest_rows", 0) >= EARLIER_SELFTESTS_BEFORE_REINSTALL + 1,
                   "the found data holds the office's records (all three earlier self-tests)")

    def upgrade_round(self, data_dir: Path, data_dir_win: str):
        """The office changes a setting as 站点设置 does; an upgrade (with --upgrade-exe: one whose site file
        changes a rate) keeps the data, the accounts and that change, and its new site value applies."""
        marker = "0371-60000001"
        before = self.app_settings("office-change", data_dir_win, {"site.service_phone": marker})
        self.check(before.get("site.service_phone") == [marker, "office"],
                   f"the office's change saved through the settings code ({before.get('site.service_phone')})")
        office = data_dir / "settings.toml"
        office_text = office.read_text(encoding="utf-8") if office.is_file() else ""
        self.check("service_phone" in office_text and "property_rate" not in office_text,
                   "settings.toml holds the office's change only (no copy of the site's rates)")
        self.expected = self.upgrade_values() if self.upgrade_exe else None
        self.install("upgrade", exe=self.upgrade_exe)
        lnk = self.check_install("upgrade")
        self.expected = None
        second = self.selftest("selftest-2", lnk, "offscreen,default")
        write = next((c for c in second.get("checks", []) if c["name"] == "write"), {})
        self.check(write.get("detail", {}).get("earlier_selftest_rows", 0) >= 1,
                   "upgrade kept the data (the first self-test's record is there)")
        after = self.app_settings("after-upgrade", data_dir_win)
        self.check(after.get("site.service_phone") == [marker, "office"], "upgrade kept the office's change")
        if self.upgrade_exe:
            new_rate = self.expected_upgrade_rate()
            self.check(after.get(RATE_KEY) == [new_rate, "site"],
                       f"the upgrade's new site rate arrived: {after.get(RATE_KEY)} (expected {new_rate})")

    def run(self) -> int:
        t0 = time.perf_counter()
        if not self.exe.is_file():
            raise VerifyError(f"{self.exe} not found: build it first (installer/build.py --site {self.site_file})")
        for tool in ("wine", "wineserver"):
            if not shutil.which(tool):
                raise VerifyError(f"{tool} not found (apt-get install wine wine64)")
        self.facts["exe"] = str(self.exe)
        self.facts["exe_mb"] = round(self.exe.stat().st_size / 1e6, 1)
        standins = self.build_standins()
        try:
            self.make_prefix(standins)
            # 1-3: install, files, shortcuts, registry, selftest (offscreen + Windows platform)
            self.install("install")
            lnk = self.check_install("install")
            installed = sum(f.stat().st_size for f in self.installed_dir().rglob("*") if f.is_file())
            self.facts["installed_mb"] = round(installed / 1e6, 1)
            first = self.selftest("selftest-1", lnk, "offscreen,default")
            data_dir_win = first.get("data_dir")
            if not data_dir_win:
                raise VerifyError("no data folder reported; cannot go on")
            data_dir = self.c_path(data_dir_win)
            self.check((data_dir / "propertydesk.db").is_file(), f"database file in the data folder ({data_dir_win})")
            # 4: the office's change through the settings code; the upgrade keeps it and brings new site values
            self.upgrade_round(data_dir, data_dir_win)
            # 5: uninstall keeps the data
            self.uninstall("uninstall")
            inst = self.installed_dir()
            left = sorted(p.name for p in inst.iterdir()) if inst.exists() else []
            self.check(not left, f"program files removed ({INSTALL_WIN})" + (f"; left: {left[:10]}" if left else ""))
            for name, path in self.shortcut_paths().items():
                self.check(not path.exists(), f"shortcut {name} removed")
            reg = self.registry()
            self.check(self.reg_section(reg, UNINST_KEY) is None, "uninstall registry entry removed")
            self.check((data_dir / "propertydesk.db").is_file() and (data_dir / "settings.toml").is_file(),
                       "data kept after uninstall (database and settings)")
            if self.quick and self.other_exe:
                log("replace round skipped: it runs before the full cycle's last uninstall (not with --quick)")
            if not self.quick:
                self.reinstall_and_remove(data_dir_win)   # checks what /REMOVEDATA deleted and kept
                self.check(not self.installed_dir().exists() or not any(self.installed_dir().iterdir()),
                           "program files removed (second uninstall)")
        finally:
            self.stop()
        self.times["total"] = round(time.perf_counter() - t0, 1)
        result = {"site": self.code, "ok": not self.failures, "failures": self.failures, "seconds": self.times,
                  **self.facts}
        (self.work / "verify.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        log(f"times: {self.times}")
        if self.failures:
            print("\n[verify] VERIFY FAILED for " + self.exe.name + ":", file=sys.stderr)
            for f in self.failures:
                print("  - " + f, file=sys.stderr)
            return 1
        if not self.keep:
            shutil.rmtree(self.prefix, ignore_errors=True)
        log(f"VERIFIED {self.exe.name} in {self.times['total']} s (result: {self.work / 'verify.json'})")
        return 0


def _unescape_reg(s: str) -> str:
    # Wine's .reg files: \\ \" \n and \xXXXX (UTF-16 code unit) escapes
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "x":
                m = re.match(r"[0-9a-fA-F]{1,4}", s[i + 2:])
                if m:
                    out.append(chr(int(m.group(0), 16)))
                    i += 2 + len(m.group(0))
                    continue
            out.append({"n": "\n", "r": "\r", "t": "\t", "0": "\0"}.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_lnk(data: bytes) -> dict:
    """Target, working folder and arguments of a Windows .lnk file (MS-SHLLINK)."""
    if len(data) < LNK_HEADER_SIZE or data[:4] != b"\x4c\x00\x00\x00":
        raise VerifyError("not a .lnk file")
    flags = struct.unpack_from("<I", data, 0x14)[0]
    pos = LNK_HEADER_SIZE
    target = ""
    if flags & 0x01:  # HasLinkTargetIDList
        pos += 2 + struct.unpack_from("<H", data, pos)[0]
    if flags & 0x02:  # HasLinkInfo
        size, header = struct.unpack_from("<II", data, pos)
        li_flags = struct.unpack_from("<I", data, pos + 8)[0]
        base_off = struct.unpack_from("<I", data, pos + 16)[0]
        if li_flags & 1:
            if header >= LINK_INFO_UNICODE_HEADER:
                uoff = struct.unpack_from("<I", data, pos + 28)[0]
                end = pos + uoff
                while data[end:end + 2] != b"\0\0":
                    end += 2
                target = data[pos + uoff:end].decode("utf-16-le")
            else:
                end = data.index(b"\0", pos + base_off)
                target = data[pos + base_off:end].decode("mbcs" if os.name == "nt" else "latin-1")
        pos += size
    unicode = bool(flags & 0x80)
    strings = {}
    for bit, name in ((0x04, "name"), (0x08, "relative_path"), (0x10, "working_dir"), (0x20, "arguments"),
                      (0x40, "icon")):
        if flags & bit:
            count = struct.unpack_from("<H", data, pos)[0]
            pos += 2
            n = count * 2 if unicode else count
            raw = data[pos:pos + n]
            strings[name] = raw.decode("utf-16-le" if unicode else "latin-1").rstrip("\0").strip()
            pos += n
    return {"target": target, "working_dir": strings.get("working_dir", ""),
            "arguments": strings.get("arguments", ""), "relative_path": strings.get("relative_path", "")}


def split_args(s: str) -> list[str]:
    """Windows command-line splitting (quotes only; enough for the shortcut's arguments)."""
    return [a.replace('"', "") for a in re.findall(r'(?:[^\s"]|"[^"]*")+', s)]


def main(argv=None) -> int:
    # `timeout`/CI cancel: leave through the finally blocks (Wine and Xvfb are stopped)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description="Verify a PropertyDesk installer under Wine.")
    ap.add_argument("--site", type=Path, required=True, help="installer/sites/<site>.toml")
    ap.add_argument("--exe", type=Path, help="the setup.exe (default: from installer/build/<site>/build.json)")
    ap.add_argument("--quick", action="store_true", help="skip the reinstall + /REMOVEDATA round")
    ap.add_argument("--keep", action="store_true", help="keep the Wine prefix after success")
    ap.add_argument("--upgrade-exe", type=Path, help="upgrade with this installer of the same site (new site values; "
                    "its folder holds upgrade-site.json with the changed rate)")
    ap.add_argument("--other-site", type=Path, help="another site's file (installer/sites/<other>.toml) for the "
                    "replace round; with --other-exe")
    ap.add_argument("--other-exe", type=Path, help="that site's setup.exe: run over the installed site (refused "
                    "silently, then /REPLACESITE)")
    args = ap.parse_args(argv)
    if bool(args.other_site) != bool(args.other_exe):
        ap.error("--other-site and --other-exe go together")
    site = args.site.resolve()
    exe = args.exe
    if exe is None:
        info = BUILD / site.stem / "build.json"
        if not info.exists():
            print(f"[verify] FAILED: {info} not found; build first or pass --exe", file=sys.stderr)
            return 1
        exe = Path(json.loads(info.read_text(encoding="utf-8"))["exe"])
    try:
        other = (args.other_site.resolve(), args.other_exe.resolve()) if args.other_exe else None
        if other and not other[1].is_file():
            raise VerifyError(f"{other[1]} not found: build it first (installer/build.py --site {other[0]})")
        return Verifier(site, exe.resolve(), args.quick, args.keep,
                        args.upgrade_exe.resolve() if args.upgrade_exe else None, other).run()
    except VerifyError as exc:
        print(f"\n[verify] VERIFY FAILED: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        import traceback
        traceback.print_exc()
        print(f"\n[verify] VERIFY FAILED (error in verify.py): {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
