"""Tokens by role: fixed strings from the command line, or keystoneauth1 sessions that renew them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from conformance.errors import TargetError

__all__ = ["Credentials"]

TokenSource = Callable[[], str]


class Credentials:
    """The token of each role (``admin``, ``member``, ``other``...), never shown in a repr.

    >>> creds = Credentials.from_tokens({"admin": "gAAAA-secret", "member": ""})
    >>> creds.roles, creds.token("admin")
    (frozenset({'admin'}), 'gAAAA-secret')
    >>> creds
    Credentials(roles=['admin'])

    Empty tokens are dropped (an option given as ``--member-token ""`` means none).
    A role backed by a keystoneauth1 session gets a fresh token when the old one
    expires; :meth:`invalidate` forces that after a 401.
    """

    def __init__(self, sources: Mapping[str, TokenSource] | None = None,
                 sessions: Mapping[str, Any] | None = None) -> None:
        self._sources: dict[str, TokenSource] = dict(sources or {})
        self._sessions: dict[str, Any] = dict(sessions or {})
        self._lock = threading.Lock()

    @classmethod
    def from_tokens(cls, tokens: Mapping[str, str | None]) -> Credentials:
        """Fixed tokens, by role."""
        return cls({role: _fixed(token) for role, token in tokens.items() if token})

    @classmethod
    def from_sessions(cls, sessions: Mapping[str, Any]) -> Credentials:
        """keystoneauth1 sessions (with their auth plugins), by role."""
        return cls({role: session.get_token for role, session in sessions.items()}, sessions)

    @classmethod
    def combine(cls, tokens: Mapping[str, str | None], sessions: Mapping[str, Any]) -> Credentials:
        """Sessions for some roles, fixed tokens for the others (a session wins over a token)."""
        sources: dict[str, TokenSource] = {role: _fixed(token) for role, token in tokens.items() if token}
        sources.update({role: session.get_token for role, session in sessions.items()})
        return cls(sources, sessions)

    @property
    def roles(self) -> frozenset[str]:
        """The roles that have a token."""
        return frozenset(self._sources)

    def session(self, role: str) -> Any:
        """The keystoneauth1 session behind ``role``, or None for a fixed token."""
        return self._sessions.get(role)

    def token(self, role: str) -> str:
        """The token of ``role``; raises :class:`TargetError` for a role without credentials."""
        try:
            source = self._sources[role]
        except KeyError:
            have = ", ".join(sorted(self._sources)) or "none"
            raise TargetError(f"no credentials for role {role!r} (have: {have})") from None
        with self._lock:
            try:
                token = source()
            except TargetError:
                raise
            except Exception as error:  # keystoneauth1 failures: bad password, unreachable keystone...
                raise TargetError(f"cannot get a token for role {role!r}: {type(error).__name__}: {error}") from None
        if not token:
            raise TargetError(f"the credentials of role {role!r} gave an empty token")
        return token

    def invalidate(self, role: str) -> bool:
        """Drop the cached token of a session-backed role; True when one was dropped."""
        session = self._sessions.get(role)
        if session is None or getattr(session, "auth", None) is None:
            return False
        with self._lock:
            return bool(session.auth.invalidate())

    def __repr__(self) -> str:
        return f"Credentials(roles={sorted(self._sources)})"


def _fixed(token: str) -> TokenSource:
    return lambda: token
