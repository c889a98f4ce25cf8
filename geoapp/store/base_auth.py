"""The part of the store contract that holds users, API tokens, login attempts and share links."""
from __future__ import annotations

import abc

import pandas as pd


class AuthStore(abc.ABC):
    """Users and credentials. Passwords and tokens arrive already hashed: the store never sees secrets."""

    @abc.abstractmethod
    def add_user(self, tx, name: str, password_hash: str, role: str, provinces: list[str],
                 all_provinces: bool) -> int:
        """Create a user; :class:`~geoapp.errors.InputError` if the name exists."""

    @abc.abstractmethod
    def update_user(self, tx, name: str, **fields) -> None:
        """Change fields of a user (role, provinces, all_provinces, disabled, password_hash,
        failed_logins, locked_until, session_epoch)."""

    @abc.abstractmethod
    def user(self, name: str) -> dict | None:
        """One user by name, or None."""

    @abc.abstractmethod
    def users(self) -> pd.DataFrame:
        """All users (without password hashes)."""

    @abc.abstractmethod
    def add_token(self, tx, user_id: int, token_hash: str, label: str) -> int: ...

    @abc.abstractmethod
    def token_user(self, token_hash: str) -> dict | None:
        """The user of a live (not revoked) token, and marks the token used."""

    @abc.abstractmethod
    def revoke_tokens(self, tx, user_id: int) -> int: ...

    @abc.abstractmethod
    def record_login(self, origin: str, name: str, ok: bool) -> None:
        """Remember a login attempt (its own small transaction: attempts must count even when a
        request fails)."""

    @abc.abstractmethod
    def failed_logins_since(self, origin: str, since: str) -> int: ...

    @abc.abstractmethod
    def add_share_link(self, tx, token_hash: str, view: str, edition: str, province: str, created_by: str,
                       expires_at: str) -> int: ...

    @abc.abstractmethod
    def share_link(self, token_hash: str) -> dict | None: ...

    @abc.abstractmethod
    def share_links(self) -> pd.DataFrame: ...

    @abc.abstractmethod
    def revoke_share_link(self, tx, link_id: int, by: str) -> None: ...
