"""``verify`` against a store tampered with directly in the database, on both backends.

Each test plays an attacker with SQL access: it edits, deletes, reorders or inserts
rows, and ``verify`` must name the first broken position, its stream and version, and
what differs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from credtrail.core.application import Credtrail
from credtrail.core.audit.integrity import Checkpoint, make_checkpoint, verify
from credtrail.core.audit.reader import EventRow, LogReader
from credtrail.core.domain import clinician_uuid
from credtrail.core.errors import AuditError, LogIntegrityError
from credtrail.core.store import event_hash

from .conftest import events, rechain, record_history, tamper

LEE = clinician_uuid("dr-lee").hex


@pytest.fixture
def history(app: Credtrail) -> dict[str, str]:
    return record_history(app)


def first_earned(app: Credtrail, stream: str = LEE) -> EventRow:
    return next(e for e in events(app) if e.stream == stream and e.topic.endswith("Earned"))


def test_untouched_store_verifies_clean(app: Credtrail, history: dict[str, str]) -> None:
    """A store written only through credtrail verifies, with its size, head and root."""
    report = verify(app.store)
    rows = events(app)
    assert report.ok, report.problem
    assert report.events == len(rows) == 9
    assert report.position == rows[-1].position
    assert len(report.head) == len(report.root) == 64
    report.raise_for_problem()


def test_empty_store_verifies_clean(app: Credtrail) -> None:
    """An empty log is trivially intact; its root is the RFC 6962 empty root."""
    report = verify(app.store)
    assert report.ok
    assert report.events == 0
    assert report.root == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_edited_units_are_caught_as_changed_bytes(
    app: Credtrail, history: dict[str, str], reader: LogReader
) -> None:
    """Raising a credit's units in the stored JSON is reported at that event."""
    target = first_earned(app)
    assert b'"units":"2"' in target.state
    forged = target.state.replace(b'"units":"2"', b'"units":"20"')
    tamper(
        reader,
        f"UPDATE {reader.events} SET state = ? WHERE {reader.id_column} = ?",
        (forged, target.position),
    )
    problem = verify(app.store).problem
    assert problem is not None
    assert problem.kind == "stored-bytes-changed"
    assert (problem.position, problem.stream, problem.version) == (target.position, LEE, 2)
    assert problem.subject == "clinician dr-lee"
    assert problem.describe().startswith(
        f"position {target.position}, stream {LEE} (clinician dr-lee), version 2 "
        "[credtrail:CreditEarned]: stored bytes changed: "
    )
    with pytest.raises(LogIntegrityError, match=f"position {target.position}, stream {LEE}"):
        verify(app.store).raise_for_problem()


def test_edit_through_sql_text_functions_is_caught_not_crashed(
    app: Credtrail, history: dict[str, str], reader: LogReader
) -> None:
    """An UPDATE with replace() leaves TEXT (not bytes) in the column: still a clean report."""
    target = first_earned(app)
    if reader.postgres:
        # bytea stays bytea on PostgreSQL; edit it as text the way a DBA might.
        statement = (
            f"UPDATE {reader.events} SET state = convert_to(replace(convert_from(state, "
            "'UTF8'), '\"units\":\"2\"', '\"units\":\"20\"'), 'UTF8') "
            f"WHERE {reader.id_column} = ?"
        )
    else:
        statement = (
            f'UPDATE {reader.events} SET state = replace(state, \'"units":"2"\', '
            f'\'"units":"20"\') WHERE {reader.id_column} = ?'
        )
    tamper(reader, statement, (target.position,))
    problem = verify(app.store).problem
    assert problem is not None
    assert (problem.kind, problem.position) == ("stored-bytes-changed", target.position)


def test_deleted_event_is_caught_where_its_log_row_remains(
    app: Credtrail, history: dict[str, str], reader: LogReader
) -> None:
    """Deleting an event row leaves its log row: reported as a log row without event."""
    target = events(app)[4]
    tamper(reader, f"DELETE FROM {reader.events} WHERE {reader.id_column} = ?", (target.position,))
    problem = verify(app.store).problem
    assert problem is not None
    assert problem.kind == "log-row-without-event"
    assert (problem.position, problem.stream, problem.version, problem.topic) == (
        target.position,
        target.stream,
        target.version,
        target.topic,
    )


