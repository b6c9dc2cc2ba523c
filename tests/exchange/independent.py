"""Independent verifiers for the tests, written from the algorithms' text (never by
calling credtrail's own signer): eddsa-rdfc-2022 Data Integrity proofs (§3.3.2-3.3.6)
and EdDSA JWS (RFC 7515 §5.2 with RFC 8037). Also where the official artefacts are."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# shared/ lies beside the checkout (as CI lays it out), or above a worktree.
FORMATS = next(
    (
        p / "shared" / "formats" / "openbadges3"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "formats" / "openbadges3").is_dir()
    ),
    Path("shared/formats/openbadges3"),
)
CONTEXTS = Path(__file__).resolve().parents[2] / "core" / "exchange" / "contexts"

needs_formats = pytest.mark.skipif(
    not FORMATS.is_dir(),
    reason="shared/formats/openbadges3 (official artefacts) not beside the repo",
)

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-context-3.0.3.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": "clr-context-2.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-extensions.json",
    "https://w3id.org/credtrail/ce/v1": "credtrail-ce-v1.json",
}


def base58btc(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def ed25519_of_multikey(multikey: str) -> Ed25519PublicKey:
    raw = base58btc(multikey.removeprefix("z"))
    assert raw[:2] == b"\xed\x01", "an Ed25519 multikey"
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def rdfc(document: dict[str, Any]) -> str:
    """RDFC-1.0 (URDNA2015) N-Quads through pyld, contexts from the package only."""
    from pyld import jsonld

    def loader(url: str, options: Any = None) -> dict[str, Any]:
        loaded = json.loads((CONTEXTS / _CONTEXT_FILES[url]).read_text(encoding="utf-8"))
        return {"contextUrl": None, "documentUrl": url, "document": loaded}

    return str(
        jsonld.normalize(
            copy.deepcopy(document),
            {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader},
        )
    )


def di_verified(credential: dict[str, Any], key: Ed25519PublicKey | None = None) -> bool:
    """eddsa-rdfc-2022 §3.3.2-3.3.6: transform, hash, configure, verify; the key from
    the multikey fragment of the verification method unless given."""
    (proof,) = (
        credential["proof"] if isinstance(credential["proof"], list) else [credential["proof"]]
    )
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    options["@context"] = credential["@context"]
    document = {k: v for k, v in credential.items() if k != "proof"}
    hash_data = (
        hashlib.sha256(rdfc(options).encode()).digest()
        + hashlib.sha256(rdfc(document).encode()).digest()
    )
    key = key or ed25519_of_multikey(proof["verificationMethod"].rsplit("#", 1)[1])
    try:
        key.verify(base58btc(proof["proofValue"][1:]), hash_data)
    except Exception:
        return False
    return True


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jws_verified(token: str, key: Ed25519PublicKey | None = None) -> dict[str, Any] | None:
    """RFC 7515 §5.2 with RFC 8037 EdDSA: the payload if the signature verifies."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(unb64(header_b64))
    if header.get("alg") != "EdDSA":
        return None
    key = key or ed25519_of_multikey(header["kid"].rsplit("#", 1)[1])
    try:
        key.verify(unb64(signature_b64), f"{header_b64}.{payload_b64}".encode("ascii"))
    except Exception:
        return None
    payload: dict[str, Any] = json.loads(unb64(payload_b64))
    return payload
