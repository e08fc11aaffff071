"""The round of installer/verify.py where another site's installer meets an installed site.

With 天伦庄园 installed (and its data, its account, its records), 万兴现代城's setup.exe runs:
 1. silently without /REPLACESITE: exit code 4 and nothing changed — the program files, the
    shortcuts, the registry (site, data place, uninstall entry) and the data folder are as they
    were; the old site's install.log says why (both sites named, /REPLACESITE);
 2. silently with /REPLACESITE: installs; the old site's shortcuts are gone, the new ones point at
    files that exist, the registry names the new site, install.log records the replacement and
    where the old site's data stayed; the new site gets a data folder of its own beside the old
    one (the same kind of place, "<old folder>-<new code>") and its program starts there on an empty
    site (its site.json names the new site; its first manager made as at a first start); the old
    site's folder is unchanged, file by file, and
    the new site's program started on it refuses it, naming both site codes (app/system/sitemark.py);
 3. the new site's uninstaller (with /REMOVEDATA) leaves no shortcut anywhere whose target is gone.
Before that (``kept_site_refused``, after the uninstall that keeps the data): the registry keeps only
the uninstalled site's code, name and data place, and the other site's silent setup still exits 4
and installs nothing.
Every check reads files and the registry of the Wine prefix, as the other rounds do.
"""
from __future__ import annotations

import contextlib
import json
import tomllib
from pathlib import Path

REFUSED_EXIT = 4   # propertydesk.nsi: a silent install over another site without /REPLACESITE
REFUSED_CLI_EXIT = 2   # propertydesk's command line: a refusal (here: another site's data folder)
LOG_NAME = "install.log"


