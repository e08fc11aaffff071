"""Accounts: argon2id password hashes, sign-in, the first-run manager, account management.

Every change is a user action: permission (``users.manage``), validation naming the field,
one transaction with an audit row. Password hashes never reach the audit log.
"""
from __future__ import annotations

import datetime as dt
import math
import re

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.core.audit import model_dict, record
from app.core.errors import NotFound, PermissionDenied, StateError, ValidationError
from app.core.permissions import require
from models.db import for_update
from models.users import ROLES, User

BACKUP_ROLE = "backup"   # an account that may only back up (scheduled jobs); command line only

MIN_PASSWORD = 6
MAX_PASSWORD = 128
MAX_DISPLAY_NAME = 40
MAX_FAILED = 5          # failed sign-ins before the account is locked for a while
LOCK_MINUTES = 10
SHORT_PAUSE_S = 60       # a pause up to this long is told in seconds (and waited out by the command line)

_hasher = PasswordHasher(type=Type.ID)   # argon2id, the library's RFC 9106 low-memory profile


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _check_password(password: str, field: str = "密码") -> str:
    if password is None or len(password) < MIN_PASSWORD:
        raise ValidationError(field, f"至少{MIN_PASSWORD}位")
    if len(password) > MAX_PASSWORD:
        raise ValidationError(field, f"不能超过{MAX_PASSWORD}位")
    if password.strip() != password:
        raise ValidationError(field, "首尾不能有空格")
    return password


def _check_username(username: str) -> str:
    s = (username or "").strip()
    if not s:
        raise ValidationError("登录名", "不能为空")
    if not re.fullmatch(r"[A-Za-z0-9_.\-\u4e00-\u9fff]{2,32}", s):
        raise ValidationError("登录名", "应为2–32位字母、数字、汉字或 _ . -")
    return s


def _check_display(name: str) -> str:
    s = (name or "").strip()
    if not s:
        raise ValidationError("姓名", "不能为空")
    if len(s) > MAX_DISPLAY_NAME:
        raise ValidationError("姓名", f"不能超过{MAX_DISPLAY_NAME}个字")
    return s


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError("角色", f"应为{'、'.join(ROLES.values())}之一")
    return role


def needs_first_run() -> bool:
    """True when no account with a password exists yet (the first start creates the manager)."""
    return not User.select().where(User.password_hash != "").exists()


def create_first_manager(ctx, username: str, display_name: str, password: str, password2: str | None = None) -> User:
    """The first start: create the manager account. Refused once any account has a password."""
    username, display_name = _check_username(username), _check_display(display_name)
    _check_password(password)
    if password2 is not None and password2 != password:
        raise ValidationError("确认密码", "两次输入的密码不一致")
    h = hash_password(password)
    with ctx.db.atomic():
        if not needs_first_run():
            raise StateError("已有账号，不能再次创建初始经理账号")
        user = User.get_or_none(User.username == username)
        if user is None:
            user = User.create(username=username, display_name=display_name, role="manager", password_hash=h)
        else:
            user.display_name, user.role, user.password_hash, user.active = display_name, "manager", h, True
            user.save()
        actor = ctx.with_user(user)
        record(actor, "user.create_first_manager", "user", user.id, None, model_dict(user))
    return user


class SignInDelayed(PermissionDenied):
    """A sign-in refused unchecked because the account's last failures asked for a pause:
    ``seconds`` to wait (the command line waits them out, the sign-in window says so)."""

    def __init__(self, message: str, seconds: float):
        super().__init__(message)
        self.seconds = seconds


def delay_after(failures: int) -> int:
    """Seconds an account waits after *failures* wrong passwords in a row: the first costs nothing
    (a typo), then 2, 4, 8 …; from MAX_FAILED on, LOCK_MINUTES."""
    if failures <= 1:
        return 0
    if failures >= MAX_FAILED:
        return LOCK_MINUTES * 60
    return 2 ** (failures - 1)


def sign_in_wait(ctx, username: str) -> float:
    """Seconds the account *username* must still wait before its password is checked (0: none).
    Kept in the database, so a new process (or another desk) waits too."""
    user = User.get_or_none(User.username == (username or "").strip())
    if user is None or not user.locked_until:
        return 0.0
    return max(0.0, (user.locked_until - ctx.clock.now()).total_seconds())


_DUMMY_HASH = []


