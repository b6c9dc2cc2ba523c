"""The organisation's key: an Ed25519 key kept outside the store, which signs the log.

The private key is a PEM file (PKCS #8, unencrypted, mode 0600) whose path is given by
``--key`` or ``CREDTRAIL_KEY``. Its *key id* is the first 16 hex digits of SHA-256 of
the raw public key. The store keeps a record of each key it was signed with
(``credtrail_keys``): the first record is signed by its own key, every later one
(a rotation) also by the key before it, so the keys form a chain an auditor can follow
from the one they trust.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from credtrail.core.errors import CredtrailError
from credtrail.core.persistence.files import create_private

KEY_ENV = "CREDTRAIL_KEY"
_KEY_TAG = b"credtrail.key.v1"
_LENGTH = struct.Struct(">Q")


class KeyFileError(CredtrailError):
    """Raised when a key file is missing, unreadable or not an Ed25519 private key."""


def key_id_of(public_hex: str) -> str:
    """The id of a public key (raw 32 bytes, hex): the start of its SHA-256."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:16]


def key_statement(
    key_id: str, public_hex: str, added_at: str, since: int, previous: str | None
) -> bytes:
    """The bytes a key record's signatures cover."""
    parts = [key_id, public_hex, added_at, str(since), previous or ""]
    return _KEY_TAG + b"".join(_LENGTH.pack(len(p)) + p.encode() for p in parts)


def verify_signature(public_hex: str, signature_hex: str | None, message: bytes) -> bool:
    """Whether ``signature_hex`` is the Ed25519 signature of ``message`` by the key."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not signature_hex:
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class KeyRecord:
    """One row of ``credtrail_keys``."""

    key_id: str
    public_key: str
    added_at: str
    since: int  # the log position from which on (after which) every head is signed
    previous: str | None
    endorsement: str | None  # the previous key's signature (None for the first key)
    signature: str  # the key's own signature

    def as_row(self) -> tuple[Any, ...]:
        return (
            self.key_id,
            self.public_key,
            self.added_at,
            self.since,
            self.previous,
            self.endorsement,
            self.signature,
        )

    def statement(self) -> bytes:
        return key_statement(
            self.key_id, self.public_key, self.added_at, int(self.since), self.previous
        )


class Signer:
    """An Ed25519 private key that signs heads and key records."""

    def __init__(self, private_key: Any, path: Path | None = None) -> None:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        self._key = private_key
        self.path = path
        self.public_hex = (
            private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
        )
        self.key_id = key_id_of(self.public_hex)

    @property
    def private_key(self) -> Any:
        """The ``cryptography`` Ed25519 key itself (credentials are signed with it too)."""
        return self._key

    def sign(self, message: bytes) -> str:
        return str(self._key.sign(message).hex())

    def key_record(self, previous: Signer | None, since: int) -> tuple[Any, ...]:
        """This key's record, endorsed by ``previous`` (a rotation) or self-signed only.

        ``since``: the log position the key takes over at (heads after it are signed).
        """
        added_at = datetime.now(UTC).isoformat()
        prev_id = previous.key_id if previous else None
        statement = key_statement(self.key_id, self.public_hex, added_at, since, prev_id)
        endorsement = previous.sign(statement) if previous else None
        return KeyRecord(
            self.key_id,
            self.public_hex,
            added_at,
            since,
            prev_id,
            endorsement,
            self.sign(statement),
        ).as_row()


def generate_key(path: Path, *, force: bool = False) -> Signer:
    """Write a new Ed25519 private key to ``path`` (0600, never through a symlink)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    create_private(path, pem, force=force, what="key file")
    return Signer(key, path)


def load_key(path: Path) -> Signer:
    """The signer in the PEM file at ``path``; ``KeyFileError`` if it is not one."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from None
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise KeyFileError(
            f"{path} is not an unencrypted PEM private key; make one with 'credtrail key init'"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return Signer(key, path)


def key_from_env(environ: dict[str, str] | None = None) -> Signer | None:
    """The signer named by ``CREDTRAIL_KEY`` (None when it is unset or empty)."""
    value = (environ if environ is not None else os.environ).get(KEY_ENV, "")
    return load_key(Path(value).expanduser()) if value else None


def follow_keys(records: Sequence[KeyRecord]) -> tuple[dict[str, KeyRecord], str | None]:
    """The key records that chain properly from the first, and the first problem found.

    The first record must be self-signed with no predecessor; each later one must name
    the record before it and carry its endorsement.
    """
    valid: dict[str, KeyRecord] = {}
    previous: KeyRecord | None = None
    for record in records:
        statement = record.statement()
        if key_id_of(record.public_key) != record.key_id:
            return valid, f"key record {record.key_id}: its id is not its public key's"
        if not verify_signature(record.public_key, record.signature, statement):
            return valid, f"key record {record.key_id}: its own signature does not verify"
        if previous is None:
            if record.previous is not None:
                return valid, f"key record {record.key_id}: the first key names a predecessor"
        elif record.previous != previous.key_id or not verify_signature(
            previous.public_key, record.endorsement, statement
        ):
            return valid, (
                f"key record {record.key_id}: not endorsed by the previous key "
                f"{previous.key_id} (a key added without the organisation's key)"
            )
        valid[record.key_id] = record
        previous = record
    return valid, None


def key_windows(records: Sequence[KeyRecord]) -> dict[str, tuple[int, int | None]]:
    """The log positions each key may sign batch heads at: ``(first, end)``.

    A key signs from its record's ``since`` (the head it took over, which it re-signs)
    up to, not including, the ``since`` of the key that replaced it (``None``: still
    current). A head signed by a key outside its window was signed with a retired key
    after the rotation: whoever kept the old key cannot extend or rewrite the log.
    """
    windows: dict[str, tuple[int, int | None]] = {}
    for record, successor in zip(records, [*records[1:], None][: len(records)], strict=True):
        windows[record.key_id] = (
            int(record.since),
            None if successor is None else int(successor.since),
        )
    return windows


def outside_window(
    windows: dict[str, tuple[int, int | None]], key_id: str, position: int
) -> str | None:
    """Why ``key_id`` may not sign the head at ``position`` (None: it may)."""
    window = windows.get(key_id)
    if window is None:
        return None
    first, end = window
    if position < first:
        return f"key {key_id} signs from position {first} on, this head is at {position}"
    if end is not None and position >= end:
        return (
            f"key {key_id} was replaced at position {end} ('credtrail key rotate'), so a head "
            f"at {position} signed with it was made with a retired key after its rotation"
        )
    return None
