"""Random rows: a file with any bad record leaves the store exactly as it was."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pluggy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrail.core.application import Credtrail
from credtrail.core.exchange import import_file

from .conftest import CSV_HEADER, log_length

VALID = {
    "clinician_id": st.sampled_from(["dr-a", "dr-b"]),
    "profession": st.just("physician"),
    "name": st.just("Doc"),
    "npi": st.just(""),
    "credit_type": st.just("ama_pra_1"),
    "units": st.sampled_from(["0.25", "1", "1.5", "2.75"]),
    "completed_on": st.sampled_from(["2025-01-01", "2025-02-15", "2024-12-31"]),
    "provider": st.sampled_from(["Mayo Clinic", "Cleveland"]),
    "accreditor": st.sampled_from(["ACCME", "JA"]),
    "activity_id": st.text("ABC123", min_size=1, max_size=4),
    "title": st.text(max_size=10),
    "topics": st.just(""),
    "format": st.just(""),
    "designated_units": st.just(""),
}
NOISE = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["-1", "0", "1.00001", "1e9", "NaN", "2025-13-01", "XYZ", "ama_pra_9", ""]),
)


@st.composite
def rows(draw: st.DrawFn) -> list[str]:
    row = [draw(VALID[c]) for c in CSV_HEADER.split(",")]
    if draw(st.booleans()):
        # Corrupt one field with noise: the row may or may not stay valid.
        index = draw(st.integers(0, len(row) - 1))
        row[index] = draw(NOISE)
    return row


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(rows(), min_size=1, max_size=8))
def test_rejected_file_leaves_the_store_unchanged(
    pm: pluggy.PluginManager, table: list[list[str]]
) -> None:
    """Whatever the rows, either the whole file is written or the store is unchanged."""
    with tempfile.TemporaryDirectory() as folder:
        app = Credtrail.open(str(Path(folder) / "fuzz.db"), pm, create=True)
        try:
            app.add_clinician("dr-a", "physician", name="Doc")
            before = log_length(app)
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(CSV_HEADER.split(","))
            writer.writerows(table)
            path = Path(folder) / "random.csv"
            path.write_text(text.getvalue(), encoding="utf-8")
            summary = import_file(app, path, "csv")
            if summary.rejected:
                assert log_length(app) == before
                assert summary.written == 0
                assert summary.errors
            else:
                assert summary.written + summary.skipped == summary.read
                assert log_length(app) >= before + summary.written
        finally:
            app.close()
