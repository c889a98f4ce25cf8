"""Who may see what: users, roles, province scopes, passwords and tokens.

Roles: ``admin`` (users and everything), ``editor`` (imports and edits for their provinces, reads
them), ``viewer`` (reads their provinces, or all). A scope entry is ``edition:code`` — province
codes are reused across the 2025 reform (15, 24, 44, 52, 80, 82, 91 name different provinces
before and after), so a bare code is expanded to both editions only when it names the same
place, and refused otherwise.

Passwords: salted, slow hashes (werkzeug's scrypt). API tokens: 32 random bytes shown once,
stored as SHA-256. Lockout: 5 failed logins lock an account for 15 minutes; 20 failures from one
address in 10 minutes throttle that address.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from werkzeug.security import check_password_hash, generate_password_hash

from .errors import GeoappError, InputError, NotFoundError

ROLES = ("admin", "editor", "viewer")
#: province codes that name different provinces before and after 1 July 2025
REUSED_PROVINCE_CODES = {"15", "24", "44", "52", "80", "82", "91"}
MAX_FAILED = 5
LOCK_MINUTES = 15
ORIGIN_WINDOW_MINUTES = 10
ORIGIN_MAX_FAILED = 20
MIN_PASSWORD = 10
_SCOPE = re.compile(r"^(?:(2025|pre2025):)?(\d{1,2})$")


class AuthError(GeoappError):
    """Wrong credentials, locked or disabled account (the message never says which user exists)."""


class ThrottledError(AuthError):
    """Too many failed logins from one address."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters",
                         message_vi=f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")
    return generate_password_hash(password, method="scrypt")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "gat_" + secrets.token_urlsafe(32)


def parse_scope(entries) -> list[str]:
    """``["12", "2025:15"]`` → ``["2025:12", "pre2025:12", "2025:15"]``; reused bare codes are refused."""
    out = set()
    for raw in entries:
        m = _SCOPE.match(str(raw).strip())
        if not m:
            raise InputError(f"province {raw!r}: use a code (12) or edition:code (2025:12)")
        edition, code = m.group(1), m.group(2).zfill(2)
        if edition:
            out.add(f"{edition}:{code}")
        elif code in REUSED_PROVINCE_CODES:
            raise InputError(f"province code {code} names different provinces before and after the 2025 reform; "
                             f"say which: 2025:{code} or pre2025:{code}")
        else:
            out |= {f"2025:{code}", f"pre2025:{code}"}
    return sorted(out)


@dataclass(frozen=True)
class Principal:
    """Whoever makes a request: a user, a share-link holder, or anonymous."""

    name: str = ""
    role: str = ""
    all_provinces: bool = False
    provinces: frozenset = field(default_factory=frozenset)
    public_read: bool = False
    via: str = ""            # session | token | share | public
    shared: frozenset = field(default_factory=frozenset)   # "edition:code" opened by share links

    @property
    def authenticated(self) -> bool:
        return bool(self.name)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can_read(self, edition: str, province: str | None) -> bool:
        """``province`` None means the whole edition."""
        if self.public_read or self.is_admin:
            return True
        if province is not None and f"{edition}:{province}" in self.shared:
            return True
        if not self.authenticated:
            return False
        if self.all_provinces:
            return True
        return province is not None and f"{edition}:{province}" in self.provinces

    def can_edit(self, edition: str, province: str | None) -> bool:
        if self.is_admin:
            return True
        if self.role != "editor":
            return False
        if self.all_provinces:
            return True
        return province is not None and f"{edition}:{province}" in self.provinces

    def readable(self, edition: str, codes) -> list[str]:
        return [c for c in codes if self.can_read(edition, c)]


SHARE_MAX_DAYS = 90


def create_share_link(store, view: str, edition: str, province: str, days: int, *, by: str, origin="") -> str:
    """A signed, expiring link to one map view; returns the token (stored only as a hash)."""
    if not 1 <= days <= SHARE_MAX_DAYS:
        raise InputError(f"a share link lives 1 to {SHARE_MAX_DAYS} days")
    token = secrets.token_urlsafe(32)
    expires = (_now() + timedelta(days=days)).isoformat(timespec="seconds")
    with store.transaction() as tx:
        link = store.add_share_link(tx, token_hash(token), view, edition, province, by, expires)
        store.audit(tx, by, "share.create", f"{edition}:{province}", {"link": link, "days": days, "view": view}, origin)
    return token


def live_share(store, token: str) -> dict | None:
    """The share link of ``token`` if it exists, is not revoked and has not expired; else None."""
    link = store.share_link(token_hash(token))
    if not link or link["revoked_at"] or link["expires_at"] <= _now().isoformat(timespec="seconds"):
        return None
    return link


