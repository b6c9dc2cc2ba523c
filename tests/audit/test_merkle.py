"""RFC 6962 Merkle trees: roots, audit paths and consistency proofs against the RFC's
own recursive definitions, written out literally here."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credtrail.core.audit.merkle import (
    EMPTY_ROOT,
    MerkleAccumulator,
    MerkleTree,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1 MTH, recursively, on leaf *data*."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """RFC 6962 section 2.1.1 PATH(m, D[n])."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """RFC 6962 section 2.1.2 SUBPROOF(m, D[n], b)."""
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*subproof(m, leaves[:k], whole), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def data(n: int) -> list[bytes]:
    return [f"event-{i}".encode() for i in range(n)]


def test_empty_tree_root_is_hash_of_empty_string() -> None:
    """An empty log has the RFC's empty root, both streamed and built."""
    assert MerkleAccumulator().root() == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert MerkleTree([]).root() == EMPTY_ROOT


@pytest.mark.parametrize("n", range(1, 40))
def test_roots_paths_and_consistency_match_the_rfc_definitions(n: int) -> None:
    """Streamed root, stored tree, audit paths and consistency proofs equal RFC 6962's."""
    leaves = data(n)
    hashes = [leaf_hash(x) for x in leaves]
    acc = MerkleAccumulator()
    for h in hashes:
        acc.append(h)
    tree = MerkleTree(hashes)
    root = mth(leaves)
    assert acc.root() == tree.root() == root
    for m in range(n):
        proof = tree.audit_path(m)
        assert proof == path(m, leaves)
        assert verify_inclusion(hashes[m], m, n, proof, root)
    for old in range(1, n + 1):
        proof = tree.consistency_proof(old)
        assert proof == subproof(old, leaves, True)
        assert tree.root(old) == mth(leaves[:old])
        assert verify_consistency(old, n, mth(leaves[:old]), root, proof)


@given(st.integers(2, 300), st.data())
def test_a_proof_fails_for_any_other_leaf_index_or_root(n: int, draw: st.DataObject) -> None:
    """Inclusion proofs bind leaf, position and root: change any and it fails."""
    hashes = [leaf_hash(x) for x in data(n)]
    tree = MerkleTree(hashes)
    m = draw.draw(st.integers(0, n - 1))
    proof = tree.audit_path(m)
    root = tree.root()
    assert verify_inclusion(hashes[m], m, n, proof, root)
    other = draw.draw(st.integers(0, n - 1).filter(lambda i: i != m))
    assert not verify_inclusion(hashes[other], m, n, proof, root)
    assert not verify_inclusion(hashes[m], other, n, proof, root)
    assert not verify_inclusion(hashes[m], m, n, proof, node_hash(root, root))
    if proof:
        bent = [*proof[:-1], node_hash(proof[-1], proof[-1])]
        assert not verify_inclusion(hashes[m], m, n, bent, root)


@given(st.integers(2, 200), st.data())
def test_consistency_fails_when_the_old_tree_was_rewritten(n: int, draw: st.DataObject) -> None:
    """A checkpoint whose leaves were changed afterwards is not a prefix of the new tree."""
    leaves = data(n)
    old = draw.draw(st.integers(1, n - 1))
    changed = draw.draw(st.integers(0, old - 1))
    rewritten = list(leaves)
    rewritten[changed] = b"forged"
    tree = MerkleTree([leaf_hash(x) for x in rewritten])
    proof = tree.consistency_proof(old)
    assert verify_consistency(old, n, mth(rewritten[:old]), tree.root(), proof)
    assert not verify_consistency(old, n, mth(leaves[:old]), tree.root(), proof)
