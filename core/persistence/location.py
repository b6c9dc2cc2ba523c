"""Where the store lives — a SQLite file or a PostgreSQL database — without leaking secrets.

A PostgreSQL store is named by a libpq URL, ``postgresql://[user[:password]@][host][:port]
/[dbname][?param=value...]``, and everything libpq understands works as it does for
``psql``: ``?host=/run/postgresql`` (a socket folder), ``PGPASSWORD``, ``~/.pgpass``
(or ``?passfile=``), ``?service=`` with ``~/.pg_service.conf``, ``PGHOST``/``PGUSER``.
So the URL never needs the password. Before the library opens its pool, credtrail
connects once with libpq itself: a wrong password, an unknown database and an
unreachable server each get their own message at once (not "couldn't get a connection
after 10 s"), and the library is given exactly what libpq resolved.

Every message shows the URL through :func:`mask`: the password is never printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from credtrail.core.errors import StoreError

SQLITE_RECORDER = "credtrail.core.persistence.sqlite:SQLiteLogRecorder"
POSTGRES_RECORDER = "credtrail.core.persistence.postgres:PostgresLogRecorder"
_NUMBERS = ("port", "connect_timeout")
CONNECT_TIMEOUT = 5
"""Seconds to wait for a PostgreSQL server to answer (``?connect_timeout=`` overrides)."""

_USERINFO_PASSWORD = re.compile(r"(?P<scheme>postgres(?:ql)?://)(?P<user>[^:@/?#]*):[^@/?#]*@")
_QUERY_PASSWORD = re.compile(r"(?P<key>[?&]password=)[^&#]*", re.IGNORECASE)
_KV_PASSWORD = re.compile(r"(?P<key>\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


STORE_FILE = "credtrail.db"
"""The store's file name in the per-user folder (the CLI's default location)."""


def user_store(app_dir: str | Path) -> Path:
    """The per-user default store: ``STORE_FILE`` in ``app_dir`` (the CLI passes
    ``click.get_app_dir("credtrail")``; core does not decide where users keep data)."""
    return Path(app_dir) / STORE_FILE


def mask(text: str, *secrets: str | None) -> str:
    """``text`` with every password replaced by ``***``: in a URL's user part, in a
    ``password=`` parameter, and any of ``secrets`` wherever it appears.

    The one helper every message about a store goes through.
    """
    text = _USERINFO_PASSWORD.sub(r"\g<scheme>\g<user>:***@", text)
    text = _QUERY_PASSWORD.sub(r"\g<key>***", text)
    text = _KV_PASSWORD.sub(r"\g<key>***", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


@dataclass(frozen=True)
class StoreLocation:
    """Where the store lives: a SQLite file or a PostgreSQL database."""

    url: str
    backend: str  # "sqlite" | "postgres"
    env: dict[str, str]
    connect_timeout: int = CONNECT_TIMEOUT
    _password: str | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return f"StoreLocation({self.display()!r}, backend={self.backend!r})"

    @classmethod
    def parse(cls, location: str) -> StoreLocation:
        """A file path (SQLite) or a ``postgresql://`` URL (checked, not yet connected)."""
        if location.startswith(("postgresql://", "postgres://")):
            return cls._parse_postgres(location)
        if "://" in location:
            raise StoreError(
                f"store {mask(location)!r}: give a file path for SQLite or a postgresql:// URL"
            )
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": location,
            "SQLITE_LOCK_TIMEOUT": "30",
            "APPLICATION_RECORDER_TOPIC": SQLITE_RECORDER,
        }
        return cls(url=location, backend="sqlite", env=env)

    @classmethod
    def _parse_postgres(cls, location: str) -> StoreLocation:
        shown = mask(location)
        try:
            parts = urlsplit(location)
            query = dict(parse_qsl(parts.query))
        except ValueError as exc:
            raise StoreError(f"store URL {shown!r} is not a valid URL: {mask(str(exc))}") from None
        hostport = parts.netloc.rpartition("@")[2]
        port = hostport.rpartition("]")[2].partition(":")[2] if ":" in hostport else ""
        for name, value in (("port", port or None), *((k, query.get(k)) for k in _NUMBERS)):
            for item in (value or "").split(","):  # libpq allows host1:port1,host2:port2
                if value is not None and not item.isdigit():
                    raise StoreError(
                        f"store URL {shown!r}: {name} {item!r} is not a number "
                        "(e.g. postgresql://credtrail@127.0.0.1:5432/credtrail)"
                    )
        timeout = int(query.get("connect_timeout") or CONNECT_TIMEOUT)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_CONNECT_TIMEOUT": str(timeout),
            "APPLICATION_RECORDER_TOPIC": POSTGRES_RECORDER,
        }
        return cls(
            url=location,
            backend="postgres",
            env=env,
            connect_timeout=timeout,
            _password=parts.password,
        )

    def display(self) -> str:
        """The location as messages show it (no password)."""
        return mask(self.url, self._password)

    def resolve(self) -> dict[str, str]:
        """Connect once with libpq (PostgreSQL) and return the library's settings for what
        libpq resolved; distinct ``StoreError`` messages for each way it can fail."""
        if self.backend != "postgres":
            return dict(self.env)
        import psycopg

        try:
            with psycopg.connect(self.url, connect_timeout=self.connect_timeout) as conn:
                info = conn.info
                resolved = {
                    "POSTGRES_DBNAME": info.dbname,
                    "POSTGRES_HOST": info.host,
                    "POSTGRES_PORT": str(info.port),
                    "POSTGRES_USER": info.user,
                    "POSTGRES_PASSWORD": info.password or "",
                }
        except psycopg.Error as exc:
            raise StoreError(self._connect_message(exc)) from None
        return {**self.env, **resolved}

    def _connect_message(self, exc: Any) -> str:
        detail = mask(str(exc).strip().splitlines()[0] if str(exc).strip() else "", self._password)
        where = f"cannot open store {self.display()}"
        state = getattr(exc, "sqlstate", None)
        text = str(exc).lower()
        if state in ("28P01", "28000") or ("password" in text and "authentication" in text):
            return (
                f"{where}: PostgreSQL refused the credentials ({detail}); check the user "
                "and the password (PGPASSWORD, ~/.pgpass, ?passfile= or ?service=)"
            )
        if state == "3D000" or ("database" in text and "does not exist" in text):
            return f"{where}: {detail}; create it (createdb) or fix the database name"
        if state is None:
            return f"{where}: cannot reach the PostgreSQL server: {detail}"
        return f"{where}: {detail}"
