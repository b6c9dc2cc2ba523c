"""``credtrail key init|show|rotate|did-document``: the organisation's key that signs the
log and the credentials it issues."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import echo_json, json_option
from credtrail.core.errors import CredtrailError
from credtrail.core.persistence.signing import KEY_ENV, Signer, generate_key, load_key

KEY_PATH = click.Path(dir_okay=False, path_type=Path)


def _key_path(path: Path | None) -> Path:
    if path is not None:
        return path.expanduser()
    value = os.environ.get(KEY_ENV, "")
    if not value:
        raise CredtrailError(f"give the key file with --key or set {KEY_ENV}")
    return Path(value).expanduser()


def _outside_store(env: Env, path: Path) -> None:
    """The key must not live beside the store: whoever copies the store must not get it."""
    store = Path(env.location)
    if "://" in env.location:
        return
    if path.resolve().parent == store.resolve().parent:
        raise CredtrailError(
            f"keep the key file outside the store's folder ({store.resolve().parent}): "
            "whoever can change the store must not hold the key"
        )


@click.group()
def key() -> None:
    """The organisation's key: it signs every batch written to the log."""


@key.command("init")
@click.option("--key", "path", type=KEY_PATH, help=f"Where to write the key (env {KEY_ENV}).")
@click.option("--force", is_flag=True, help="Replace an existing key file.")
@click.option("--no-store", is_flag=True, help="Only write the key file; register it later.")
@json_option
@pass_env
def init(env: Env, path: Path | None, force: bool, no_store: bool, as_json: bool) -> None:
    """Create an Ed25519 key (mode 0600) and register it in the store.

    From then on every write must be made with the key (CREDTRAIL_KEY) and
    'credtrail audit verify' checks every signature.
    """
    target = _key_path(path)
    _outside_store(env, target)
    signer = generate_key(target, force=force)
    position = None if no_store else _register(env, signer, previous=None)
    if as_json:
        echo_json(
            {
                "key_id": signer.key_id,
                "key_file": str(target),
                "public_key": signer.public_hex,
                "registered_at": position,
            }
        )
        return
    click.echo(f"Key {signer.key_id} written to {target} (keep it secret, off the server)")
    if position is not None:
        _registered(env, signer, position)


@key.command("rotate")
@click.option("--key", "path", type=KEY_PATH, help=f"The current key (env {KEY_ENV}).")
@click.option("--new", "new_path", type=KEY_PATH, required=True, help="Where to write the new key.")
@click.option("--force", is_flag=True, help="Replace an existing file at --new.")
@json_option
@pass_env
def rotate(env: Env, path: Path | None, new_path: Path, force: bool, as_json: bool) -> None:
    """Replace the store's key: a new key, endorsed by the current one, signs from now on."""
    current = load_key(_key_path(path))
    _outside_store(env, new_path)
    signer = generate_key(new_path.expanduser(), force=force)
    position = _register(env, signer, previous=current)
    if as_json:
        echo_json(
            {
                "key_id": signer.key_id,
                "key_file": str(new_path),
                "public_key": signer.public_hex,
                "previous_key_id": current.key_id,
                "registered_at": position,
            }
        )
        return
    _registered(env, signer, position)
    click.echo(f"Use the new key from now on: export {KEY_ENV}={new_path}")


@key.command("show")
@click.option("--key", "path", type=KEY_PATH, help=f"The key file (env {KEY_ENV}).")
@json_option
def show(path: Path | None, as_json: bool) -> None:
    """Print the key's id and public half (give the public half to auditors)."""
    signer = load_key(_key_path(path))
    if as_json:
        echo_json({"key_id": signer.key_id, "public_key": signer.public_hex})
        return
    click.echo(f"key id {signer.key_id}\npublic key {signer.public_hex}")


@key.command("did-document")
@click.option("--key", "path", type=KEY_PATH, help=f"The key file (env {KEY_ENV}).")
@click.option(
    "--did-web",
    "did_web",
    metavar="HOST[:PATH]",
    envvar="CREDTRAIL_DID_WEB",
    required=True,
    help="The organisation's did:web domain (and path), e.g. example.org or "
    "example.org:credentials [env: CREDTRAIL_DID_WEB].",
)
@click.option(
    "--previous",
    "previous",
    multiple=True,
    metavar="KEY",
    help="A rotated-out key whose credentials must still verify: its multibase public "
    "key (z6Mk..., from an old did.json) or its key file; repeatable.",
)
@json_option
def did_document(path: Path | None, did_web: str, previous: tuple[str, ...], as_json: bool) -> None:
    """Print the did.json the organisation publishes for its did:web DID.

    One Multikey (the key's Ed25519 public half, publicKeyMultibase) that may sign
    credentials; publish it at the URL printed on stderr (export --did-web then issues
    as that DID).
    """
    from credtrail.core.exchange.dataintegrity import did_document as document_of
    from credtrail.core.exchange.dataintegrity import did_web as did_web_of
    from credtrail.core.exchange.dataintegrity import did_web_url

    signer = load_key(_key_path(path))
    did = did_web_of(did_web)
    older = [_public_key(value) for value in previous]
    document = document_of(did, bytes.fromhex(signer.public_hex), older)
    if as_json:
        echo_json({"did": did, "url": did_web_url(did), "document": document})
        return
    click.echo(json.dumps(document, indent=2))
    click.echo(f"Publish this as {did_web_url(did)}", err=True)


def _public_key(value: str) -> bytes:
    """A raw Ed25519 public key from its multibase (``z6Mk...``) or from a key file."""
    from credtrail.core.exchange.dataintegrity import multibase_decode

    if value.startswith("z6Mk"):
        raw = multibase_decode(value)
        if raw[:2] == b"\xed\x01" and len(raw) == 34:
            return raw[2:]
        raise CredtrailError(f"{value!r} is not an Ed25519 multibase public key")
    return bytes.fromhex(load_key(Path(value).expanduser()).public_hex)


def _register(env: Env, signer: Signer, previous: Signer | None) -> int:
    from credtrail.core.store import register_key

    return register_key(env.app().store, signer, previous)


def _registered(env: Env, signer: Signer, position: int) -> None:
    click.echo(
        f"Registered key {signer.key_id} in {env.app().location.display()}; it signs the log "
        f"from position {position} on"
    )


COMMANDS = [key]
