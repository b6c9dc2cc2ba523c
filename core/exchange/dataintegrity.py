"""W3C Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite, and ``did:key``.

This is how Open Badges 3.0 / CLR 2.0 credentials are signed (1EdTech OB 3.0 §8.3,
"Linked Data proof"; W3C "Data Integrity EdDSA Cryptosuites v1.0" §3.3):

1. the proof options (the proof without ``proofValue``, with the document's
   ``@context``) and the document without its proof are each canonicalised as RDF
   (RDFC-1.0, which pyld implements as URDNA2015) to N-Quads;
2. the hash data is SHA-256(canonical proof options) || SHA-256(canonical document);
3. ``proofValue`` is the Ed25519 signature of the hash data, multibase base58btc
   (``z...``).

JSON-LD contexts are never fetched from the network: the ones credtrail knows are
shipped in ``contexts/`` and any other is refused by name (a credential using it can
still be imported unverified). Keys are ``did:key`` Ed25519 keys: multicodec
``0xed01`` + the 32-byte public key, base58btc, or ``did:web`` keys, which are checked
only against a DID document the user supplies (``did.json``), never resolved online.
A proof only counts when its key belongs to the credential's issuer: the verification
method's DID (or URL, before ``#``) must be the issuer's id.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from credtrail.core.errors import InputError

CRYPTOSUITE = "eddsa-rdfc-2022"
_CONTEXTS = Path(__file__).parent / "contexts"
KNOWN_CONTEXTS: dict[str, str] = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.json",
    "https://www.w3.org/2018/credentials/v1": "credentials-v1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-context-3.0.3.json",
    "https://w3id.org/credtrail/ce/v1": "credtrail-ce-v1.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": "clr-context-2.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-extensions.json",
}
"""Context URL -> the copy shipped in ``contexts/`` (read once, never fetched)."""

_ED25519_PUB = b"\xed\x01"
"""Multicodec prefix of an Ed25519 public key (did:key, Multikey)."""

_DID_WEB = re.compile(r"^[A-Za-z0-9.-]+(?:%3[Aa][0-9]+)?(?::[A-Za-z0-9._~-]+)*$")
"""did:web method-specific id: host (port as ``%3A``), then ``:``-separated path segments."""

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class ProofError(InputError):
    """A Data Integrity proof is missing, malformed, or does not verify."""


class UnverifiableProofError(ProofError):
    """A proof credtrail cannot check offline: another cryptosuite, a context it does not
    ship, or a key it would have to resolve. Not evidence of tampering."""


# -- base58btc / multibase ---------------------------------------------------------


def b58encode(data: bytes) -> str:
    """Bitcoin base58 of ``data`` (leading zero bytes become ``1``)."""
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def b58decode(text: str) -> bytes:
    """Inverse of :func:`b58encode`; :raises ProofError: a character is not base58."""
    number = 0
    for char in text:
        index = _B58.find(char)
        if index < 0:
            raise ProofError(f"{char!r} is not a base58 character")
        number = number * 58 + index
    pad = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * pad + body


def multibase_decode(value: str) -> bytes:
    """Bytes of a multibase base58btc string (``z...``), the only base the suite uses."""
    if not value.startswith("z"):
        raise ProofError(f"multibase value {value[:12]!r} is not base58btc ('z' prefix)")
    return b58decode(value[1:])


# -- did:key -----------------------------------------------------------------------


def did_key(public_key: bytes) -> str:
    """The ``did:key`` of a raw 32-byte Ed25519 public key."""
    return "did:key:z" + b58encode(_ED25519_PUB + public_key)


def verification_method(public_key: bytes) -> str:
    """``did:key:z6Mk...#z6Mk...``: the key's DID URL, as proofs name it."""
    did = did_key(public_key)
    return f"{did}#{did.removeprefix('did:key:')}"


def _multikey(value: Any) -> bytes | None:
    """The raw Ed25519 key of a ``z6Mk...`` multibase value, or None."""
    if not isinstance(value, str) or not value.startswith("z6Mk"):
        return None
    raw = multibase_decode(value)
    return raw[2:] if raw.startswith(_ED25519_PUB) and len(raw) == 34 else None


def _jwk_key(jwk: Any) -> bytes | None:
    """The raw Ed25519 key of an OKP JWK (``{"kty": "OKP", "crv": "Ed25519", "x": ...}``)."""
    if not isinstance(jwk, Mapping) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        return None
    x = jwk.get("x")
    if not isinstance(x, str):
        return None
    try:
        raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
    except ValueError:
        return None
    return raw if len(raw) == 32 else None


