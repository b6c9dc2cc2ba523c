"""The hash chain and the per-batch heads, written beside the library's events table.

For each stored event at log position ``p`` the recorder writes one ``credtrail_log``
row: the transaction and valid times, ``event_hash(p)`` (an RFC 6962 leaf hash over
position, stream, version, topic and stored bytes) and ``link(p)`` =
SHA-256(0x02 || link(p-1) || event_hash(p)). For each committed batch it writes one
``credtrail_heads`` row: the last position, the number of events so far, the chain
head and, in a keyed store, the organisation's Ed25519 signature over them (a signed
tree head, as Certificate Transparency logs publish). All in the same transaction as
the events. The SQL lives in the backends' recorders; the values are computed here,
once for both.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import ProgrammingError, StoredEvent

from credtrail.core.errors import StoreError

if TYPE_CHECKING:
    from credtrail.core.persistence.signing import Signer

GENESIS = "0" * 64
"""The link before the first event."""

LOG_TABLE = "credtrail_log"
HEADS_TABLE = "credtrail_heads"
KEYS_TABLE = "credtrail_keys"

LEAF_PREFIX = b"\x00"
"""RFC 6962 leaf-hash prefix: an event hash is directly a Merkle leaf."""

LINK_PREFIX = b"\x02"
"""Chain-link prefix, distinct from RFC 6962's leaf (0x00) and node (0x01) prefixes."""

_LEAF_TAG = b"credtrail.event.v1"
_HEAD_TAG = b"credtrail.head.v1"
_POSITION_AND_LENGTH = struct.Struct(">QI")  # an 8-byte number, then a 4-byte length
_LENGTH = struct.Struct(">Q")
_TWO_NUMBERS = struct.Struct(">QQ")


def event_leaf(
    notification_id: int, originator_id: str, version: int, topic: str, state: bytes
) -> bytes:
    """The bytes one log entry commits to: position, stream, version, topic, stored state.

    Every field is length-prefixed (or fixed-width), so no two entries share an encoding.
    """
    return b"".join(_leaf_parts(notification_id, originator_id, version, topic, state))


def _leaf_parts(
    notification_id: int, originator_id: str, version: int, topic: str, state: bytes
) -> tuple[bytes, ...]:
    stream = originator_id.encode()
    name = topic.encode()
    return (
        _LEAF_TAG,
        _POSITION_AND_LENGTH.pack(notification_id, len(stream)),
        stream,
        _POSITION_AND_LENGTH.pack(version, len(name)),
        name,
        _LENGTH.pack(len(state)),
        state,
    )


def event_hash(
    notification_id: int, originator_id: str, version: int, topic: str, state: bytes
) -> str:
    """SHA-256(0x00 || leaf): the event's RFC 6962 leaf hash, stored beside its link."""
    return leaf_digest(notification_id, originator_id, version, topic, state).hex()


def leaf_digest(
    notification_id: int, originator_id: str, version: int, topic: str, state: bytes
) -> bytes:
    """``event_hash`` as bytes: what the chain links take (no hex round trip)."""
    parts = _leaf_parts(notification_id, originator_id, version, topic, state)
    return hashlib.sha256(b"".join((LEAF_PREFIX, *parts))).digest()


def link(previous: str, event_digest: str) -> str:
    """SHA-256(0x02 || previous link || event hash): one step of the chain."""
    data = LINK_PREFIX + bytes.fromhex(previous) + bytes.fromhex(event_digest)
    return hashlib.sha256(data).hexdigest()


def chain_link(
    previous: str, notification_id: int, originator_id: str, version: int, topic: str, state: bytes
) -> str:
    """The link after ``previous`` for one stored event (position, stream, bytes).

    Position and stream are inside the hash, so moving an event breaks the chain as
    surely as editing it.
    """
    return link(previous, event_hash(notification_id, originator_id, version, topic, state))


def head_statement(position: int, events: int, chain: str, signed_at: str, key_id: str) -> bytes:
    """The bytes a head's signature covers: position, size, chain head, time and key."""
    when, key = signed_at.encode(), key_id.encode()
    return b"".join(
        (
            _HEAD_TAG,
            _TWO_NUMBERS.pack(position, events),
            bytes.fromhex(chain),
            _LENGTH.pack(len(when)),
            when,
            _LENGTH.pack(len(key)),
            key,
        )
    )


