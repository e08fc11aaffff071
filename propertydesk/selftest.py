"""``propertydesk selftest``: check that an installed copy works end to end.

Used by the Windows installer's verification (installer/verify.py) and by hand on a new office
PC. ``pythonw.exe`` has no console, so the result goes to a JSON file (``--out``); the exit
status is non-zero when any check failed.

Checks, each recorded with ``ok``, ``detail`` and ``seconds``:
- ``database``: opens (and migrates) the database in the data folder;
- ``write``: writes an audit row ``selftest`` in one transaction and reads it back (the number
  of earlier selftest rows is reported, so an upgrade test can see the data was kept);
- ``settings``: the site's settings (site.toml baked in by the installer, if any);
- ``print``: renders a printed form to PDF (the owner-information form when that module
  exists, else a test page with Chinese text) through app.printing.base;
- ``window:<platform>``: in a child process, opens the main window on that Qt platform
  (``offscreen``, and the default platform when a display exists), creates every tab, paints
  it, and loads the PDF with QtPdf (the print preview's engine).
"""
from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from app import __version__

WINDOW_TIMEOUT_S = 180
MIN_WINDOW_WIDTH = 100  # px: a narrower grab means the main window did not paint


# ---------------------------------------------------------------------------------------------
class _Checks:
    def __init__(self):
        self.items: list[dict] = []

    def run(self, name, fn):
        t0 = time.perf_counter()
        try:
            detail = fn()
            ok = True
        except Exception as exc:  # every failure is recorded, never raised
            detail = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(limit=8)}
            ok = False
        self.items.append({"name": name, "ok": ok, "detail": detail,
                           "seconds": round(time.perf_counter() - t0, 3)})
        return ok, detail

    @property
    def ok(self) -> bool:
        return bool(self.items) and all(i["ok"] for i in self.items)


def _platform_text() -> str:
    # not platform.platform(): on Windows it queries WMI, which Wine 8 cannot answer (it aborts)
    if sys.platform == "win32":
        v = sys.getwindowsversion()
        return f"Windows {v.major}.{v.minor}.{v.build}"
    return f"{platform.system()} {platform.release()} {platform.machine()}"


def _has_display() -> bool:
    if sys.platform == "win32" or sys.platform == "darwin":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _platforms(spec: str) -> list[str]:
    spec = (spec or "auto").strip().lower()
    if spec == "none":
        return []
    if spec == "auto":
        return ["offscreen"] + (["default"] if _has_display() else [])
    return [p.strip() for p in spec.split(",") if p.strip() and p.strip() != "none"]


def _write_json(path: Path, data: dict):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)


def _test_page_pdf(settings) -> tuple[bytes, str, str]:
    """A printed form: the owner-information form (its sample household) when that module is
    there, else a Chinese test page. Returns (pdf, form, note about a fallback)."""
    note = ""
    try:
        from app.archives.owner_info import sample_data
        from app.printing import owner_info
        return owner_info.OwnerInfoForm(settings, doc_number="ZJ-0001").render(sample_data()), "owner_info", ""
    except ImportError:
        note = "app.printing.owner_info not available"
    except Exception as exc:  # the form changed: still prove the printing stack with the test page
        note = f"owner_info failed, used the test page: {type(exc).__name__}: {exc}"
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    from app.printing.base import FormRenderer, esc, label_value_table

    class SelftestPage(FormRenderer):
        title = "打印自检页"

        def story(self, data):
            return self.title_block("物业前台 PropertyDesk 安装自检") + [
                label_value_table([["小区名称", data["site"], "版本", data["version"]],
                                   ["业主", "张三丰", "房号", "3-2-1201"]],
                                  [30 * mm, 55 * mm, 30 * mm, 55 * mm]),
                Paragraph(esc("中文字体嵌入测试：物业服务费、装修保证金、钥匙登记。"), self.st["body"]),
            ]

    data = {"site": settings.get("site.name"), "version": __version__}
    return SelftestPage(settings, doc_number="ZJ-0001").render(data), "selftest_page", note


# ---------------------------------------------------------------------------------------------
def _database(args, state: dict, result: dict) -> dict:
    from app.core.settings import SITE_DEFAULTS_FILE
    from app.system.context import open_context
    c = open_context(args.data_dir, args.database)
    from propertydesk.acting import selftest_user
    state["ctx"] = c
    c.user = selftest_user(c, args, state)
    result["data_dir"] = str(c.data_dir)
    result["site_file"] = str(SITE_DEFAULTS_FILE)
    result["site_file_exists"] = SITE_DEFAULTS_FILE.is_file()
    from models.migrations import get_version
    return {"url": c.url, "data_dir": str(c.data_dir), "schema_version": get_version(c.db)}