class ReplaceSiteRound:
    """Mixed into verify.Verifier: uses its check, wine, install, check_install, selftest, registry …"""

    other_site: Path | None = None
    other_exe: Path | None = None

    # -- what a Wine prefix holds ------------------------------------------------------------
    def all_links(self) -> list[Path]:
        """Every .lnk in the Start menus and on the desktops of the prefix (all users and each user)."""
        d = self.prefix / "drive_c"
        roots = [d / "ProgramData" / "Microsoft" / "Windows" / "Start Menu"]
        for user in sorted((d / "users").glob("*")):
            roots += [user / "Desktop", user / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu"]
        return sorted(p for r in roots if r.is_dir() for p in r.rglob("*.lnk"))

    def link_target(self, path: Path) -> tuple[str, Path | None]:
        info = self.read_lnk(path)
        target = info.get("target") or ""
        return target, (self.c_path(target) if target[:3].upper() == "C:\\" else None)

    def install_log(self) -> str:
        path = self.installed_dir() / LOG_NAME
        if not path.is_file():
            return ""
        return path.read_bytes().decode("utf-16-le", "replace").replace("\ufeff", "")

    def snapshot(self, data_dir: Path) -> dict:
        """Sizes and times of the program files (but install.log) and the data folder, the shortcuts'
        bytes and the registry's two PropertyDesk keys."""
        def files(root: Path, skip=()):
            return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
                    for p in root.rglob("*") if p.is_file() and p.name not in skip} if root.is_dir() else {}
        reg = self.registry()
        return {"program": files(self.installed_dir(), (LOG_NAME,)), "data": files(data_dir),
                "links": {str(p): p.read_bytes() for p in self.all_links()},
                "app_key": self.reg_section(reg, self.APP_KEY), "uninstall_key": self.reg_section(reg, self.UNINST_KEY)}

    @contextlib.contextmanager
    def as_site(self, site_file: Path, data_mode: str):
        """Check the installation as the given site's (its name, baked values, shortcuts), with the data
        place *data_mode* (the one the registry kept)."""
        saved = (self.site_file, self.site, self.site_name, self.data_mode, getattr(self, "expected", None))
        with open(site_file, "rb") as fh:
            site = tomllib.load(fh)
        self.site_file, self.site, self.site_name, self.data_mode = site_file, site, site["site"]["name"], data_mode
        self.expected = None
        try:
            yield
        finally:
            self.site_file, self.site, self.site_name, self.data_mode, self.expected = saved

    # -- the round ---------------------------------------------------------------------------
    def replace_site_round(self, data_dir_win: str, earlier_rows: int) -> None:
        """Between the last reinstall (this site installed, its data in *data_dir_win*) and the final
        uninstall: the other site's installer refuses silently, then replaces with /REPLACESITE."""
        data_dir = self.c_path(data_dir_win)
        old_name, old_code = self.site_name, self.code
        with open(self.other_site, "rb") as fh:
            new_name = tomllib.load(fh)["site"]["name"]
        new_code = self.other_site.stem
        old_links = self.shortcut_paths()
        before = self.snapshot(data_dir)
        log_before = self.install_log()
        self.check(bool(before["links"]) and all(p.is_file() for p in old_links.values()),
                   f"replace: {old_name} installed with its shortcuts before {new_name}'s setup runs")

        # 1. silent, no /REPLACESITE: refused, nothing changed
        self.install("other-site-silent", exe=self.other_exe, expect_rc=REFUSED_EXIT)
        after = self.snapshot(data_dir)
        for part, what in (("program", "program files"), ("links", "shortcuts"), ("data", "data folder")):
            changed = sorted(set(before[part]) ^ set(after[part])
                             | {k for k in before[part] if k in after[part] and before[part][k] != after[part][k]})
            self.check(not changed, f"refused: {old_name}'s {what} unchanged ({len(before[part])} entries)"
                       + (f"; changed: {[Path(c).name for c in changed[:5]]}" if changed else ""))
        self.check(after["app_key"] == before["app_key"] and (after["app_key"] or {}).get("Site") == old_code,
                   f"refused: registry still names {old_name} ({(after['app_key'] or {}).get('SiteName')}), "
                   "data place unchanged")
        self.check(after["uninstall_key"] == before["uninstall_key"], "refused: uninstall entry unchanged")
        added = self.install_log()[len(log_before):]
        self.check(log_before and self.install_log().startswith(log_before)
                   and all(w in added for w in (new_name, old_name, "/REPLACESITE")),
                   f"refused: install.log says why, naming both sites ({added.strip()[:160]})")

        # 2. silent with /REPLACESITE: the new site replaces the old one, in a data folder of its own
        kept_mode = (before["app_key"] or {}).get("DataMode")
        kept_dir = (before["app_key"] or {}).get("DataDir", "")
        own_dir_win = f"{kept_dir}-{new_code}"
        self.install("other-site-replace", ["/REPLACESITE"], exe=self.other_exe)
        for name, path in old_links.items():
            if name != "start_menu_uninstall":   # one name for every site: replaced by the new one
                self.check(not path.exists(), f"replace: {old_name}'s shortcut {name} removed ({path.name})")
        with self.as_site(self.other_site, kept_mode):
            lnk = self.check_install("other-site-replace")
            for path in self.shortcut_paths().values():
                target, linux = self.link_target(path)
                self.check(linux is not None and linux.is_file(),
                           f"replace: {path.name} points at an existing file ({target})")
            app_key = self.reg_section(self.registry(), self.APP_KEY) or {}
            self.check(app_key.get("Site") == new_code and app_key.get("SiteName") == new_name
                       and app_key.get("Shortcut") == f"物业前台 {new_name}",
                       f"replace: registry names {new_name} ({app_key.get('Site')}, {app_key.get('SiteName')})")
            self.check(app_key.get("DataMode") == kept_mode
                       and (app_key.get("DataDir") or "").lower() == own_dir_win.lower(),
                       f"replace: {new_name} has a data folder of its own, same kind of place "
                       f"({app_key.get('DataMode')}: {app_key.get('DataDir')}; expected {own_dir_win})")
            log = self.install_log()
            self.check(f"替换了原站点：{old_name}（{old_code}）" in log and f"站点 {new_name}（{new_code}）" in log
                       and f"原站点的数据保留在原处（未打开、未修改）：{kept_dir}" in log
                       and f"数据目录：{own_dir_win}" in log,
                       f"replace: install.log records {new_name} replacing {old_name} and both data folders")
            # a new, empty site: the office creates its manager first (as at the first start), then
            # the shortcut's start signs in through the sign-in window as on the other rounds
            self.app_settings("replaced-first-manager", own_dir_win)
            shown = self.selftest("selftest-replaced", lnk, "offscreen")
        self.check((shown.get("data_dir") or "").lower() == own_dir_win.lower(),
                   f"replace: {new_name}'s program opens its own data folder ({shown.get('data_dir')})")
        write = next((c for c in shown.get("checks", []) if c["name"] == "write"), {})
        rows = write.get("detail", {}).get("earlier_selftest_rows", -1)
        self.check(rows == 0, f"replace: {new_name} starts on an empty site of its own ({rows} earlier records; "
                   f"{old_name}'s {earlier_rows}+ stay in {old_name}'s folder)")
        own_mark = self.site_json(self.c_path(own_dir_win))
        self.check(own_mark.get("site_code") == new_code, f"replace: the new folder's site.json names {new_code} "
                   f"({own_mark.get('site_code')})")
        self.check(self.site_json(data_dir).get("site_code") == old_code,
                   f"replace: {old_name}'s folder still names {old_code} "
                   f"({self.site_json(data_dir).get('site_code')})")
        # the new site's program pointed at the old folder (a wrong --data-dir): refused, naming both
        python = (lnk.get("target") or "").replace("pythonw.exe", "python.exe")
        rc, text = self.wine([python, "-m", "propertydesk", "--data-dir", kept_dir, "settings"], timeout=600,
                             cwd=self.installed_dir(), name="other-site-folder")
        self.check(rc == REFUSED_CLI_EXIT and f"（{old_code}）" in text and f"（{new_code}）" in text,
                   f"replace: {new_name}'s program refuses {old_name}'s folder (exit {rc}: {text.strip()[-200:]})")
        untouched = self.snapshot(data_dir)["data"]
        changed = sorted(k for k in set(after["data"]) | set(untouched)
                         if after["data"].get(k) != untouched.get(k) and not k.startswith("logs"))
        self.check(not changed, f"replace: {old_name}'s data folder unchanged, file by file ({len(untouched)} files; "
                   "the start log aside, which records the refused start)"
                   + (f"; changed: {changed[:5]}" if changed else ""))
        self.replaced_by = new_name

    def site_json(self, folder: Path) -> dict:
        try:
            return json.loads((folder / "site.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def kept_site_refused(self, data_dir_win: str) -> None:
        """Right after an uninstall that kept the data (the registry keeps Site, SiteName and the data
        place, not InstallDir): the other site's silent setup refuses (exit 4) and changes nothing."""
        if not self.other_exe:
            return
        data_dir = self.c_path(data_dir_win)
        before = self.snapshot(data_dir)
        app_key = before["app_key"] or {}
        self.check(app_key.get("Site") == self.code and not app_key.get("InstallDir"),
                   f"kept site: the registry keeps {self.site_name}'s code without a program ({app_key})")
        self.install("other-site-over-kept-data", exe=self.other_exe, expect_rc=REFUSED_EXIT)
        after = self.snapshot(data_dir)
        self.check(after["app_key"] == before["app_key"] and after["data"] == before["data"]
                   and after["links"] == before["links"] and after["program"] == before["program"],
                   f"kept site: refused, nothing installed, {self.site_name}'s data and registry record unchanged")

    def no_dangling_links(self, label: str) -> None:
        """After the last uninstall: no shortcut in any Start menu or on any desktop points at a file
        that is gone (the replaced site's included), and none of the product's is left."""
        links = self.all_links()
        for path in links:
            target, linux = self.link_target(path)
            self.check(linux is not None and linux.exists(),
                       f"{label}: {path.name} points at an existing file ({target})")
        ours = [p.name for p in links if p.name.startswith("物业前台") or p.parent.name == self.SM_FOLDER]
        self.check(not ours, f"{label}: no shortcut of the product left ({len(links)} .lnk in the prefix)"
                   + (f": {ours}" if ours else ""))
