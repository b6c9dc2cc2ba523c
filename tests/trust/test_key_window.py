"""A rotated-out key cannot vouch for the log after its rotation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.audit.integrity import verify
from credtrail.core.audit.reader import LogReader
from credtrail.core.persistence.chain import head_statement
from credtrail.core.persistence.signing import Signer, generate_key, key_windows
from credtrail.core.store import register_key


def _earn(app: Credtrail, activity: str) -> None:
    app.earn(
        EarnRequest.parse(
            clinician_id="dr-lee",
            credit_type="ama_pra_1",
            units=Decimal(1),
            completed_on="2025-01-10",
            provider="Example Medical School",
            accreditor="ACCME",
            activity_id=activity,
        )
    )


def _resign_last_head(app: Credtrail, signer: Signer) -> None:
    """What whoever kept the old key can do: sign a head the new key signed."""
    reader = LogReader(app.store)
    head = reader.last_head()
    assert head is not None
    statement = head_statement(
        head.position, head.events, head.chain, head.signed_at, signer.key_id
    )
    with reader.datastore.transaction(commit=True) as cursor:
        cursor.execute(
            reader.sql(
                f"UPDATE {reader.heads_table} SET key_id = ?, signature = ? "
                "WHERE notification_id = ?"
            ),
            [signer.key_id, signer.sign(statement), head.position],
        )


def test_a_head_signed_by_the_old_key_after_rotation_is_refused(
    app: Credtrail, tmp_path: Path
) -> None:
    """After 'key rotate', a batch head signed with the old key is caught by verify,
    though its signature is good: the old key's window closed at the rotation."""
    old = generate_key(tmp_path / "old.pem")
    new = generate_key(tmp_path / "new.pem")
    app.add_clinician("dr-lee", "physician")
    register_key(app.store, old)
    app.store.signer = old
    _earn(app, "a-1")
    rotated_at = register_key(app.store, new, previous=old)
    app.store.signer = new
    _earn(app, "a-2")
    assert verify(app.store).ok

    windows = key_windows(LogReader(app.store).key_records())
    assert windows[old.key_id][1] == rotated_at
    assert windows[new.key_id] == (rotated_at, None)

    _resign_last_head(app, old)
    report = verify(app.store)
    assert report.problem is not None
    assert report.problem.kind == "retired-key"
    assert f"key {old.key_id} was replaced at position {rotated_at}" in report.problem.detail


def test_the_old_key_still_vouches_for_heads_before_the_rotation(
    app: Credtrail, tmp_path: Path
) -> None:
    """Heads the old key signed before the rotation stay valid: history is not rewritten."""
    old = generate_key(tmp_path / "old.pem")
    new = generate_key(tmp_path / "new.pem")
    app.add_clinician("dr-lee", "physician")
    register_key(app.store, old)
    app.store.signer = old
    _earn(app, "a-1")
    _earn(app, "a-2")
    register_key(app.store, new, previous=old)
    app.store.signer = new
    _earn(app, "a-3")
    report = verify(app.store)
    assert report.ok, report.problem