def _write(state: dict, result: dict) -> dict:
    from app.core import audit
    from models.users import AuditLog
    c = state["ctx"]
    before = AuditLog.select().where(AuditLog.action == "selftest").count()
    with c.db.atomic():
        row = audit.record(c, "selftest", "selftest", "", None,
                           {"version": __version__, "python": sys.version.split()[0]})
    back = AuditLog.get_by_id(row.id)
    assert back.action == "selftest", "audit row not read back"
    problems = audit.verify_chain(c)
    assert not problems, "; ".join(problems)
    result["selftest_runs"] = before + 1
    return {"audit_id": row.id, "earlier_selftest_rows": before}


def _settings(state: dict, result: dict) -> dict:
    c = state["ctx"]
    result["site_name"] = c.settings.get("site.name")
    return {"site.name": c.settings.get("site.name"), "site.address": c.settings.get("site.address"),
            "settings_file": str(c.settings.path), "changed": c.settings.changed()}


def _printing(state: dict) -> dict:
    c = state["ctx"]
    pdf, form, note = _test_page_pdf(c.settings)
    assert pdf.startswith(b"%PDF"), "not a PDF"
    assert b"FontFile2" in pdf or b"/FontFile" in pdf, "font not embedded"
    out_pdf = Path(c.data_dir) / "selftest.pdf"
    from app.printing.base import write_pdf
    write_pdf(pdf, out_pdf)
    state["pdf"] = out_pdf
    return {"form": form, "bytes": len(pdf), "path": str(out_pdf), **({"note": note} if note else {})}


def _libraries() -> dict:
    # packages the program loads only when a user first needs them: a build missing one
    # would otherwise fail in the middle of the day, not here. (argon2, for the sign-in, is
    # not imported here: its import asks WMI about the platform, which Wine, the installer
    # check's Windows, does not implement.)
    import openpyxl
    from cryptography.fernet import Fernet

    from app.core.pinyin import name_key
    key = name_key("曾建林")
    assert key.startswith("zeng1 jian4 lin2"), f"拼音错误：{key}"
    Fernet(Fernet.generate_key())
    return {"pinyin": key, "openpyxl": openpyxl.__version__}