def test_event_deleted_with_its_log_row_breaks_the_next_link(
    app: Credtrail, history: dict[str, str], reader: LogReader
) -> None:
    """Deleting both rows of an event is seen at the next position: its link no longer follows."""
    rows = events(app)
    target, following = rows[3], rows[4]
    tamper(reader, f"DELETE FROM {reader.events} WHERE {reader.id_column} = ?", (target.position,))
    tamper(reader, f"DELETE FROM {reader.log} WHERE notification_id = ?", (target.position,))
    problem = verify(app.store).problem
    assert problem is not None
    assert problem.kind == "link-mismatch"
    assert (problem.position, problem.stream, problem.version) == (
        following.position,
        following.stream,
        following.version,
    )
    assert f"removed (no rows at positions {target.position}–{target.position})" in problem.detail


def test_two_swapped_events_are_caught_as_reordered(
    app: Credtrail, history: dict[str, str], reader: LogReader
) -> None:
    """Swapping the positions of two events is reported at the first of them."""
    rows = events(app)
    a, b = rows[2], rows[5]
    swap = f"UPDATE {reader.events} SET {reader.id_column} = ? WHERE {reader.id_column} = ?"
    tamper(reader, swap, (-1, a.position))
    tamper(reader, swap, (a.position, b.position))
    tamper(reader, swap, (b.position, -1))
    problem = verify(app.store).problem
    assert problem is not None
    assert problem.kind == "order"
    assert problem.position == a.position
    assert (problem.stream, problem.version) == (b.stream, b.version)
    assert f"expects stream {a.stream} version {a.version}" in problem.detail


def test_forged_event_inserted_outside_credtrail_is_caught(
    app: Credtrail, history: dict[str, str], reader: LogReader
) -> None:
    """An event row written straight into the table has no log row: named at its position."""
    template = first_earned(app)
    forged = template.state.replace(b'"originator_version":2', b'"originator_version":99')
    stream = UUID(LEE) if reader.postgres else LEE
    tamper(
        reader,
        f"INSERT INTO {reader.events} (originator_id, originator_version, topic, state) "
        "VALUES (?, ?, ?, ?)",
        (stream, 99, template.topic, forged),
    )
    forged_row = events(app)[-1]
    assert forged_row.version == 99
    problem = verify(app.store).problem
    assert problem is not None
    assert problem.kind == "event-missing-from-log"
    assert (problem.position, problem.stream, problem.version) == (forged_row.position, LEE, 99)


def test_forged_log_row_that_does_not_link_is_caught(
    app: Credtrail, history: dict[str, str], reader: LogReader
) -> None:
    """A forged event with a log row whose link is made up fails the chain there."""
    template = first_earned(app)
    stream = UUID(LEE) if reader.postgres else LEE
    tamper(
        reader,
        f"INSERT INTO {reader.events} (originator_id, originator_version, topic, state) "
        "VALUES (?, ?, ?, ?)",
        (stream, 99, template.topic, template.state),
    )
    row = events(app)[-1]
    digest = event_hash(row.position, LEE, 99, row.topic, row.state)
    tamper(
        reader,
        f"INSERT INTO {reader.log} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (row.position, LEE, 99, row.topic, "2026-02-01T00:00:00+00:00", None, "ab" * 32, digest),
    )
    problem = verify(app.store).problem
    assert problem is not None
    assert (problem.kind, problem.position) == ("link-mismatch", row.position)


def test_edited_time_index_is_caught(
    app: Credtrail, history: dict[str, str], reader: LogReader
) -> None:
    """Back-dating an event in the log's recorded_at column (to fool as-of) is caught."""
    late = events(app)[-2]
    tamper(
        reader,
        f"UPDATE {reader.log} SET recorded_at = ? WHERE notification_id = ?",
        ("2024-12-31T00:00:00+00:00", late.position),
    )
    problem = verify(app.store).problem
    assert problem is not None
    assert (problem.kind, problem.position) == ("index-mismatch", late.position)
    assert "recorded at 2024-12-31T00:00:00+00:00" in problem.detail