def did_web(spec: str) -> str:
    """``did:web:`` DID of ``example.org`` or ``example.org:path:to`` (already a DID: kept).

    :raises InputError: not a host name with optional ``:``-separated path segments.
    """
    text = spec.strip().removeprefix("did:web:")
    if not _DID_WEB.match(text):
        raise InputError(
            f"{spec!r} is not a did:web domain: give HOST or HOST:PATH:..., e.g. "
            "example.org or example.org:credentials (a port as example.org%3A8443)"
        )
    return "did:web:" + text


def did_web_url(did: str) -> str:
    """Where a ``did:web`` DID document is published (W3C did:web method, "Read")."""
    host, *path = did.removeprefix("did:web:").split(":")
    host = host.replace("%3A", ":").replace("%3a", ":")
    if path:
        return f"https://{host}/{'/'.join(path)}/did.json"
    return f"https://{host}/.well-known/did.json"


def did_document(did: str, public_key: bytes, previous: Sequence[bytes] = ()) -> dict[str, Any]:
    """The ``did.json`` an organisation publishes for its ``did:web`` DID.

    One Multikey (Ed25519, ``publicKeyMultibase``) per key: the current key may assert
    credentials and authenticate; ``previous`` keys (rotated out) stay listed as
    assertion methods so the credentials they signed still verify.
    """
    methods = []
    for key in (public_key, *previous):
        multikey = "z" + b58encode(_ED25519_PUB + key)
        methods.append(
            {
                "id": f"{did}#{multikey}",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multikey,
            }
        )
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
        "authentication": [methods[0]["id"]],
    }


def _from_did_document(method: str, documents: Mapping[str, Mapping[str, Any]]) -> bytes:
    did, _, fragment = method.partition("#")
    document = documents.get(did)
    if document is None:
        raise UnverifiableProofError(
            f"the key {method} is a did:web key and credtrail never resolves DIDs online: "
            "give its DID document with --did-document FILE to check it"
        )
    for entry in _many(document.get("verificationMethod")):
        if not isinstance(entry, Mapping):
            continue
        entry_id = entry.get("id")
        if entry_id not in (method, f"#{fragment}"):
            continue
        asserting = {
            item.get("id") if isinstance(item, Mapping) else item
            for item in _many(document.get("assertionMethod"))
        }
        if not asserting & {method, f"#{fragment}"}:
            raise ProofError(f"the DID document of {did} does not list {method} as assertionMethod")
        key = _multikey(entry.get("publicKeyMultibase")) or _jwk_key(entry.get("publicKeyJwk"))
        if key is None:
            raise UnverifiableProofError(f"{method} in the DID document is not an Ed25519 key")
        return key
    raise ProofError(f"the DID document of {did} has no verification method {method}")