def _verify_nothing(password: str) -> None:
    """An unknown account costs the same time as a wrong password (no telling which names exist)."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password("placeholder-password"))
    verify_password(_DUMMY_HASH[0], password or "")


def _wait_message(user: User, wait: float) -> str:
    if wait > SHORT_PAUSE_S:
        return f"连续输错密码次数过多，账号已锁定至 {user.locked_until:%H:%M}，请稍后再试或联系经理"
    return f"密码已连续输错 {user.failed_logins} 次，请 {math.ceil(wait)} 秒后再试"


def authenticate(ctx, username: str, password: str, *, desk: bool = True) -> User:
    """Check a sign-in. Returns the user or raises PermissionDenied (a Chinese message).

    Every failed attempt is audited (``auth.fail``, naming the account tried) and slows the account
    down: after n wrong passwords in a row the next check waits ``delay_after(n)`` seconds (kept in
    ``User.locked_until``: the sign-in window, the lock screen and the command line share it); an
    attempt inside that pause is refused unchecked with :class:`SignInDelayed`. *desk* False is the
    command line: only there may a backup-only account sign in."""
    username = (username or "").strip()
    if not username:
        raise ValidationError("登录名", "不能为空")
    now = ctx.clock.now()
    refusal = None
    # The failed attempt (counter and audit row) is committed; the refusal is raised afterwards.
    with ctx.db.atomic():
        user = for_update(User.select().where(User.username == username)).first()
        wait = 0.0 if user is None or not user.locked_until else (user.locked_until - now).total_seconds()
        if user is None or not user.active or not user.password_hash:
            _verify_nothing(password)
            record(ctx.with_user(None), "auth.fail", "user", username, None,
                   {"username": username, "reason": "账号不存在或已停用"})
            refusal = PermissionDenied("登录名或密码错误")
        elif wait > 0:
            record(ctx.with_user(None), "auth.fail", "user", user.id, None,
                   {"username": username, "reason": "输错密码后的等待期内再次尝试", "locked_until": user.locked_until})
            refusal = SignInDelayed(_wait_message(user, wait), wait)
        elif not verify_password(user.password_hash, password or ""):
            user.failed_logins += 1
            delay = delay_after(user.failed_logins)
            user.locked_until = now + dt.timedelta(seconds=delay) if delay else None
            user.save()
            record(ctx.with_user(None), "auth.fail", "user", user.id, None,
                   {"username": username, "failed_logins": user.failed_logins, "locked_until": user.locked_until})
            pause = f"（请 {delay} 秒后再试）" if 0 < delay <= SHORT_PAUSE_S else "，账号已锁定，请稍后再试或联系经理"
            refusal = PermissionDenied("登录名或密码错误" + (pause if delay else ""))
        elif desk and user.role == BACKUP_ROLE:
            record(ctx.with_user(None), "auth.fail", "user", user.id, None,
                   {"username": username, "reason": "备份账号不能登录窗口"})
            refusal = PermissionDenied("备份账号只用于命令行的定时备份，不能登录窗口")
        else:
            user.failed_logins = 0
            user.locked_until = None
            user.last_login = now
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            user.save()
            record(ctx.with_user(user), "auth.login", "user", user.id, None,
                   None if desk else {"description": "命令行登录"})
    if refusal:
        raise refusal
    return user


def list_users(ctx) -> list[User]:
    require(ctx, "users.manage")
    return list(User.select().order_by(User.active.desc(), User.role, User.username))


def _active_managers(exclude_id=None) -> int:
    q = User.select().where((User.role == "manager") & (User.active == True) & (User.password_hash != ""))  # noqa: E712
    if exclude_id is not None:
        q = q.where(User.id != exclude_id)
    return q.count()


def create_user(ctx, username: str, display_name: str, role: str, password: str, phone: str = "") -> User:
    require(ctx, "users.manage")
    username, display_name, role = _check_username(username), _check_display(display_name), _check_role(role)
    _check_password(password, "初始密码")
    from app.core.validation import check_phone
    phone = check_phone(phone, "联系电话") if phone else ""
    h = hash_password(password)
    with ctx.db.atomic():
        if User.select().where(User.username == username).exists():
            raise ValidationError("登录名", f"“{username}”已被使用")
        user = User.create(username=username, display_name=display_name, role=role, password_hash=h,
                           phone=phone, must_change_password=True)
        record(ctx, "user.create", "user", user.id, None, model_dict(user))
    return user


def _get(user_id) -> User:
    user = User.get_or_none(User.id == user_id)
    if user is None:
        raise NotFound("账号不存在")
    return user


def update_user(ctx, user_id: int, *, display_name=None, role=None, phone=None, active=None) -> User:
    require(ctx, "users.manage")
    changes = {}
    if display_name is not None:
        changes["display_name"] = _check_display(display_name)
    if role is not None:
        changes["role"] = _check_role(role)
    if phone is not None:
        from app.core.validation import check_phone
        changes["phone"] = check_phone(phone, "联系电话") if phone else ""
    if active is not None:
        changes["active"] = bool(active)
    with ctx.db.atomic():
        user = _get(user_id)
        before = model_dict(user)
        losing_manager = user.role == "manager" and user.active and (
            changes.get("role", "manager") != "manager" or changes.get("active", True) is False)
        if losing_manager and _active_managers(exclude_id=user.id) == 0:
            raise StateError("至少要保留一个启用的经理账号")
        for k, v in changes.items():
            setattr(user, k, v)
        user.save()
        record(ctx, "user.update", "user", user.id, before, model_dict(user))
    return user


def reset_password(ctx, user_id: int, new_password: str) -> User:
    """The manager sets a new password for an account (the user changes it at next sign-in)."""
    require(ctx, "users.manage")
    _check_password(new_password, "新密码")
    h = hash_password(new_password)
    with ctx.db.atomic():
        user = _get(user_id)
        user.password_hash, user.must_change_password = h, True
        user.failed_logins, user.locked_until = 0, None
        user.save()
        record(ctx, "user.reset_password", "user", user.id, None, {"username": user.username})
    return user


def change_own_password(ctx, old_password: str, new_password: str, new_password2: str | None = None) -> User:
    """Any signed-in user changes their own password."""
    user = getattr(ctx, "user", None)
    if user is None or getattr(user, "id", None) is None:
        raise PermissionDenied("请先登录")
    _check_password(new_password, "新密码")
    if new_password2 is not None and new_password2 != new_password:
        raise ValidationError("确认密码", "两次输入的密码不一致")
    if new_password == old_password:
        raise ValidationError("新密码", "不能与原密码相同")
    with ctx.db.atomic():
        fresh = _get(user.id)
        if not verify_password(fresh.password_hash, old_password or ""):
            raise ValidationError("原密码", "不正确")
        fresh.password_hash, fresh.must_change_password = hash_password(new_password), False
        fresh.save()
        record(ctx, "user.change_password", "user", fresh.id, None, {"username": fresh.username})
    return fresh
