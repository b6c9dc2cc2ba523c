"""Fixtures of the exchange tests: a SQLite store, file writers, a store fingerprint."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pluggy
import pytest

from credtrail.core.application import Credtrail

CORPUS = Path(__file__).parent / "corpus"

CSV_HEADER = (
    "clinician_id,profession,name,npi,credit_type,units,completed_on,provider,accreditor,"
    "activity_id,title,topics,format,designated_units"
)
PARS_HEADER = "\t".join(
    [
        "ProviderID",
        "ActivityID",
        "GivenName",
        "FamilyName",
        "BirthMonth",
        "BirthDay",
        "NPI",
        "LicenseState",
        "LicenseNumber",
        "CompletedDateTime",
        "ActivityCertification",
        "NumberOfCredits",
        "LearnerRecordAction",
    ]
)


@pytest.fixture
def sqlite_app(tmp_path: Path, pm: pluggy.PluginManager) -> Iterator[Credtrail]:
    """A ``Credtrail`` on a fresh SQLite store (most exchange tests need one backend)."""
    application = Credtrail.open(str(tmp_path / "exchange.db"), pm, create=True)
    try:
        yield application
    finally:
        application.close()


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write ``text`` to ``name`` in the test's folder; returns the path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def log_length(app: Credtrail) -> int:
    """How many events the store holds: unchanged means nothing was written."""
    return int(app.store.recorder.max_notification_id() or 0)