def test_truncated_tail_passes_the_chain_but_not_the_checkpoint(
    app: Credtrail, history: dict[str, str], reader: LogReader
) -> None:
    """Cutting off the last events, their log rows and heads is invisible to the chain
    alone (in a store without a key), and reported as truncation against a checkpoint."""
    checkpoint = make_checkpoint(app.store)
    rows = events(app)
    keep = rows[-3].position
    tamper(reader, f"DELETE FROM {reader.events} WHERE {reader.id_column} > ?", (keep,))
    tamper(reader, f"DELETE FROM {reader.log} WHERE notification_id > ?", (keep,))
    rechain(app, reader)  # batch heads up to the new end, as a thorough attacker would

    assert verify(app.store).ok
    problem = verify(app.store, checkpoint).problem
    assert problem is not None
    assert problem.kind == "truncated"
    assert problem.position == keep
    assert f"covers {len(rows)} events up to position {rows[-1].position}" in problem.detail
    assert "2 events at the tail were removed" in problem.detail


def test_rewritten_and_rechained_history_fails_against_checkpoint(
    app: Credtrail, history: dict[str, str], reader: LogReader
) -> None:
    """An attacker who edits an event and recomputes every later hash and head (in a store
    without a key) passes the chain, but not a checkpoint taken before the rewrite."""
    checkpoint = make_checkpoint(app.store)
    target = first_earned(app)
    forged = target.state.replace(b'"units":"2"', b'"units":"20"')
    tamper(
        reader,
        f"UPDATE {reader.events} SET state = ? WHERE {reader.id_column} = ?",
        (forged, target.position),
    )
    rechain(app, reader)
    assert verify(app.store).ok
    problem = verify(app.store, checkpoint).problem
    assert problem is not None
    assert problem.kind == "checkpoint-mismatch"
    assert problem.position == checkpoint.position


def test_log_that_grew_after_the_checkpoint_still_verifies(
    app: Credtrail, history: dict[str, str]
) -> None:
    """New events after a checkpoint are fine: the prefix it covers is unchanged."""
    checkpoint = make_checkpoint(app.store)
    app.add_clinician("dr-new", "physician")
    report = verify(app.store, checkpoint)
    assert report.ok, report.problem
    assert report.events == checkpoint.events + 1


def test_checkpoint_round_trips_through_json_and_rejects_garbage(
    app: Credtrail, history: dict[str, str]
) -> None:
    """A checkpoint file reads back equal; a malformed one is a clear AuditError."""
    checkpoint = make_checkpoint(app.store)
    assert Checkpoint.from_json(checkpoint.to_json()) == checkpoint
    assert checkpoint.created_at.tzinfo is not None
    assert checkpoint.created_at <= datetime.now(tz=UTC)
    with pytest.raises(AuditError, match="head: String should match"):
        Checkpoint.from_json(checkpoint.to_json().replace(checkpoint.head, "xyz"))


def test_removed_and_rechained_event_fails_against_checkpoint(
    app: Credtrail, history: dict[str, str], reader: LogReader
) -> None:
    """Deleting a middle event with its log row and recomputing the chain keeps the last
    position: not truncation, but a log before the checkpoint that was rewritten."""
    checkpoint = make_checkpoint(app.store)
    target = events(app)[3]
    tamper(reader, f"DELETE FROM {reader.events} WHERE {reader.id_column} = ?", (target.position,))
    tamper(reader, f"DELETE FROM {reader.log} WHERE notification_id = ?", (target.position,))
    rechain(app, reader)
    assert verify(app.store).ok
    problem = verify(app.store, checkpoint).problem
    assert problem is not None
    assert (problem.kind, problem.position) == ("checkpoint-mismatch", checkpoint.position)
    assert f"after {checkpoint.events - 1} events" in problem.detail


def test_forged_event_hidden_below_the_first_position_is_caught(
    app: Credtrail, history: dict[str, str], reader: LogReader
) -> None:
    """An event slipped in at position 0 (which the library would still apply to the
    clinician's ledger) is found: verification starts at the lowest position present."""
    template = first_earned(app)
    forged_version = app.ledger("dr-lee").version + 1
    stream = UUID(LEE) if reader.postgres else LEE
    tamper(
        reader,
        f"INSERT INTO {reader.events} ({reader.id_column}, originator_id, originator_version, "
        "topic, state) VALUES (?, ?, ?, ?, ?)",
        (0, stream, forged_version, template.topic, template.state),
    )
    problem = verify(app.store).problem
    assert problem is not None
    assert (problem.kind, problem.position) == ("event-missing-from-log", 0)
    assert (problem.stream, problem.version) == (LEE, forged_version)
