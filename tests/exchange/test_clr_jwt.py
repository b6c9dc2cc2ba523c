"""CLR 2.0 transcripts, VC-JWT credentials and did:web issuers, as their owners define them.

Checked against artefacts nobody here wrote: the CLR 2.0 test vectors and the spec's
signed ClrCredential (shared/formats/openbadges3), 1EdTech's CLR 2.0 JSON Schema, and
verifiers written here from the algorithms' text (W3C Data Integrity EdDSA
Cryptosuites §3.3; RFC 7515 compact JWS with RFC 8037 EdDSA), not credtrail's own code.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from credtrail.cli.main import cli
from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.exchange import import_file
from credtrail.core.exchange.clr import export_transcript
from credtrail.core.exchange.dataintegrity import (
    ProofError,
    UnverifiableProofError,
    canonicalize,
    did_document,
    did_key,
    sign,
    verify,
)
from credtrail.core.exchange.jose import b64url, sign_jwt, verify_jwt
from credtrail.core.exchange.openbadges_export import export_credential

from .independent import CONTEXTS, FORMATS, di_verified, jws_verified, needs_formats, unb64

CLR_EXAMPLE = "020_ob_v3p0_impl_linked_data_proof_clr_html.json"
CLR_SIGNED_EXAMPLE = "021_ob_v3p0_impl_linked_data_proof_clr_html.json"
CLR_CONTEXT_SHA256 = "880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6"


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _public(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _provider_credential(
    provider_key: Ed25519PrivateKey, cid: str, credit_type: str, accreditor: str
) -> Any:
    """A credential a provider issued and signed (what credtrail receives)."""
    issuer = did_key(_public(provider_key))
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://w3id.org/credtrail/ce/v1",
        ],
        "id": "urn:uuid:6a0a6f6e-0000-4000-8000-0000000000c1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example CME"},
        "validFrom": "2025-04-02T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "ext:credtrailClinicianId",
                    "hashed": False,
                    "identityHash": cid,
                }
            ],
            "activityEndDate": "2025-04-01T17:00:00Z",
            "creditsEarned": 2,
            "achievement": {
                "id": "https://cme.example.org/activities/42",
                "type": ["Achievement"],
                "name": "Opioid prescribing",
                "description": "Opioid prescribing update",
                "criteria": {"narrative": "Attend"},
                "accreditor": accreditor,
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetCode": credit_type,
                        "targetName": credit_type,
                        "targetUrl": "https://example.org",
                    }
                ],
            },
        },
    }
    return sign(document, provider_key, created="2025-04-02T00:00:00Z")


PROFESSIONS = [
    ("physician", "ama_pra_1", "ACCME", "Ann Able"),
    ("nurse", "ancc_contact_hour", "ANCC", None),
    ("pa", "aapa_1", "AAPA", "Pat Doe"),
]


@pytest.fixture
def clinician(sqlite_app: Credtrail, tmp_path: Path) -> Callable[..., str]:
    """A clinician with one credit recorded here and one received as a signed credential."""

    def make(profession: str, credit_type: str, accreditor: str, name: str | None) -> str:
        cid = f"{profession}-1"
        sqlite_app.add_clinician(cid, profession, name=name)
        sqlite_app.earn(
            EarnRequest(
                clinician_id=cid,
                credit_type=credit_type,
                units=Decimal("1.5"),
                completed_on=date(2025, 3, 1),
                provider="Mayo Clinic",
                accreditor=accreditor,
                activity_id="ACT-1",
                title="Sepsis update",
                topics=("ethics",),
                format="live",
                designated_units=Decimal(2),
            )
        )
        received = tmp_path / "received.json"
        received.write_text(
            json.dumps(
                _provider_credential(Ed25519PrivateKey.generate(), cid, credit_type, accreditor)
            )
        )
        summary = import_file(sqlite_app, received, "openbadges", require_proof=True)
        assert (summary.written, summary.rejected) == (1, 0), summary.errors
        return cid

    return make


def _transcript(app: Credtrail, cid: str, key: Ed25519PrivateKey | None, **kw: Any) -> Any:
    ledger = app.ledger(cid)
    return export_transcript(
        clinician_id=cid,
        name=ledger.name,
        npi=ledger.npi,
        credits=list(ledger.credits.values()),
        registry=app.registry,
        private_key=key,
        organisation="Mayo Clinic CME office",
        **kw,
    )


def _import_into_new_store(
    app: Credtrail, tmp_path: Path, text: str, cid: str, profession: str, **options: Any
) -> tuple[Any, list[Any]]:
    path = tmp_path / "transcript.json"
    path.write_text(text, encoding="utf-8")
    other = Credtrail.open(
        str(tmp_path / f"other-{len(list(tmp_path.iterdir()))}.db"), app.pm, create=True
    )
    try:
        other.add_clinician(cid, profession, name="someone")
        summary = import_file(other, path, "openbadges", **options)
        return summary, list(other.ledger(cid).credits.values())
    finally:
        other.close()


# -- the CLR 2.0 context: its source, the spec's vectors and signed example -------------


def test_the_shipped_clr_context_is_the_published_2_0_1_file() -> None:
    """The CLR context's bytes hash to the recorded sha256, and its README names it."""
    raw = (CONTEXTS / "clr-context-2.0.1.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == CLR_CONTEXT_SHA256
    assert CLR_CONTEXT_SHA256 in (CONTEXTS / "README.md").read_text(encoding="utf-8")


@needs_formats
def test_clr_canonical_document_and_proof_options_equal_the_spec_test_vectors() -> None:
    """RDFC-1.0 of the spec's CLR example and its proof options is byte-for-byte the vectors."""
    document = json.loads((FORMATS / "examples" / CLR_EXAMPLE).read_text(encoding="utf-8"))
    signed = json.loads((FORMATS / "examples" / CLR_SIGNED_EXAMPLE).read_text(encoding="utf-8"))
    options = {k: v for k, v in signed["proof"][0].items() if k != "proofValue"}
    options["@context"] = signed["@context"]
    vectors = FORMATS / "test-vectors"
    assert canonicalize(document) == (vectors / "clrv2p0_document-canon.txt").read_text()
    assert canonicalize(options) == (vectors / "clrv2p0_proof-canon.txt").read_text()


@needs_formats
def test_the_spec_signed_clr_verifies_and_a_change_breaks_it() -> None:
    """The spec's signed ClrCredential verifies (both verifiers); a changed field does not."""
    signed = json.loads((FORMATS / "examples" / CLR_SIGNED_EXAMPLE).read_text(encoding="utf-8"))
    assert verify(signed).endswith("#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi")
    assert di_verified(signed)
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["achievement"][1]["name"] = "Achievement 3"
    with pytest.raises(ProofError, match="does not match"):
        verify(changed)
    assert not di_verified(changed)


# -- CLR transcripts -----------------------------------------------------------------------


def _with_name_identity(schema: Any) -> Any:
    """Add ``name`` to IdentifierTypeEnum, as the current OB 3.0 schema has it."""
    if isinstance(schema, dict):
        return {k: _with_name_identity(v) for k, v in schema.items()}
    if isinstance(schema, list):
        items = [_with_name_identity(v) for v in schema]
        return ["name", *items] if "sourcedId" in items and "name" not in items else items
    return schema


def _clr_schema_valid(document: dict[str, Any]) -> None:
    """1EdTech's CLR 2.0 ClrCredential schema (draft-04, from their validator). It predates
    VC 2.0 and OB 3.0.3, so two adaptations: it requires VC 1.1's ``issuanceDate`` of the
    transcript and of each credential in it (given ``validFrom``'s value for the check),
    and its IdentifierTypeEnum lacks ``name`` (added, as in the official OB 3.0
    AchievementCredential schema in shared/formats)."""
    import jsonschema

    schema = _with_name_identity(
        json.loads((FORMATS / "schema" / "clr_v2p0_clrcredential_schema_draft4.json").read_text())
    )
    jsonschema.Draft4Validator(schema).validate(_vc11_dates(document))


def _vc11_dates(value: Any) -> Any:
    """Every credential in ``value`` also given VC 1.1's issuanceDate (= its validFrom)."""
    if isinstance(value, list):
        return [_vc11_dates(v) for v in value]
    if not isinstance(value, dict):
        return value
    dated = {k: _vc11_dates(v) for k, v in value.items()}
    if "validFrom" in value and "issuanceDate" not in value:
        dated["issuanceDate"] = value["validFrom"]
    return dated


@needs_formats
@pytest.mark.parametrize(("profession", "credit_type", "accreditor", "name"), PROFESSIONS)
def test_a_signed_transcript_validates_verifies_and_round_trips_for_every_profession(
    sqlite_app: Credtrail,
    clinician: Callable[..., str],
    key: Ed25519PrivateKey,
    tmp_path: Path,
    profession: str,
    credit_type: str,
    accreditor: str,
    name: str | None,
) -> None:
    """Schema-valid, verified independently, the received credential carried unchanged,
    and every credit imports back from it, verified."""
    cid = clinician(profession, credit_type, accreditor, name)
    transcript = _transcript(sqlite_app, cid, key)
    _clr_schema_valid(transcript)
    assert di_verified(transcript)
    assert transcript["type"] == ["VerifiableCredential", "ClrCredential"]
    assert transcript["@context"][:3] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    members = transcript["credentialSubject"]["verifiableCredential"]
    originals = [
        c.evidence["credential"]
        for c in sqlite_app.ledger(cid).credits.values()
        if c.evidence and "credential" in c.evidence
    ]
    assert originals
    assert all(o in members for o in originals)
    assert all(di_verified(m) for m in members)
    assert len(transcript["credentialSubject"]["achievement"]) == len(members) == 2
    summary, credits = _import_into_new_store(
        sqlite_app, tmp_path, json.dumps(transcript), cid, profession, require_proof=True
    )
    assert (summary.written, summary.rejected) == (2, 0), summary.errors
    assert sorted(c.units for c in credits) == [Decimal("1.5"), Decimal(2)]
    assert {c.evidence["provenance"] for c in credits} == {"verified"}


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in ("@context", "proof"):
                yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path


def _tampered(document: Any, path: tuple[Any, ...]) -> Any:
    changed = copy.deepcopy(document)
    holder = changed
    for step in path[:-1]:
        holder = holder[step]
    value = holder[path[-1]]
    if isinstance(value, bool):
        holder[path[-1]] = not value
    elif isinstance(value, int | float):
        holder[path[-1]] = value + 1
    else:
        holder[path[-1]] = f"{value}x"
    return changed


def test_tampering_with_any_field_of_a_signed_transcript_fails(
    sqlite_app: Credtrail, clinician: Callable[..., str], key: Ed25519PrivateKey
) -> None:
    """Every value in the transcript (credentials inside included) is covered by its proof."""
    cid = clinician(*PROFESSIONS[0])
    transcript = _transcript(sqlite_app, cid, key)
    paths = list(_leaves(transcript))
    assert len(paths) > 60
    for path in paths:
        with pytest.raises(ProofError):
            verify(_tampered(transcript, path))


def test_a_transcript_whose_proof_fails_is_refused_whole(
    sqlite_app: Credtrail, clinician: Callable[..., str], key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    """A changed transcript: every credential in it is refused, naming the transcript."""
    cid = clinician(*PROFESSIONS[0])
    transcript = _transcript(sqlite_app, cid, key)
    transcript["name"] = "Someone else's transcript"
    summary, _ = _import_into_new_store(
        sqlite_app, tmp_path, json.dumps(transcript), cid, "physician"
    )
    assert summary.written == 0
    assert all("the enclosing ClrCredential" in e for e in summary.errors)


def test_a_key_that_is_not_the_issuers_is_refused(
    key: Ed25519PrivateKey, sqlite_app: Credtrail, clinician: Callable[..., str]
) -> None:
    """A valid signature by someone else's key, claiming the organisation as issuer."""
    cid = clinician(*PROFESSIONS[0])
    transcript = _transcript(sqlite_app, cid, key)
    forged = sign(transcript, Ed25519PrivateKey.generate(), created="2026-01-01T00:00:00Z")
    with pytest.raises(ProofError, match="not the issuer"):
        verify(forged)


# -- VC-JWT ----------------------------------------------------------------------------------


@needs_formats
@pytest.mark.parametrize(("profession", "credit_type", "accreditor", "name"), PROFESSIONS)
def test_a_jwt_credential_verifies_independently_and_round_trips(
    sqlite_app: Credtrail,
    clinician: Callable[..., str],
    key: Ed25519PrivateKey,
    tmp_path: Path,
    profession: str,
    credit_type: str,
    accreditor: str,
    name: str | None,
) -> None:
    """OB 3.0 §8.2 form: EdDSA, kid = did:key URL, payload = the credential + claims."""
    import jsonschema

    cid = clinician(profession, credit_type, accreditor, name)
    credit = next(c for c in sqlite_app.ledger(cid).credits.values() if not c.evidence)
    ledger = sqlite_app.ledger(cid)
    token = export_credential(
        clinician_id=cid,
        name=ledger.name,
        npi=ledger.npi,
        credit=credit,
        registry=sqlite_app.registry,
        private_key=key,
        proof="jwt",
    )
    assert isinstance(token, str)
    header = json.loads(unb64(token.split(".")[0]))
    assert header == {"alg": "EdDSA", "typ": "vc+jwt", "kid": header["kid"]}
    assert header["kid"].startswith(did_key(_public(key)) + "#z6Mk")
    payload = jws_verified(token)
    assert payload is not None
    assert (payload["iss"], payload["jti"]) == (payload["issuer"]["id"], payload["id"])
    assert payload["nbf"] == 1740787200  # validFrom 2025-03-01T00:00:00Z
    official = json.loads(
        (FORMATS / "schema" / "ob_v3p0_achievementcredential_schema.json").read_text()
    )
    jsonschema.Draft201909Validator(official).validate(payload)
    summary, credits = _import_into_new_store(
        sqlite_app, tmp_path, token + "\n", cid, profession, require_proof=True
    )
    assert (summary.written, summary.rejected) == (1, 0), summary.errors
    (copy_,) = credits
    assert (copy_.units, copy_.credit_type, copy_.provider) == (
        credit.units,
        credit.credit_type,
        credit.provider,
    )
    assert copy_.evidence["provenance"] == "verified"
    # Received as a VC-JWT, handed out again as exactly that token.
    assert (
        export_credential(
            clinician_id=cid,
            name=None,
            npi=None,
            credit=copy_,
            registry=sqlite_app.registry,
            private_key=None,
        )
        == token
    )


def _credential_jwt(key: Ed25519PrivateKey) -> tuple[dict[str, Any], str]:
    credential = _provider_credential(key, "physician-1", "ama_pra_1", "ACCME")
    credential.pop("proof")
    return credential, sign_jwt(credential, key)


def _reencoded(token: str, header: Any = None, payload: Any = None) -> str:
    h, p, s = token.split(".")
    if header is not None:
        h = b64url(json.dumps(header).encode())
    if payload is not None:
        p = b64url(json.dumps(payload).encode())
    return f"{h}.{p}.{s}"


def test_jwt_tampering_alg_none_and_wrong_keys_are_refused(key: Ed25519PrivateKey) -> None:
    """A changed payload or signature, alg none, another key under the issuer's kid, and
    another key's kid for the issuer's credential are each refused with the reason."""
    credential, token = _credential_jwt(key)
    assert verify_jwt(token)[0] == credential
    header = json.loads(unb64(token.split(".")[0]))
    payload = json.loads(unb64(token.split(".")[1]))
    payload["credentialSubject"]["creditsEarned"] = 20
    cases = {
        "changed payload": (_reencoded(token, payload=payload), "does not match"),
        "changed signature": (
            token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB"),
            "does not match",
        ),
        "alg none": (
            _reencoded(token, header={**header, "alg": "none"}).rsplit(".", 1)[0] + ".",
            "alg 'none'",
        ),
        "wrong key": (
            sign_jwt(credential, Ed25519PrivateKey.generate(), method=header["kid"]),
            "does not match",
        ),
        "not the issuer's key": (
            sign_jwt(credential, Ed25519PrivateKey.generate()),
            "not the issuer",
        ),
    }
    for name, (bad, reason) in cases.items():
        with pytest.raises(ProofError, match=reason):
            verify_jwt(bad)
        assert jws_verified(bad) is None or name == "not the issuer's key"
    with pytest.raises(UnverifiableProofError, match="EdDSA"):
        verify_jwt(_reencoded(token, header={**header, "alg": "RS256"}))


def test_a_bad_jwt_is_refused_on_import_and_an_unverifiable_one_needs_no_proof_flag(
    sqlite_app: Credtrail, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    """Provenance as for eddsa proofs: invalid refused, unverifiable refused only by
    --require-proof, else kept with its verdict."""
    sqlite_app.add_clinician("physician-1", "physician")
    _, token = _credential_jwt(key)
    header = json.loads(unb64(token.split(".")[0]))
    payload = json.loads(unb64(token.split(".")[1]))
    payload["credentialSubject"]["creditsEarned"] = 20
    path = tmp_path / "in.jwt"
    path.write_text(_reencoded(token, payload=payload))
    summary = import_file(sqlite_app, path, "openbadges")
    assert summary.written == 0
    assert "JWT signature does not match" in summary.errors[0]
    path.write_text(_reencoded(token, header={**header, "alg": "ES256"}))
    summary = import_file(sqlite_app, path, "openbadges", require_proof=True)
    assert summary.written == 0
    assert "ob-proof-required" in summary.errors[0]
    summary = import_file(sqlite_app, path, "openbadges")
    assert summary.written == 1
    (credit,) = sqlite_app.ledger("physician-1").credits.values()
    assert credit.evidence["provenance"].startswith("unverifiable: JWT alg ES256")


@needs_formats
def test_a_jwt_transcript_verifies_and_round_trips(
    sqlite_app: Credtrail, clinician: Callable[..., str], key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    """export clr --proof jwt: the transcript is a VC-JWT; credentials the organisation
    issues inside are enveloped VC-JWTs; the received one stays as received."""
    cid = clinician(*PROFESSIONS[0])
    token = _transcript(sqlite_app, cid, key, proof="jwt")
    payload = jws_verified(token)
    assert payload is not None
    assert "ClrCredential" in payload["type"]
    members = payload["credentialSubject"]["verifiableCredential"]
    kinds = sorted(m["type"] if isinstance(m["type"], str) else m["type"][1] for m in members)
    assert kinds == ["EnvelopedVerifiableCredential", "OpenBadgeCredential"]
    inner = next(m for m in members if m["type"] == "EnvelopedVerifiableCredential")
    assert jws_verified(inner["id"].removeprefix("data:application/vc+jwt,")) is not None
    summary, _credits = _import_into_new_store(
        sqlite_app, tmp_path, token, cid, "physician", require_proof=True
    )
    assert (summary.written, summary.rejected) == (2, 0), summary.errors


# -- did:web -----------------------------------------------------------------------------------


def test_did_web_credentials_verify_only_against_a_supplied_did_document(
    sqlite_app: Credtrail, clinician: Callable[..., str], key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    """Issuer did:web; without its DID document: unverifiable, never verified; with it:
    verified; with another key's document: invalid. Both proof formats."""
    cid = clinician(*PROFESSIONS[0])
    did = "did:web:cme.example.org:credentials"
    for proof in ("eddsa", "jwt"):
        transcript = _transcript(sqlite_app, cid, key, proof=proof, did=did)
        text = transcript if isinstance(transcript, str) else json.dumps(transcript)
        summary, credits = _import_into_new_store(sqlite_app, tmp_path, text, cid, "physician")
        assert summary.written == 2
        verdicts = sorted(c.evidence["provenance"] for c in credits)
        assert verdicts[0].startswith("unverifiable:")
        assert "--did-document" in verdicts[0]
        summary, _ = _import_into_new_store(
            sqlite_app, tmp_path, text, cid, "physician", require_proof=True
        )
        assert summary.written == 0
        own = tmp_path / "did.json"
        own.write_text(json.dumps(did_document(did, _public(key))))
        summary, credits = _import_into_new_store(
            sqlite_app,
            tmp_path,
            text,
            cid,
            "physician",
            require_proof=True,
            options={"did-documents": str(own)},
        )
        assert (summary.written, summary.rejected) == (2, 0), summary.errors
        other = tmp_path / "other-did.json"
        other.write_text(json.dumps(did_document(did, _public(Ed25519PrivateKey.generate()))))
        summary, _ = _import_into_new_store(
            sqlite_app, tmp_path, text, cid, "physician", options={"did-documents": str(other)}
        )
        assert summary.written == 0
        assert any("no verification method" in e for e in summary.errors)


# -- the command line ---------------------------------------------------------------------------


def test_cli_export_clr_did_document_and_import_with_it(
    tmp_path: Path, key: Ed25519PrivateKey
) -> None:
    """key did-document prints did.json; export clr --did-web signs; import --did-document
    --require-proof accepts it; a bad --did-web is one clear error."""
    key_file = tmp_path / "keys" / "org.pem"
    key_file.parent.mkdir()
    key_file.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    runner = CliRunner()
    store = ["--store", str(tmp_path / "a.db")]

    def run(*args: str) -> Any:
        return runner.invoke(cli, [*store, *args], catch_exceptions=False)

    add_clinician = ("clinician", "add", "dr-a", "--profession", "physician", "--name", "A")
    assert run("init").exit_code == 0
    assert run(*add_clinician).exit_code == 0
    earned = run(
        "credit",
        "earn",
        "dr-a",
        "--type",
        "ama_pra_1",
        "--units",
        "1",
        "--date",
        "2025-01-02",
        "--provider",
        "Mayo",
        "--accreditor",
        "ACCME",
        "--activity",
        "X1",
    )
    assert earned.exit_code == 0, earned.output
    shown = run("key", "did-document", "--key", str(key_file), "--did-web", "example.org")
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    assert document["id"] == "did:web:example.org"
    assert document["verificationMethod"][0]["type"] == "Multikey"
    assert "https://example.org/.well-known/did.json" in shown.stderr
    (tmp_path / "did.json").write_text(shown.stdout)
    out = tmp_path / "clr.json"
    exported = run(
        "export",
        "clr",
        "dr-a",
        "--key",
        str(key_file),
        "--did-web",
        "example.org",
        "-o",
        str(out),
        "--json",
    )
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.stdout)["credentials"] == 1
    transcript = json.loads(out.read_text())
    assert transcript["issuer"]["id"] == "did:web:example.org"
    assert di_verified(transcript, key.public_key())
    store[1] = str(tmp_path / "b.db")
    assert run("init").exit_code == 0
    assert run(*add_clinician).exit_code == 0
    refused = run("import", str(out), "--format", "openbadges", "--require-proof")
    assert refused.exit_code == 1
    imported = run(
        "import",
        str(out),
        "--format",
        "openbadges",
        "--require-proof",
        "--did-document",
        str(tmp_path / "did.json"),
    )
    assert imported.exit_code == 0, imported.output
    assert "written 1" in imported.output
    store[1] = str(tmp_path / "a.db")
    bad = run("export", "clr", "dr-a", "--key", str(key_file), "--did-web", "https://x/")
    assert bad.exit_code == 1
    assert "is not a did:web domain" in bad.output
    jwt = run(
        "export",
        "openbadges",
        "dr-a",
        json.loads(run("transcript", "dr-a", "--json").output)["credits"][0]["credit_id"],
        "--key",
        str(key_file),
        "--proof",
        "jwt",
    )
    assert jwt.exit_code == 0
    assert jws_verified(jwt.stdout.strip()) is not None


def test_a_received_credential_with_an_unshipped_context_needs_a_jwt_transcript(
    sqlite_app: Credtrail, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    """eddsa cannot canonicalise a context credtrail does not ship: a clear error naming
    --proof jwt, which carries the credential unchanged."""
    from credtrail.core.errors import InputError

    sqlite_app.add_clinician("physician-1", "physician")
    received = _provider_credential(
        Ed25519PrivateKey.generate(), "physician-1", "ama_pra_1", "ACCME"
    )
    received["@context"].append("https://provider.example/private-context.json")
    path = tmp_path / "received.json"
    path.write_text(json.dumps(received))
    assert import_file(sqlite_app, path, "openbadges").written == 1
    with pytest.raises(InputError, match=r"private-context\.json .* --proof jwt"):
        _transcript(sqlite_app, "physician-1", key)
    token = _transcript(sqlite_app, "physician-1", key, proof="jwt")
    payload = jws_verified(token)
    assert payload is not None
    assert payload["credentialSubject"]["verifiableCredential"] == [received]


def test_a_did_document_with_a_previous_key_still_verifies_what_that_key_signed(
    tmp_path: Path, key: Ed25519PrivateKey
) -> None:
    """key did-document --previous keeps a rotated-out key as an assertion method; only
    the current key authenticates."""
    old = Ed25519PrivateKey.generate()
    key_file = tmp_path / "org.pem"
    key_file.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    old_multikey = did_key(_public(old)).removeprefix("did:key:")
    shown = CliRunner().invoke(
        cli,
        [
            "key",
            "did-document",
            "--key",
            str(key_file),
            "--did-web",
            "example.org",
            "--previous",
            old_multikey,
        ],
    )
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    assert len(document["assertionMethod"]) == 2
    assert document["authentication"] == [document["assertionMethod"][0]]
    credential, _ = _credential_jwt(old)
    credential["issuer"]["id"] = "did:web:example.org"
    signed = sign(
        credential,
        old,
        created="2025-04-02T00:00:00Z",
        method=f"did:web:example.org#{old_multikey}",
    )
    assert verify(signed, {"did:web:example.org": document}).endswith(old_multikey)
    with pytest.raises(UnverifiableProofError, match="--did-document"):
        verify(signed)
