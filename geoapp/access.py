"""Who may see what: users, roles, province scopes, passwords and tokens.

Roles: ``admin`` (users and everything), ``editor`` (imports and edits for their provinces, reads
them), ``viewer`` (reads their provinces, or all). A scope entry is ``edition:code`` — province
codes are reused across the 2025 reform (15, 24, 44, 52, 80, 82, 91 name different provinces
before and after), so a bare code is expanded to both editions only when it names the same
place, and refused otherwise.

Passwords: salted, slow hashes (werkzeug's scrypt). API tokens: 32 random bytes shown once,
stored as SHA-256. Lockout: 5 failed logins lock an account for 15 minutes; 20 failures from one
address in 10 minutes throttle that address.

Trip-wires:

* Login attempts are counted BEFORE the password is checked, each counter in one statement
  (:func:`authenticate`); a right password gives its count back. Counting afterwards lets parallel
  requests check far more passwords than the limits allow.
* Unknown user, wrong password, locked and disabled account answer the same :class:`AuthError`
  after exactly one scrypt check each, so neither the text nor the time tells whether a name exists.
* A browser session is a row on the server (:func:`start_session`); the cookie carries only its
  random id. Logout revokes the row; ``session_epoch`` moves on with "log out everywhere", a role
  change or disabling, and that kills every session and every share link of the user at once.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache

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
SESSION_HOURS = 8
_SCOPE = re.compile(r"^(?:(2025|pre2025):)?(\d{1,2})$")


#: the one answer to unknown user, wrong password, locked and disabled account alike
REFUSED = "wrong user name or password, or the account is locked for a few minutes after repeated failures"
REFUSED_VI = ("sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đang tạm khóa vài phút "
              "vì đăng nhập sai nhiều lần")


class AuthError(GeoappError):
    """Wrong credentials, locked or disabled account. Raised bare (``AuthError()``) it carries the
    one text that never says which case it was, so nobody can learn whether a user name exists."""

    def __init__(self, message: str = REFUSED, *, message_vi: str | None = REFUSED_VI):
        super().__init__(message, message_vi=message_vi)


class ThrottledError(AuthError):
    """Too many failed logins from one address."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


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
    """A signed, expiring link to one map view; returns the token (stored only as a hash).

    The link remembers its creator's ``session_epoch``, so it dies with the creator's disable, role
    change or "log out everywhere" (:func:`live_share`). Only an active user can create one.
    """
    if not 1 <= days <= SHARE_MAX_DAYS:
        raise InputError(f"a share link lives 1 to {SHARE_MAX_DAYS} days",
                         message_vi=f"liên kết chia sẻ có hiệu lực từ 1 đến {SHARE_MAX_DAYS} ngày")
    creator = store.user(by) if by else None
    if creator is None or creator["disabled"]:
        raise NotFoundError(f"no active user {by!r} to create a share link",
                            message_vi=f"không có người dùng đang hoạt động {by!r} để tạo liên kết chia sẻ")
    token = secrets.token_urlsafe(32)
    expires = _iso(_now() + timedelta(days=days))
    with store.transaction() as tx:
        link = store.add_share_link(tx, token_hash(token), view, edition, province, by, expires,
                                    creator["session_epoch"])
        store.audit(tx, by, "share.create", f"{edition}:{province}", {"link": link, "days": days, "view": view}, origin)
    return token


def live_share(store, token: str) -> dict | None:
    """The share link of ``token`` while it is live; else None. The one place that decides.

    Live means: not revoked, not expired, and its creator still exists, is not disabled and has the
    ``session_epoch`` the link was created under (a role change or "log out everywhere" moves it on).
    A link from before epochs were recorded (``creator_epoch`` NULL) is dead: fail closed.
    """
    if not token or not isinstance(token, str):
        return None
    link = store.share_link(token_hash(token))
    if not link or link["revoked_at"] or link["expires_at"] <= _iso(_now()):
        return None
    creator = store.user(link["created_by"])
    if creator is None or creator["disabled"] or link.get("creator_epoch") is None:
        return None
    if int(creator["session_epoch"]) != int(link["creator_epoch"]):
        return None
    return link


def principal_of(user: dict, via: str) -> Principal:
    return Principal(user["name"], user["role"], bool(user["all_provinces"]), frozenset(user["provinces"]),
                     False, via)


# -- sessions -----------------------------------------------------------------------------------
def start_session(store, user: dict, *, hours: float = SESSION_HOURS) -> str:
    """Start a server-side session for a signed-in ``user``; returns the random id the cookie carries
    (the store keeps only its hash). The session lives ``hours`` unless revoked earlier."""
    sid = secrets.token_urlsafe(32)
    expires = _iso(_now() + timedelta(hours=hours))
    with store.transaction() as tx:
        store.add_session(tx, user["id"], token_hash(sid), user["session_epoch"], expires)
    return sid


