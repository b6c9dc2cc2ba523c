"""What every export needs: the clinicians of a store, their live credits, and a
private output file."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from credtrail.core.application import Credtrail
from credtrail.core.domain import ClinicianLedger, CreditState
from credtrail.core.errors import InputError
from credtrail.core.persistence.files import create_private
from credtrail.core.store import iter_log


def write_output(path: Path, content: str | bytes, *, force: bool = False) -> None:
    """Write an export or report (text, or a PDF's bytes) to ``path`` as credtrail writes
    every file it makes: 0600 (names, NPIs, licence numbers), never through a symbolic
    link, and an existing file only replaced with ``force`` (``--force``)."""
    data = content.encode() if isinstance(content, str) else content
    try:
        create_private(path, data, force=force, what="output file")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None


def clinician_ids(app: Credtrail) -> list[str]:
    """Every clinician the store's log created, in the order they were created."""
    ids: list[str] = []
    mapper = app.store.mapper
    for page in iter_log(app.store):
        for n in page:
            if n.topic == ClinicianLedger.Created.TOPIC:
                event = mapper.to_domain_event(n)
                assert isinstance(event, ClinicianLedger.Created)
                ids.append(event.clinician_id)
    return list(dict.fromkeys(ids))


def live_credits(
    app: Credtrail, clinicians: Sequence[str] = ()
) -> Iterator[tuple[ClinicianLedger, CreditState]]:
    """Each clinician's (all, when none named) unrevoked credits, oldest completion first."""
    for cid in clinicians or clinician_ids(app):
        ledger = app.ledger(cid)
        credits = sorted(
            (c for c in ledger.credits.values() if not c.revoked),
            key=lambda c: (c.completed_on, c.credit_id),
        )
        for credit in credits:
            yield ledger, credit
