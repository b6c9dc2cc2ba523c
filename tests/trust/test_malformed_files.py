"""A corpus of malformed files through every import format: a clear error or a clean
rejection, never a traceback, and nothing written."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pluggy
import pytest

from credtrail.core.application import Credtrail
from credtrail.core.errors import CredtrailError
from credtrail.core.exchange import import_file
from credtrail.core.exchange.formats import import_formats
from credtrail.core.rules import read_requirement_file

from .hostile import CATALOGUE, CSV_HEADER, PARS_HEADER, fingerprint

MALFORMED: dict[str, bytes] = {
    "empty": b"",
    "only a byte-order mark": b"\xef\xbb\xbf",
    "NUL bytes": b"\x00" * 64,
    "binary": bytes(range(256)) * 4,
    "UTF-16": f"{CSV_HEADER}\n".encode("utf-16"),
    "Latin-1": "clinician_id,name\nj\xf6rg,J\xf6rg\n".encode("latin-1"),
    "CR line endings": f"{CSV_HEADER}\rmd-1,physician\r".encode(),
    "header only (csv)": f"{CSV_HEADER}\n".encode(),
    "header only (pars)": f"{PARS_HEADER}\n".encode(),
    "unterminated quote": f'{CSV_HEADER}\n"md-1,physician\n'.encode(),
    "NUL inside a field": f"{CSV_HEADER}\nmd\x00-1,physician,A,,ama_pra_1,1,2025-01-01,P,ACCME,"
    "A,T,,,\n".encode(),
    "ragged rows": f"{PARS_HEADER}\n1\t2\n".encode(),
    "one huge line": b"x" * 3_000_000,
    "deeply nested arrays": b"[" * 100_000 + b"]" * 100_000,
    "deeply nested objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "truncated JSON": b'{"type": ["VerifiableCredential"], "credentialSubject": {',
    "JSON scalar": b"42",
    "JSON null": b"null",
    "JSON with NaN": b'{"creditsEarned": NaN}',
    "JSON escaped surrogate": b'{"id": "\\ud800", "type": ["OpenBadgeCredential"]}',
    "not a badge": json.dumps({"type": ["VerifiableCredential"], "issuer": 5}).encode(),
    "empty transcript": json.dumps({"ACCMETranscripts": [{}]}).encode(),
    "wrong shapes": json.dumps({"ACCMETranscripts": "x", "credentialSubject": []}).encode(),
}

FIGURES = os.environ.get("CREDTRAIL_HOSTILE_FIGURES")
OUTCOMES: Counter[str] = Counter()


@pytest.fixture
def formats(pm: pluggy.PluginManager) -> list[str]:
    return sorted(import_formats(pm))


@pytest.fixture
def store(tmp_path: Path, pm: pluggy.PluginManager) -> Iterator[Credtrail]:
    app = Credtrail.open(str(tmp_path / "corpus.db"), pm, create=True)
    try:
        app.add_clinician("md-1", "physician", name="Ada Lee")
        yield app
    finally:
        app.close()


@pytest.fixture(scope="module", autouse=True)
def _figures() -> Iterator[None]:
    yield
    if FIGURES:
        path = Path(FIGURES)
        known = Counter(json.loads(path.read_text())) if path.exists() else Counter()
        path.write_text(json.dumps(dict(known + OUTCOMES)), encoding="utf-8")


def test_every_format_is_tried(formats: list[str]) -> None:
    """The corpus runs through every registered import format (none silently skipped)."""
    assert {"csv", "pars", "openbadges", "cebroker", "cmepassport"} <= set(formats)


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_is_refused_cleanly_in_every_format(
    store: Credtrail, formats: list[str], tmp_path: Path, name: str
) -> None:
    """Each malformed file, in each format: a CredtrailError with one clear first line
    naming the file, or every record rejected; never a traceback; nothing written."""
    (tmp_path / "catalogue.csv").write_text(CATALOGUE, encoding="utf-8")
    path = tmp_path / "malformed.dat"
    path.write_bytes(MALFORMED[name])
    before = fingerprint(Path(store.location.display()))
    for fmt in formats:
        OUTCOMES["tried"] += 1
        options = {"catalogue": str(tmp_path / "catalogue.csv")} if fmt == "cebroker" else {}
        try:
            summary = import_file(store, path, fmt, options=options)
        except CredtrailError as exc:
            message = str(exc)
            assert message.splitlines()[0], (fmt, name)
            assert "malformed.dat" in message, (fmt, name, message[:300])
            OUTCOMES["clear errors"] += 1
        except Exception:
            OUTCOMES["tracebacks"] += 1
            raise
        else:
            assert summary.written == summary.deleted == 0, (fmt, name, summary)
            assert summary.rejected == summary.read, (fmt, name, summary)
            OUTCOMES["clear errors"] += 1
        if fingerprint(Path(store.location.display())) != before:
            OUTCOMES["wrongly written"] += 1
            pytest.fail(f"{fmt} {name}: the store changed")


def test_devices_and_fifos_are_refused_in_every_format(
    store: Credtrail, formats: list[str], tmp_path: Path
) -> None:
    """/dev/zero and a FIFO would be read without end: every format refuses them first."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for fmt in formats:
        for path in (Path("/dev/zero"), fifo):
            OUTCOMES["tried"] += 1
            with pytest.raises(CredtrailError, match="not a regular file"):
                import_file(store, path, fmt)
            OUTCOMES["clear errors"] += 1


@pytest.mark.parametrize("suffix", [".json", ".toml"])
@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_requirement_file_is_a_clear_error(
    store: Credtrail, tmp_path: Path, name: str, suffix: str
) -> None:
    """`requirement change` on a malformed file (deep nesting once a RecursionError):
    a CredtrailError, never a traceback, nothing recorded."""
    path = tmp_path / f"rule{suffix}"
    path.write_bytes(MALFORMED[name])
    before = fingerprint(Path(store.location.display()))
    OUTCOMES["tried"] += 1
    try:
        store.record_requirement(read_requirement_file(path))
    except CredtrailError as exc:
        first = str(exc).splitlines()[:1]
        OUTCOMES["clear errors"] += 1
    except Exception:
        OUTCOMES["tracebacks"] += 1
        raise
    else:
        OUTCOMES["wrongly written"] += 1
        pytest.fail(f"{name}{suffix} was recorded")
    assert first, "an error message has a first line"
    assert fingerprint(Path(store.location.display())) == before


def test_a_device_is_not_read_as_a_requirement_file(tmp_path: Path) -> None:
    """/dev/zero and a FIFO are refused before reading."""
    fifo = tmp_path / "rule.toml"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo):
        with pytest.raises(CredtrailError, match="not a regular file"):
            read_requirement_file(path)