def live_session(store, sid) -> dict | None:
    """The user of session id ``sid`` while the session is live; else None. The one place that decides.

    Live means: the row exists, is not revoked (logout) and has not expired, and the user is not
    disabled and still has the ``session_epoch`` the session started under.
    """
    if not sid or not isinstance(sid, str):
        return None
    user = store.session_user(token_hash(sid))
    if user is None:
        return None
    row = user["session"]
    if row["revoked_at"] or row["expires_at"] <= _iso(_now()) or user["disabled"]:
        return None
    return user if int(row["epoch"]) == int(user["session_epoch"]) else None


def end_session(store, sid: str, *, by: str, origin: str = "") -> None:
    """Log out: revoke session ``sid`` on the server, so a copy of the old cookie opens nothing."""
    with store.transaction() as tx:
        if store.revoke_session(tx, token_hash(sid)):
            store.audit(tx, by, "logout", by, {}, origin)


def _end_all_sessions(store, tx, name: str) -> int:
    """Move the user's ``session_epoch`` on (one UPDATE) and revoke their session rows; returns the
    user id. Every session and every share link the user made dies with it."""
    user_id = store.bump_session_epoch(tx, name)
    store.revoke_sessions(tx, user_id)
    return user_id


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


def has_password(store, name: str, password: str) -> bool:
    """Whether ``name`` exists and ``password`` is still its password (for ``geoapp users list`` on a demo
    instance: a published demo password is shown only while it works). Records no login, counts no attempt."""
    user = store.user(name)
    return bool(user) and check_password_hash(user["password_hash"], password)


def set_role(store, name: str, role: str, provinces=None, *, all_provinces: bool | None = None, by="cli", origin=""):
    """Change what a user may do. Ends the user's sessions and share links (the epoch moves on):
    what they opened or shared was decided under the old role."""
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}")
    fields = {"role": role}
    if provinces is not None:
        fields["provinces"] = parse_scope(provinces)
    if all_provinces is not None:
        fields["all_provinces"] = int(all_provinces)
    with store.transaction() as tx:
        store.update_user(tx, name, **fields)
        _end_all_sessions(store, tx, name)
        store.audit(tx, by, "user.set_role", name, fields, origin)


def disable_user(store, name: str, *, by="cli", origin=""):
    """Disable a user: their sessions, API tokens and share links stop working at once."""
    with store.transaction() as tx:
        store.update_user(tx, name, disabled=1)
        user_id = _end_all_sessions(store, tx, name)
        store.revoke_tokens(tx, user_id)
        store.audit(tx, by, "user.disable", name, {}, origin)


def logout_everywhere(store, name: str, *, origin=""):
    """End every session, API token and share link of ``name``."""
    with store.transaction() as tx:
        user_id = _end_all_sessions(store, tx, name)
        store.revoke_tokens(tx, user_id)
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


# -- sign-in ------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A scrypt hash of nothing anyone knows: checked instead of a real one so every refusal costs the same."""
    return generate_password_hash(secrets.token_urlsafe(24), method="scrypt")


def _password_matches(user: dict | None, password: str) -> bool:
    """Exactly one scrypt check whatever the case (unknown, locked, disabled, wrong, right)."""
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(user["password_hash"], password) and not user["disabled"]


def _record_failure(store, user: dict | None, origin: str) -> None:
    if user is None:       # unknown or locked: nothing of a user's changed beyond the address count
        return
    failed = int(user["failed_logins"])
    with store.transaction() as tx:
        store.audit(tx, user["name"], "login.failed", user["name"], {"failed": failed, "locked": failed >= MAX_FAILED},
                    origin)


def _record_success(store, name: str, origin: str) -> dict:
    store.give_back_login_slot(origin)
    with store.transaction() as tx:
        store.update_user(tx, name, failed_logins=0, locked_until=None)
        store.audit(tx, name, "login", name, {}, origin)
    return store.user(name)


def authenticate(store, name: str, password: str, origin: str) -> dict:
    """Check a login and return the user; :class:`AuthError` for every kind of refusal (one text),
    :class:`ThrottledError` when ``origin`` has used up its attempts.

    Both counters are charged BEFORE the password is checked, each in one statement: first the
    address (at most :data:`ORIGIN_MAX_FAILED` per :data:`ORIGIN_WINDOW_MINUTES`), then the account
    (the :data:`MAX_FAILED`-th counted attempt locks it for :data:`LOCK_MINUTES`). A throttled
    address checks no password at all; a locked account checks only the dummy hash. A right
    password gives the address its attempt back and clears the account's count.
    """
    since = _iso(_now() - timedelta(minutes=ORIGIN_WINDOW_MINUTES))
    if not store.take_login_slot(origin, since, ORIGIN_MAX_FAILED):
        raise ThrottledError("too many failed logins from this address; wait a few minutes",
                             message_vi="đăng nhập sai quá nhiều lần từ địa chỉ này; hãy chờ vài phút")
    lock = _iso(_now() + timedelta(minutes=LOCK_MINUTES))
    user = store.take_user_attempt(name, MAX_FAILED, lock) if name else None
    ok = _password_matches(user, password)
    store.record_login(origin, name, ok)
    if not ok:
        _record_failure(store, user, origin)
        raise AuthError()
    return _record_success(store, name, origin)
