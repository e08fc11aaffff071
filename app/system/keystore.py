"""Where the site key lives: the operating system's key store, never the data folder.

The key that encrypts identity numbers and phones (app.core.crypto.Vault) is kept per site (the
site id in the database's meta table, app.system.sitemark) in the OS key store through ``keyring``
(Windows Credential Manager, protected by DPAPI, on the office PCs). Where no key store exists
(a Linux server, this CI) it is a file ``site-<id>.key`` readable by the user only (0600, folder
0700) in the user's config folder, outside the data folder; ``PROPERTYDESK_KEY_DIR`` names that
folder instead (tests) and always uses the file.

The database keeps only six check digits of the key (meta ``site.key_check``): a desk with a wrong
or missing key is refused before anything is written. A site from before this module kept its key
in ``<data-dir>/keys/site.key``: the first start moves it into the store and removes the file only
after reading it back from the store. Every desk on one PostgreSQL database needs the same key:
the manager prints the recovery sheet (app.system.keystore_admin.recovery_sheet_pdf) and another
desk enters it with ``propertydesk key import`` or the dialog offered at start.
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from app.core.crypto import Vault, activate, check_digits, new_key
from app.core.errors import UserError

SERVICE = "PropertyDesk"
KEY_DIR_ENV = "PROPERTYDESK_KEY_DIR"
LEGACY_KEY_FILE = Path("keys") / "site.key"
CHECK_KEY = "site.key_check"
SITE_ID_KEY = "site.id"
SHEET_NAME = "《站点密钥恢复单》"
KEY_BYTES = 32


class KeyMissing(UserError):
    """The database holds encrypted data and this PC has no key for it."""


class KeyMismatch(UserError):
    """The key this PC holds (or one typed in) is not the key of this database."""


def key_dir() -> Path:
    env = os.environ.get(KEY_DIR_ENV)
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_config_dir("PropertyDesk Keys", "PropertyDesk", roaming=False))


def _key_file(site_id: str) -> Path:
    return key_dir() / f"site-{site_id}.key"


_KEYRING: list = []


def _keyring():
    """The keyring module when a real key store backs it, else None (asked once per process;
    never under PROPERTYDESK_KEY_DIR)."""
    if os.environ.get(KEY_DIR_ENV):
        return None
    if not _KEYRING:
        try:
            import keyring
            backend = keyring.get_keyring()
            usable = getattr(backend, "priority", 0) > 0 and "fail" not in type(backend).__module__
            _KEYRING.append(keyring if usable else None)
        except Exception:  # no backend at all, or a broken one: the user-only file is used
            _KEYRING.append(None)
    return _KEYRING[0]


def where(site_id: str) -> str:
    """Where this PC keeps the site's key, in words."""
    if _key_file(site_id).is_file() or _keyring() is None:
        return f"本机用户配置目录中的密钥文件（仅本用户可读）：{_key_file(site_id)}"
    return "Windows 凭据管理器（DPAPI 加密）" if sys.platform == "win32" else "系统密钥环"


def load_key(site_id: str) -> bytes | None:
    path = _key_file(site_id)
    if path.is_file():
        return path.read_bytes().strip() or None
    kr = _keyring()
    if kr is None:
        return None
    try:
        text = kr.get_password(SERVICE, f"site-{site_id}")
    except Exception:
        return None
    return text.encode("ascii") if text else None