def run_selftest(args, ctx=None) -> int:
    if args.window_child:
        return _window_child(args)
    t_start = time.perf_counter()
    checks = _Checks()
    result: dict = {
        "ok": False, "version": __version__, "python": sys.version.split()[0],
        "executable": sys.executable, "platform": _platform_text(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    state: dict = {}
    ok_db, _ = checks.run("database", lambda: _database(args, state, result))
    if ok_db:
        checks.run("write", lambda: _write(state, result))
        checks.run("settings", lambda: _settings(state, result))
        checks.run("print", lambda: _printing(state))
    checks.run("libraries", _libraries)
    for plat in _platforms(args.platforms):
        checks.run(f"window:{plat}", lambda plat=plat: _window_in_child(args, plat, state))

    result["checks"] = checks.items
    result["ok"] = checks.ok
    result["seconds"] = round(time.perf_counter() - t_start, 2)
    if "ctx" in state:
        with contextlib.suppress(Exception):
            state["ctx"].db.close()
    out = Path(args.out) if args.out else Path(result.get("data_dir") or ".") / "selftest.json"
    _write_json(out, result)
    for item in checks.items:
        mark = "通过" if item["ok"] else "失败"
        extra = "" if item["ok"] else f"：{item['detail'].get('error')}"
        print(f"[{mark}] {item['name']} ({item['seconds']} s){extra}")
    print(("自检通过" if result["ok"] else "自检失败") + f"，结果：{out}")
    return 0 if result["ok"] else 1


def _window_in_child(args, plat: str, state: dict) -> dict:
    fd, tmp = tempfile.mkstemp(prefix="pd-selftest-", suffix=".json")
    os.close(fd)
    try:
        cmd = [sys.executable, "-m", "propertydesk"]
        if args.data_dir:
            cmd += ["--data-dir", str(args.data_dir)]
        if args.database:
            cmd += ["--database", str(args.database)]
        cmd += ["selftest", "--window-child", plat, "--out", tmp]
        if state.get("pdf"):
            cmd += ["--pdf", str(state["pdf"])]
        env = dict(os.environ)
        env.pop("QT_QPA_PLATFORM", None)  # the child chooses with -platform
        if state.get("credentials"):      # the account the parent signed in as (perhaps at a prompt)
            env["PROPERTYDESK_USER"], env["PROPERTYDESK_PASSWORD"] = state["credentials"]
        kw = {}
        if sys.platform == "win32":
            kw["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        root = Path(__file__).resolve().parent.parent
        # The child's output goes to a file, not a pipe: a process the child starts (e.g. Wine's
        # desktop, explorer.exe) may inherit a pipe and keep it open long after the child ended.
        with tempfile.TemporaryFile() as log:
            proc = subprocess.run(cmd, cwd=str(root), env=env, stdin=subprocess.DEVNULL, stdout=log,
                                  stderr=subprocess.STDOUT, timeout=WINDOW_TIMEOUT_S, check=False, **kw)
            log.seek(0)
            output = log.read().decode("utf-8", "replace")
        try:
            data = json.loads(Path(tmp).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise RuntimeError(f"window check wrote no result (exit {proc.returncode}): {output[-1500:]}") from None
        if not data.get("ok"):
            raise RuntimeError(data.get("error") or f"window check failed (exit {proc.returncode})")
        return data.get("detail", {})
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _sign_in_window(app, ctx, args) -> tuple:
    """Sign in through the sign-in window the shortcut shows: the account and password (from the
    parent's environment) typed into its fields, its 登录 button clicked, the password checked by the
    same argon2 call a desk's start makes; the window is saved as a PNG beside the data. A site
    without any account yet (a fresh install) has no sign-in window: the selftest's transient manager."""
    from PySide6.QtWidgets import QDialogButtonBox

    from app.system.accounts import needs_first_run
    from propertydesk.acting import credentials, selftest_user
    if needs_first_run():
        return selftest_user(ctx, args), {"via": "none: the site has no account yet"}
    username, password = credentials(args, prompt_user=False)
    from ui.system.login import LoginDialog
    dlg = LoginDialog(ctx)
    dlg.show()
    app.processEvents()
    dlg.username.setText(username)
    dlg.password.setText(password)
    app.processEvents()
    shot = Path(ctx.data_dir) / f"selftest-signin-{app.platformName()}.png"
    dlg.grab().save(str(shot))
    dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    app.processEvents()
    if dlg.user is None:
        raise RuntimeError(f"the sign-in window refused {username!r}: {dlg.message.text()}")
    return dlg.user, {"via": "window", "user": dlg.user.username, "title": dlg.windowTitle(), "shot": str(shot)}


def _window_child(args) -> int:
    """Child process: one QApplication on one Qt platform."""
    plat = args.window_child
    out = Path(args.out)
    data: dict = {"ok": False, "platform": plat}
    try:
        from PySide6.QtWidgets import QApplication
        argv = [sys.argv[0] or "propertydesk"]
        if plat != "default":
            argv += ["-platform", plat]
        app = QApplication(argv)
        app.setApplicationName("PropertyDesk")
        from ui.app import install_chinese
        translations = [t.filePath() for t in install_chinese(app) if t.filePath()]
        from app.system.context import open_context
        ctx = open_context(args.data_dir, args.database)
        ctx.user, signed_in = _sign_in_window(app, ctx, args)
        from ui.main_window import MainWindow
        window = MainWindow(ctx)
        window.show()
        app.processEvents()
        tabs, tab_errors = [], []
        for name, title, _ic in getattr(window, "_specs", []):
            try:
                window.show_tab(name)
                app.processEvents()
                tabs.append(title)
            except Exception as exc:
                tab_errors.append(f"{title}: {type(exc).__name__}: {exc}")
        pixmap = window.grab()
        image = pixmap.toImage()
        shot = Path(ctx.data_dir) / f"selftest-window-{plat}.png"
        pixmap.save(str(shot))
        detail = {"qt_platform": app.platformName(), "title": window.windowTitle(), "tabs": tabs,
                  "qt_translation": [Path(t).name for t in translations],
                  "size": [image.width(), image.height()], "sign_in": signed_in, "window_shot": str(shot)}
        if args.pdf:
            from PySide6.QtCore import QSize
            from PySide6.QtPdf import QPdfDocument
            doc = QPdfDocument(None)
            doc.load(str(args.pdf))
            page = doc.render(0, QSize(400, 566)) if doc.pageCount() else None
            detail["qtpdf_pages"] = doc.pageCount()
            if not doc.pageCount() or page is None or page.isNull():
                raise RuntimeError(f"QtPdf could not render the printed form (status {doc.status()})")
        window.close()
        app.processEvents()
        if tab_errors:
            raise RuntimeError("tabs failed: " + "; ".join(tab_errors))
        if image.isNull() or image.width() < MIN_WINDOW_WIDTH:
            raise RuntimeError("main window did not paint")
        data.update(ok=True, detail=detail)
    except Exception as exc:
        data["error"] = f"{type(exc).__name__}: {exc}"
        data["traceback"] = traceback.format_exc(limit=10)
    _write_json(out, data)
    return 0 if data["ok"] else 1
