"""Credentials secured with JOSE: a compact JWS (``header.payload.signature``), EdDSA.

The form is Open Badges 3.0 §8.2 ("JSON Web Token Proof Format", VC-JWT as OB 3.0 /
CLR 2.0 define it for VC Data Model 2.0), which is also W3C VC-JOSE-COSE's
``application/vc+jwt``: the JWT payload IS the credential (its members at the top
level, no ``vc`` wrapper), with the registered claims OB 3.0 asks for copied from it:
``iss`` (issuer id), ``jti`` (credential id), ``nbf`` (validFrom), ``exp``
(validUntil) and ``sub`` (credentialSubject id) where present.

The JOSE header is ``{"alg": "EdDSA", "typ": "vc+jwt", "kid": <verification method>}``:
the organisation's Ed25519 key (RFC 8037), named by its ``did:key`` (or ``did:web``)
DID URL, as VC-JOSE-COSE §3.1 "kid" describes. (1EdTech's validator checks JWTs with
``RS256``/``ES256`` only: see docs/formats.md.)

Verification refuses ``alg: none`` and any algorithm but EdDSA, takes the key from
``kid`` only (never from a ``jwk`` the token carries about itself), and requires the
key to be the issuer's. Written by hand with ``cryptography``: no JOSE dependency.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from credtrail.core.exchange.dataintegrity import (
    ProofError,
    UnverifiableProofError,
    check_controller,
    issuer_id,
    public_key_of,
    verification_method,
)

ALG = "EdDSA"
TYP = "vc+jwt"
ACCEPTED_TYPS = {"vc+jwt", "JWT", "jwt", "vc+ld+jwt", None}
"""``typ`` values read: VC-JOSE-COSE's, OB 3.0 §8.2's ``JWT``, an older draft's, none."""


def b64url(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Inverse of :func:`b64url`; :raises ProofError: not base64url."""
    if "=" in text or not text.isascii():
        raise ProofError("the JWT is not base64url (RFC 7515: no padding)")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ProofError("the JWT is not base64url") from None


def looks_like_jwt(value: Any) -> bool:
    """A compact JWS: three base64url parts separated by dots, the first a JSON object."""
    return isinstance(value, str) and value.startswith("eyJ") and value.count(".") == 2


def _epoch(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def claims_for(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The JWT payload: the credential plus the registered claims OB 3.0 §8.2.1 lists."""
    payload = dict(credential)
    issuer = issuer_id(credential)
    if issuer:
        payload["iss"] = issuer
    if isinstance(credential.get("id"), str):
        payload["jti"] = credential["id"]
    nbf = _epoch(credential.get("validFrom"))
    if nbf is not None:
        payload["nbf"] = nbf
    exp = _epoch(credential.get("validUntil"))
    if exp is not None:
        payload["exp"] = exp
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping) and isinstance(subject.get("id"), str):
        payload["sub"] = subject["id"]
    return payload


def sign_jwt(credential: Mapping[str, Any], private_key: Any, *, method: str | None = None) -> str:
    """The credential as a compact JWS signed with an Ed25519 key.

    :param private_key: a ``cryptography`` Ed25519PrivateKey.
    :param method: the ``kid``; default: the key's ``did:key`` URL.
    """
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    header = {"alg": ALG, "typ": TYP, "kid": method or verification_method(public)}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(claims_for(credential), separators=(",", ":")).encode())
    )
    signature = private_key.sign(signing_input.encode("ascii"))
    return signing_input + "." + b64url(signature)


def _json_part(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(text))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ProofError(f"the JWT {what} is not JSON") from None
    if not isinstance(value, dict):
        raise ProofError(f"the JWT {what} is not a JSON object")
    return value


def decode_jwt(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of a compact JWS, unverified. :raises ProofError: malformed."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ProofError("a JWT has three dot-separated parts")
    return _json_part(parts[0], "header"), _json_part(parts[1], "payload")


def credential_of(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The credential a JWT payload carries: the payload itself (OB 3.0, VC 2.0), or its
    ``vc`` claim (the VC 1.1 JWT encoding older OB 3.0 drafts used)."""
    inner = payload.get("vc")
    if isinstance(inner, Mapping) and "credentialSubject" in inner:
        return dict(inner)
    registered = {"iss", "jti", "nbf", "exp", "sub", "iat", "aud"}
    return {k: v for k, v in payload.items() if k not in registered}


def verify_jwt(
    token: str,
    did_documents: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    now: datetime | None = None,
) -> tuple[dict[str, Any], str]:
    """Check a VC-JWT; return the credential it carries and the key (``kid``) that signed.

    :raises UnverifiableProofError: another algorithm, or a key credtrail cannot have
        offline (a URL, a did:web without its DID document, only an embedded ``jwk``).
    :raises ProofError: malformed, ``alg: none``, a changed payload or signature, the
        key is not the issuer's, the claims contradict the credential, or ``exp`` passed.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    header, payload = decode_jwt(token)
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.casefold() == "none":
        raise ProofError("the JWT is unsecured (alg 'none'): refused")
    if alg != ALG:
        raise UnverifiableProofError(f"JWT alg {alg}: credtrail verifies EdDSA (Ed25519) only")
    if header.get("typ") not in ACCEPTED_TYPS:
        raise ProofError(f"JWT typ {header.get('typ')!r} is not a credential (vc+jwt)")
    if "crit" in header:
        raise ProofError("the JWT has critical header parameters credtrail does not know")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise UnverifiableProofError(
            "the JWT names no key (kid); a key carried in the token (jwk) proves nothing"
        )
    key = Ed25519PublicKey.from_public_bytes(public_key_of(kid, did_documents))
    signing_input, _, signature = token.strip().rpartition(".")
    try:
        key.verify(b64url_decode(signature), signing_input.encode("ascii"))
    except InvalidSignature:
        raise ProofError(
            "the JWT signature does not match: it was changed after signing, "
            "or signed with another key"
        ) from None
    credential = credential_of(payload)
    check_controller(credential, kid)
    _check_claims(payload, credential, now or datetime.now(UTC))
    return credential, kid


def _check_claims(payload: Mapping[str, Any], credential: Mapping[str, Any], now: datetime) -> None:
    """The registered claims must agree with the credential they repeat (VC-JWT)."""
    issuer = issuer_id(credential)
    if "iss" in payload and issuer is not None and payload["iss"] != issuer:
        raise ProofError(f"the JWT iss {payload['iss']!r} is not the credential's issuer")
    if "jti" in payload and "id" in credential and payload["jti"] != credential["id"]:
        raise ProofError(f"the JWT jti {payload['jti']!r} is not the credential's id")
    exp = payload.get("exp")
    if isinstance(exp, int | float) and exp < now.timestamp():
        raise ProofError(f"the JWT expired on {datetime.fromtimestamp(exp, UTC).date()}")
