"""Certificate files kept in the store, content-addressed by SHA-256.

Decision (docs/audit.md, "Certificates"): the bytes live in the store itself, in the
table ``credtrail_attachments`` (``sha256`` primary key, media type, size, bytes:
SQLite ``BLOB``, PostgreSQL ``bytea``), written by the recorders' ``_insert_events``
override in the same transaction as the ``CertificateAttached`` event that names the
hash. So a store is one thing to back up, an attachment never exists without its
event nor the event without its bytes, and the event (hash, media type, name, size)
is covered by the hash chain. The bytes are not in the chain themselves: they are
checked against the chained hash every time they are read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import PersistenceError

from credtrail.core.errors import LogIntegrityError, NotFoundError

if TYPE_CHECKING:
    from credtrail.core.store import EventStore

ATTACHMENTS_TABLE = "credtrail_attachments"
ATTACHMENTS_KWARG = "credtrail_attachments"
"""The ``save`` keyword that hands the recorder the files to write with the events."""


EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/tiff": ".tif",
}
"""The file name extension of each media type a certificate may have."""


def stored_name(sha256: str, media_type: str) -> str:
    """The name a certificate is written under (bundles): its hash and its type's extension."""
    return f"{sha256}{EXTENSIONS.get(media_type, '.bin')}"


@dataclass(frozen=True)
class CertificateFile:
    """A certificate's bytes, their SHA-256 and media type, and the name it was given."""

    filename: str
    media_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def attachment_rows(kwargs: dict[str, Any]) -> list[tuple[str, str, int, bytes]]:
    """The rows the recorder writes for the files handed to ``save`` (none: empty)."""
    files: list[CertificateFile] = kwargs.get(ATTACHMENTS_KWARG) or []
    return [(f.sha256, f.media_type, len(f.data), f.data) for f in files]


def create_statement(table: str, blob: str) -> str:
    """The table's DDL (``blob``: the backend's bytes type)."""
    return (
        f"CREATE TABLE IF NOT EXISTS {table} (sha256 TEXT PRIMARY KEY, "
        f"media_type TEXT NOT NULL, size BIGINT NOT NULL, data {blob} NOT NULL)"
    )


def insert_statement(table: str, mark: str) -> str:
    """Insert a file unless the same bytes are there (content-addressed: same hash)."""
    marks = ", ".join([mark] * 4)
    return f"INSERT INTO {table} VALUES ({marks}) ON CONFLICT (sha256) DO NOTHING"


def read_attachment(store: EventStore, sha256: str) -> bytes:
    """The bytes stored under ``sha256``, checked against it."""
    try:
        rows = store.read_rows(
            f"SELECT data FROM {store.qualified(ATTACHMENTS_TABLE)} WHERE sha256 = ?", (sha256,)
        )
    except PersistenceError:
        rows = []  # a store that never had an attachment has no table
    if not rows:
        raise NotFoundError(f"the store has no file with sha256 {sha256}")
    data = bytes(rows[0][0])
    if hashlib.sha256(data).hexdigest() != sha256:
        raise LogIntegrityError(
            f"the stored file {sha256[:12]}... does not match its recorded sha256: "
            "the attachments table was altered"
        )
    return data