def stream_key(originator_id: UUID | str) -> str:
    """The originator id as the log keys it (32 hex digits for a UUID)."""
    return originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)


@dataclass(frozen=True)
class EventMeta:
    """What the recorder writes beside each stored event (passed through ``save``)."""

    recorded_at: datetime
    valid_on: date | None


@dataclass(frozen=True)
class Head:
    """The last committed batch's head as the recorder reads it under the write lock."""

    position: int
    events: int
    chain: str
    store_key: str | None  # the key id the store is signed with (None: not keyed)


def head_from_row(head: Sequence[Any] | None, log: Sequence[Any] | None) -> Head:
    """``Head`` from the heads-table row (position, events, chain, key id), or, for a log
    written before heads were kept, from its last row (position, chain, count)."""
    if head is not None and head[0] is not None:
        return Head(int(head[0]), int(head[1]), str(head[2]), head[3])
    store_key = head[3] if head is not None else None
    if log is not None and log[0] is not None:
        return Head(int(log[0]), int(log[2]), str(log[1]), store_key)
    return Head(0, 0, GENESIS, store_key)


@dataclass(frozen=True)
class Batch:
    """The rows one committed batch adds to credtrail's tables."""

    log_rows: list[tuple[Any, ...]]
    head_row: tuple[Any, ...]
    key_row: tuple[Any, ...] | None  # the signer's key record, if the store had none


def batch_rows(
    head: Head, ids: Sequence[int], stored_events: Sequence[StoredEvent], kwargs: dict[str, Any]
) -> Batch:
    """The ``credtrail_log`` rows of a batch (times, event hashes, links) and its head.

    The same values as ``event_hash`` and ``link`` (which ``verify`` uses; a test pins
    the equality), chained with binary digests: this runs once per event recorded.
    """
    metas: Sequence[EventMeta] | None = kwargs.get("credtrail_meta")
    if metas is None or len(metas) != len(stored_events) or len(ids) != len(stored_events):
        # Only credtrail's own save() may write: without times the log would be unusable.
        raise ProgrammingError("events must be saved through credtrail's EventStore.save")
    signer: Signer | None = kwargs.get("credtrail_signer")
    key_row = _check_signer(head, signer)
    sha256 = hashlib.sha256
    previous = bytes.fromhex(head.chain)
    rows = []
    for nid, stored, meta in zip(ids, stored_events, metas, strict=True):
        key = stream_key(stored.originator_id)
        topic = stored.topic
        version = stored.originator_version
        digest = leaf_digest(nid, key, version, topic, stored.state)
        previous = sha256(LINK_PREFIX + previous + digest).digest()
        valid_on = meta.valid_on
        rows.append(
            (
                nid,
                key,
                version,
                topic,
                meta.recorded_at.isoformat(),
                valid_on.isoformat() if valid_on else None,
                previous.hex(),
                digest.hex(),
            )
        )
    position, events, chain = ids[-1], head.events + len(ids), previous.hex()
    signed_at = datetime.now(UTC).isoformat()
    if signer is None:
        head_row: tuple[Any, ...] = (position, events, chain, signed_at, None, None)
    else:
        statement = head_statement(position, events, chain, signed_at, signer.key_id)
        head_row = (position, events, chain, signed_at, signer.key_id, signer.sign(statement))
    return Batch(rows, head_row, key_row)


def _check_signer(head: Head, signer: Signer | None) -> tuple[Any, ...] | None:
    """Refuse to write a keyed store without its key; register a first key."""
    if signer is None:
        if head.store_key is not None:
            raise StoreError(
                f"this store's log is signed with key {head.store_key}: set CREDTRAIL_KEY to "
                "the organisation's key file to write to it (nothing was written)"
            )
        return None
    if head.store_key is None:
        return signer.key_record(previous=None, since=head.position)
    if head.store_key != signer.key_id:
        raise StoreError(
            f"this store's log is signed with key {head.store_key}, CREDTRAIL_KEY holds key "
            f"{signer.key_id}; use the store's key, or rotate with 'credtrail key rotate' "
            "(nothing was written)"
        )
    return None