def _many(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def public_key_of(
    method: str, did_documents: Mapping[str, Mapping[str, Any]] | None = None
) -> bytes:
    """The Ed25519 public key a verification method names.

    ``did:key:z6Mk...(#...)``: the key itself. ``did:web:...#...``: the key the DID
    document in ``did_documents`` (by DID) gives, never fetched. Any other URL whose
    fragment is the multibase key (``https://issuer.example/keys#z6Mk...``, as the OB
    3.0 examples use): that key. Anything else would need resolving online.

    :raises UnverifiableProofError: the key cannot be had offline.
    :raises ProofError: the DID document does not authorise the key.
    """
    if method.startswith("did:web:"):
        return _from_did_document(method, did_documents or {})
    candidates = []
    if "#" in method:
        candidates.append(method.rsplit("#", 1)[1])
    if method.startswith("did:key:"):
        candidates.append(method.removeprefix("did:key:").split("#", 1)[0])
    for candidate in candidates:
        key = _multikey(candidate)
        if key is not None:
            return key
    raise UnverifiableProofError(
        f"verification method {method!r} does not carry an Ed25519 did:key; "
        "credtrail resolves only did:key keys, and did:web keys from a DID document "
        "given with --did-document (no network)"
    )


def issuer_id(document: Mapping[str, Any]) -> str | None:
    """The credential's ``issuer`` id (a string issuer, or a Profile's ``id``)."""
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def check_controller(document: Mapping[str, Any], method: str) -> None:
    """The key must be the issuer's: the method's DID/URL before ``#`` is the issuer id.

    :raises ProofError: it names another controller (a valid signature by someone else).
    """
    issuer = issuer_id(document)
    controller = method.split("#", 1)[0]
    if issuer is not None and controller != issuer:
        raise ProofError(f"signed with a key of {controller}, which is not the issuer {issuer}")


# -- canonicalisation --------------------------------------------------------------


@cache
def _context_document(url: str) -> dict[str, Any]:
    with (_CONTEXTS / KNOWN_CONTEXTS[url]).open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def _load_document(url: str, options: Any = None) -> dict[str, Any]:
    if url not in KNOWN_CONTEXTS:
        raise UnverifiableProofError(
            f"JSON-LD context {url} is not one credtrail ships, and contexts are never "
            "fetched from the network: the proof cannot be checked"
        )
    return {"contextUrl": None, "documentUrl": url, "document": _context_document(url)}


def canonicalize(document: Mapping[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (contexts from ``contexts/``).

    :raises ProofError: the document uses an unknown context or is not valid JSON-LD.
    """
    from pyld import jsonld  # lazy: pyld is only needed to sign or verify

    try:
        result = jsonld.normalize(
            copy.deepcopy(dict(document)),
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": _load_document,
                "safe": True,
            },
        )
    except jsonld.JsonLdError as exc:
        # pyld wraps the loader's refusal; surface it, not pyld's generic message.
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, ProofError):
                raise cause from None
            cause = cause.__cause__
        raise ProofError(f"not valid JSON-LD for canonicalisation: {exc.args[0]}") from None
    return str(result)


def _hash_data(document: Mapping[str, Any], proof_options: Mapping[str, Any]) -> bytes:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof_options.items() if k != "proofValue"}
    options["@context"] = document.get("@context")
    return (
        hashlib.sha256(canonicalize(options).encode()).digest()
        + hashlib.sha256(canonicalize(unsigned).encode()).digest()
    )


# -- sign / verify -----------------------------------------------------------------


def sign(
    document: Mapping[str, Any],
    private_key: Any,
    *,
    created: str,
    method: str | None = None,
    purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """``document`` with an ``eddsa-rdfc-2022`` DataIntegrityProof added.

    :param private_key: a ``cryptography`` Ed25519PrivateKey.
    :param created: the proof's ``created`` (an XML Schema dateTime, e.g. ``2026-01-02T03:04:05Z``).
    :param method: the verification method; default: the key's ``did:key`` URL.
    """
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    proof = {
        "type": "DataIntegrityProof",
        "created": created,
        "verificationMethod": method or verification_method(public),
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": purpose,
    }
    signature = private_key.sign(_hash_data(document, proof))
    signed = {k: v for k, v in document.items() if k != "proof"}
    # An array: the official OB 3.0 JSON Schema requires one (JSON-LD reads both alike).
    signed["proof"] = [{**proof, "proofValue": "z" + b58encode(signature)}]
    return signed


def verify(
    document: Mapping[str, Any], did_documents: Mapping[str, Mapping[str, Any]] | None = None
) -> str:
    """Check the document's ``eddsa-rdfc-2022`` proof; return its verification method.

    :param did_documents: DID documents the user supplied, by DID (for did:web keys).

    :raises ProofError: there is no such proof, or it does not verify (the message
        says why: wrong suite, unknown key, changed content, ...).
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    proofs = document.get("proof")
    candidates = proofs if isinstance(proofs, list) else [proofs] if proofs else []
    suites = [p for p in candidates if isinstance(p, Mapping)]
    proof = next((p for p in suites if p.get("cryptosuite") == CRYPTOSUITE), None)
    if proof is None:
        found = sorted({str(p.get("cryptosuite") or p.get("type")) for p in suites})
        raise UnverifiableProofError(
            "no eddsa-rdfc-2022 proof" + (f" (found: {', '.join(found)})" if found else "")
        )
    if proof.get("type") != "DataIntegrityProof":
        raise ProofError(f"proof type {proof.get('type')!r} is not DataIntegrityProof")
    method = proof.get("verificationMethod")
    value = proof.get("proofValue")
    if not isinstance(method, str) or not isinstance(value, str):
        raise ProofError("the proof has no verificationMethod or proofValue")
    key = Ed25519PublicKey.from_public_bytes(public_key_of(method, did_documents))
    signature = multibase_decode(value)
    try:
        key.verify(signature, _hash_data(document, proof))
    except InvalidSignature:
        raise ProofError(
            "the signature does not match the credential: it was changed after signing, "
            "or signed with another key"
        ) from None
    check_controller(document, method)
    return method