def principal_of(user: dict, via: str) -> Principal:
    return Principal(user["name"], user["role"], bool(user["all_provinces"]), frozenset(user["provinces"]),
                     False, via)


# -- use cases ----------------------------------------------------------------------------------
def add_user(store, name: str, role: str, provinces, password: str, *, all_provinces: bool = False,
             by: str = "cli", origin: str = "") -> dict:
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}")
    if not re.fullmatch(r"[A-Za-z0-9_.@-]{2,64}", name):
        raise InputError("user names use letters, digits and . _ @ - (2–64 characters)")
    scope = parse_scope(provinces)
    if role == "editor" and not scope and not all_provinces:
        raise InputError("an editor needs at least one --province (or --all-provinces)")
    with store.transaction() as tx:
        store.add_user(tx, name, hash_password(password), role, scope, all_provinces or role == "admin")
        store.audit(tx, by, "user.add", name, {"role": role, "provinces": scope, "all": all_provinces}, origin)
    return store.user(name)


def set_role(store, name: str, role: str, provinces=None, *, all_provinces: bool | None = None, by="cli", origin=""):
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}")
    fields = {"role": role}
    if provinces is not None:
        fields["provinces"] = parse_scope(provinces)
    if all_provinces is not None:
        fields["all_provinces"] = int(all_provinces)
    with store.transaction() as tx:
        store.update_user(tx, name, **fields)
        store.audit(tx, by, "user.set_role", name, fields, origin)


def disable_user(store, name: str, *, by="cli", origin=""):
    user = store.user(name)
    if user is None:
        raise NotFoundError(f"no user {name!r}")
    with store.transaction() as tx:
        store.update_user(tx, name, disabled=1, session_epoch=user["session_epoch"] + 1)
        store.revoke_tokens(tx, user["id"])
        store.audit(tx, by, "user.disable", name, {}, origin)


def logout_everywhere(store, name: str, *, origin=""):
    user = store.user(name)
    with store.transaction() as tx:
        store.update_user(tx, name, session_epoch=user["session_epoch"] + 1)
        store.revoke_tokens(tx, user["id"])
        store.audit(tx, name, "user.logout_everywhere", name, {}, origin)


def create_token(store, name: str, label: str = "", *, by="cli", origin="") -> str:
    user = store.user(name)
    if user is None or user["disabled"]:
        raise NotFoundError(f"no active user {name!r}")
    token = new_token()
    with store.transaction() as tx:
        store.add_token(tx, user["id"], token_hash(token), label)
        store.audit(tx, by, "token.create", name, {"label": label}, origin)
    return token


def authenticate(store, name: str, password: str, origin: str) -> dict:
    """Check a login; count failures; lock after :data:`MAX_FAILED`; throttle noisy addresses."""
    since = (_now() - timedelta(minutes=ORIGIN_WINDOW_MINUTES)).isoformat(timespec="seconds")
    if store.failed_logins_since(origin, since) >= ORIGIN_MAX_FAILED:
        raise ThrottledError("too many failed logins from this address; wait a few minutes",
                             message_vi="đăng nhập sai quá nhiều lần từ địa chỉ này; hãy chờ vài phút")
    user = store.user(name)
    wrong = AuthError("wrong user name or password", message_vi="sai tên đăng nhập hoặc mật khẩu")
    if user is None:
        check_password_hash(generate_password_hash("x", method="scrypt"), password)   # same time as a real check
        store.record_login(origin, name, False)
        raise wrong
    if user["locked_until"] and user["locked_until"] > _now().isoformat(timespec="seconds"):
        store.record_login(origin, name, False)
        raise AuthError("this account is locked for a few minutes after repeated failures",
                        message_vi="tài khoản tạm khóa vài phút vì đăng nhập sai nhiều lần")
    ok = check_password_hash(user["password_hash"], password) and not user["disabled"]
    store.record_login(origin, name, ok)
    with store.transaction() as tx:
        if ok:
            store.update_user(tx, name, failed_logins=0, locked_until=None)
            store.audit(tx, name, "login", name, {}, origin)
        else:
            failed = user["failed_logins"] + 1
            lock = (_now() + timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds") if failed >= MAX_FAILED else None
            store.update_user(tx, name, failed_logins=failed, locked_until=lock)
            store.audit(tx, name, "login.failed", name, {"failed": failed, "locked": bool(lock)}, origin)
    if not ok:
        raise wrong
    return store.user(name)
