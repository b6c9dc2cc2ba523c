"""RFC 6962 (Certificate Transparency) Merkle trees over the event log.

Leaf hash = SHA-256(0x00 || leaf bytes) — credtrail stores it per event as
``credtrail_log.event_hash``. Node hash = SHA-256(0x01 || left || right). A tree of
``n`` leaves splits at the largest power of two below ``n`` (RFC 6962 section 2.1),
so one event is proved with O(log n) hashes and a checkpoint's tree is provably a
prefix of a later one.

- :class:`MerkleAccumulator` computes the root of a growing log in O(log n) memory
  (what ``verify`` needs while it streams).
- :class:`MerkleTree` holds every level in compact byte strings and answers
  inclusion (audit path) and consistency proofs.
- :func:`verify_inclusion` and :func:`verify_consistency` check proofs offline, with
  the algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of the empty tree (RFC 6962: the hash of the empty string)."""


def leaf_hash(leaf: bytes) -> bytes:
    """SHA-256(0x00 || leaf)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleAccumulator:
    """The root of an append-only list of leaf hashes, in O(log n) memory.

    Keeps the roots of the perfect subtrees that the binary expansion of the size
    decomposes the log into (largest first); the RFC 6962 root folds them from the
    right.
    """

    def __init__(self) -> None:
        self.size = 0
        self._peaks: list[tuple[int, bytes]] = []  # (height, hash), heights decreasing

    def append(self, leaf_digest: bytes) -> None:
        height, digest = 0, leaf_digest
        while self._peaks and self._peaks[-1][0] == height:
            _, left = self._peaks.pop()
            digest = node_hash(left, digest)
            height += 1
        self._peaks.append((height, digest))
        self.size += 1

    def root(self) -> bytes:
        if not self._peaks:
            return EMPTY_ROOT
        acc = self._peaks[-1][1]
        for _, digest in reversed(self._peaks[:-1]):
            acc = node_hash(digest, acc)
        return acc


class MerkleTree:
    """Every level of the tree over ``leaf_hashes``: 2n hashes, stored as bytes.

    Level ``L`` node ``i`` covers leaves ``[i * 2**L, min((i + 1) * 2**L, n))``; a
    right-most node without a sibling is carried up unchanged, which builds exactly
    the RFC 6962 tree.
    """

    def __init__(self, leaf_hashes: Iterable[bytes]) -> None:
        level = b"".join(leaf_hashes)
        if len(level) % HASH_SIZE:
            raise ValueError("leaf hashes must be 32 bytes each")
        self.size = len(level) // HASH_SIZE
        self._levels = [level]
        while len(level) > HASH_SIZE:
            count = len(level) // HASH_SIZE
            pair = 2 * HASH_SIZE
            parts = [
                hashlib.sha256(b"\x01" + level[i * HASH_SIZE : i * HASH_SIZE + pair]).digest()
                for i in range(0, count - 1, 2)
            ]
            if count % 2:
                parts.append(level[(count - 1) * HASH_SIZE :])
            level = b"".join(parts)
            self._levels.append(level)

    def _node(self, height: int, index: int) -> bytes:
        level = self._levels[height]
        return level[index * HASH_SIZE : (index + 1) * HASH_SIZE]

    def leaf(self, index: int) -> bytes:
        return self._node(0, index)

    def root(self, size: int | None = None) -> bytes:
        """The root of the first ``size`` leaves (default: all)."""
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError(f"tree has {self.size} leaves, not {size}")
        return EMPTY_ROOT if size == 0 else self._range(0, size)

    def _range(self, start: int, end: int) -> bytes:
        """MTH of leaves ``[start, end)``; a stored node when one covers exactly that range."""
        width = end - start
        if width == 1:
            return self.leaf(start)
        height = (width - 1).bit_length()  # smallest h with 2**h >= width
        if start % (1 << height) == 0 and (width == 1 << height or end == self.size):
            return self._node(height, start >> height)
        k = _split(width)
        return node_hash(self._range(start, start + k), self._range(start + k, end))

    def audit_path(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 6962 PATH(index, D[0:size]): sibling hashes from the leaf up to the root."""
        size = self.size if size is None else size
        if not 0 <= index < size <= self.size:
            raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(self._range(start + k, end))
                end = start + k
            else:
                path.append(self._range(start, start + k))
                start += k
        path.reverse()
        return path

    def consistency_proof(self, old_size: int, size: int | None = None) -> list[bytes]:
        """RFC 6962 PROOF(old_size, D[0:size]): the old tree is a prefix of the new one."""
        size = self.size if size is None else size
        if not 0 < old_size <= size <= self.size:
            raise ValueError(f"no consistency proof from {old_size} to {size} leaves")
        proof: list[bytes] = []
        self._subproof(old_size, 0, size, True, proof)
        return proof

    def _subproof(self, m: int, start: int, end: int, whole: bool, out: list[bytes]) -> None:
        n = end - start
        if m == n:
            if not whole:
                out.append(self._range(start, end))
            return
        k = _split(n)
        if m <= k:
            self._subproof(m, start, start + k, whole, out)
            out.append(self._range(start + k, end))
        else:
            self._subproof(m - k, start + k, end, False, out)
            out.append(self._range(start, start + k))


def verify_inclusion(
    leaf_digest: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """True if ``path`` proves leaf ``index`` of a ``size``-leaf tree has ``root``."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf_digest
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, size: int, old_root: bytes, root: bytes, proof: Sequence[bytes]
) -> bool:
    """True if ``proof`` shows the ``old_size`` tree is a prefix of the ``size`` tree."""
    if not 0 < old_size <= size:
        return False
    if old_size == size:
        return not proof and old_root == root
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is a node itself
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == root