def _write_file(path: Path, key: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path.parent, 0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
        fh.flush()
        os.fsync(fh.fileno())
    with contextlib.suppress(OSError):
        os.chmod(tmp, 0o600)
    tmp.replace(path)


def store_key(site_id: str, key: bytes) -> None:
    """Keep *key* for the site on this PC and read it back (a store that did not keep it raises)."""
    kr = _keyring()
    stored = False
    if kr is not None:
        try:
            kr.set_password(SERVICE, f"site-{site_id}", key.decode("ascii"))
            stored = True
        except Exception:
            stored = False
    if not stored:
        _write_file(_key_file(site_id), key)
    elif _key_file(site_id).is_file():
        _key_file(site_id).unlink()
    if load_key(site_id) != key:
        raise UserError("站点密钥未能保存到本机密钥存储，请检查系统凭据管理器后重试")


def _meta(db, key: str) -> str:
    row = db.execute_sql(f"SELECT value FROM meta WHERE key = {db.param}", (key,)).fetchone()
    return row[0] if row else ""


def _set_meta_once(db, key: str, value: str) -> str:
    """Write a meta row unless one exists (two desks starting together: the first one wins);
    returns the value stored."""
    from peewee import IntegrityError

    from models.system import Meta
    try:
        with db.atomic():
            if Meta.get_or_none(Meta.key == key) is None:
                Meta.create(key=key, value=value)
    except IntegrityError:
        pass
    return _meta(db, key)


def site_id_of(db, data_dir=None) -> str:
    """The site id in the meta table; a database without one (PostgreSQL, an older site) is given
    the data folder's marker's id, or a new one."""
    from models.system import Meta
    if not db.table_exists("meta"):
        db.create_tables([Meta], safe=True)
    site_id = _meta(db, SITE_ID_KEY)
    if site_id:
        return site_id
    import secrets

    from app.system.sitemark import read_site_marker
    marker = read_site_marker(data_dir) if data_dir else None
    return _set_meta_once(db, SITE_ID_KEY, (marker or {}).get("site_id") or secrets.token_hex(16))


def has_encrypted_data(db) -> bool:
    """Any encrypted identity number or sealed phone in the database (then a new key would lose it)."""
    if _meta(db, CHECK_KEY):
        return True
    tables = set(db.get_tables())
    p = db.param
    probes = (("owner", f"id_enc <> {p}", ""), ("resident", f"id_enc <> {p}", ""), ("owner", f"phone LIKE {p}", "~%"),
              ("resident", f"phone LIKE {p}", "~%"))
    return any(table in tables and db.execute_sql(f"SELECT 1 FROM {table} WHERE {cond} LIMIT 1", (arg,)).fetchone()
               for table, cond, arg in probes)


def _missing_message(site_id: str) -> str:
    return (f"本机没有本站点的数据加密密钥（站点编号 {site_id[:8]}），无法读取已加密的身份证号和电话。"
            f"请取出经理打印保管的{SHEET_NAME}，运行 propertydesk key import 输入密钥和校验码，"
            "或在程序启动时的“输入站点密钥”对话框中输入。切勿新建站点代替。")


def _move_legacy(data_dir, site_id: str) -> bytes | None:
    """A key left in the data folder by an older version: into the store, then removed there."""
    if not data_dir:
        return None
    legacy = Path(data_dir) / LEGACY_KEY_FILE
    if not legacy.is_file():
        return None
    key = legacy.read_bytes().strip()
    if not key:
        return None
    store_key(site_id, key)          # read back inside: raises when the store did not keep it
    if load_key(site_id) == key:
        legacy.unlink()
        with contextlib.suppress(OSError):
            legacy.parent.rmdir()
    return key


def open_site_vault(db, data_dir=None) -> Vault:
    """The site's Vault, activated for the sealed columns. Called once the database is open and
    before it is migrated (the step that seals phones needs it). Refuses a missing or wrong key when
    the database holds encrypted data; a new site gets a new key, kept in the store."""
    site_id = site_id_of(db, data_dir)
    key = load_key(site_id) or _move_legacy(data_dir, site_id)
    check = _meta(db, CHECK_KEY)
    if key is None:
        if has_encrypted_data(db):
            raise KeyMissing(_missing_message(site_id))
        key = new_key()
        store_key(site_id, key)
    if check and check != check_digits(key):
        raise KeyMismatch(f"本机保存的站点密钥（校验码 {check_digits(key)}）与数据库不符（应为 {check}）。"
                          f"请用{SHEET_NAME}运行 propertydesk key import 重新输入密钥。")
    if not check:
        stored = _set_meta_once(db, CHECK_KEY, check_digits(key))
        if stored != check_digits(key):   # another desk created the site's key at the same moment
            raise KeyMismatch(f"另一台电脑已为本数据库设置站点密钥，请用{SHEET_NAME}输入该密钥。")
    vault = Vault(key)
    activate(vault)
    return vault


def parse_key_text(text: str) -> bytes:
    """The key as typed from the recovery sheet: spaces and line breaks are ignored ("-" and "_" are
    characters of the key)."""
    import base64
    import binascii

    from app.core.errors import ValidationError
    cleaned = "".join(ch for ch in (text or "") if not ch.isspace())
    if not cleaned:
        raise ValidationError("站点密钥", "不能为空")
    try:
        raw = base64.urlsafe_b64decode(cleaned.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise ValidationError("站点密钥", "格式不对（应为恢复单上的 44 个字符），请逐个核对")
    return cleaned.encode("ascii")


def import_key(db, data_dir, key_text: str, digits: str) -> str:
    """Enter the key from the recovery sheet on this PC (another desk, a replaced PC): checked
    against the sheet's check digits and the database's, then kept in the store. Returns where."""
    from app.core.errors import ValidationError
    key = parse_key_text(key_text)
    digits = "".join(ch for ch in (digits or "") if not ch.isspace())
    if not digits:
        raise ValidationError("校验码", "不能为空")
    if digits != check_digits(key):
        raise ValidationError("校验码", "与输入的密钥不符，请核对密钥是否抄错")
    site_id = site_id_of(db, data_dir)
    check = _meta(db, CHECK_KEY)
    if check and check != digits:
        raise KeyMismatch(f"该密钥（校验码 {digits}）不是本数据库的密钥（应为 {check}），请确认恢复单属于本站点")
    store_key(site_id, key)
    if not check:
        _set_meta_once(db, CHECK_KEY, digits)
    return where(site_id)
