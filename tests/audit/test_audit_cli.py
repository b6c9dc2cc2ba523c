"""``credtrail audit ...`` as an auditor types it: exit codes and output, both backends."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from credtrail.cli.main import cli
from credtrail.core.application import Credtrail
from credtrail.core.audit.reader import LogReader
from credtrail.core.domain import clinician_uuid
from credtrail.plugins import DEFAULT_PLUGINS

from .conftest import events, rechain, record_history, tamper

Run = Callable[..., Result]
LEE = clinician_uuid("dr-lee").hex


def runner_for(store: str) -> Run:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--store", store, "--plugins", ",".join(DEFAULT_PLUGINS), *args])

    return invoke


@pytest.fixture
def run(app: Credtrail, store_url: str) -> Run:
    """The CLI on a store holding the two physicians' 2024–2026 history."""
    record_history(app)
    return runner_for(store_url)


def test_replay_as_of_shows_only_what_was_recorded_then(run: Run) -> None:
    """As of mid-2025: the revoked credit shows revoked, the late one is absent."""
    result = run("audit", "replay", "--as-of", "2025-06-30T12:00:00Z", "--clinician", "dr-lee")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "As of 2025-06-30T12:00:00+00:00 (recorded by then), judged on 2025-06-30:"
    assert lines[2] == "dr-lee (Dr. Ada Lee), physician"
    assert "REVOKED: provider withdrew the activity" in lines[6]
    assert lines[7] == "  totals: ama_pra_1 2"
    assert len(lines) == 8  # two credits: the late record is not there


def test_replay_json_and_diff_explain_the_change(run: Run) -> None:
    """--diff --json lists the late record and the revocation with their reasons."""
    result = run(
        "audit", "replay", "--as-of", "2024-12-31", "--clinician", "dr-lee", "--diff", "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (person,) = data["clinicians"]
    assert person["transcript"]["totals"] == {"ama_pra_1": "5"}
    assert [c["why"] for c in data["changes"]] == ["revocation", "late-record"]
    assert data["changes"][1]["valid_on"] == "2024-11-05"


def test_replay_of_everyone_before_anything_was_recorded(run: Run) -> None:
    """Before the first event: nobody, and a clear line saying so."""
    result = run("audit", "replay", "--as-of", "2020-01-01")
    assert result.exit_code == 0
    assert result.output.splitlines()[1] == "No clinician was recorded by then."


def test_replay_of_a_clinician_not_yet_recorded_is_a_user_error(run: Run) -> None:
    """Exit 1 with when they were first recorded; no traceback."""
    result = run("audit", "replay", "--as-of", "2023-06-30", "--clinician", "dr-lee")
    assert result.exit_code == 1
    assert result.output.startswith("Error: clinician 'dr-lee' was not recorded yet as of 2023")
    assert "Traceback" not in result.output


def test_checkpoint_then_verify_clean(run: Run, tmp_path: Path) -> None:
    """checkpoint -o writes a file; verify --checkpoint says the prefix is unchanged."""
    cp = tmp_path / "cp.json"
    made = run("audit", "checkpoint", "-o", str(cp))
    assert made.exit_code == 0, made.output
    assert made.output.startswith(f"Checkpoint of 9 events up to position 9 written to {cp}\n")
    checked = run("audit", "verify", "--checkpoint", str(cp))
    assert checked.exit_code == 0, checked.output
    lines = checked.output.splitlines()
    assert lines[0] == "OK: 9 events verified up to position 9"
    assert lines[3].startswith("the store has no key")
    assert lines[4].endswith("(9 events, position 9) is unchanged")


def test_verify_tampered_store_exits_1_naming_the_place(
    run: Run, app: Credtrail, store_url: str
) -> None:
    """Edited units: exit 1, one line naming position, stream, clinician, version."""
    reader = LogReader(app.store)
    target = next(e for e in events(app) if e.stream == LEE and e.topic.endswith("Earned"))
    tamper(
        reader,
        f"UPDATE {reader.events} SET state = ? WHERE {reader.id_column} = ?",
        (target.state.replace(b'"units":"2"', b'"units":"9"'), target.position),
    )
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: the log was altered: position {target.position}, stream {LEE} "
        "(clinician dr-lee), version 2 [credtrail:CreditEarned]: stored bytes changed: "
    )
    as_json = run("audit", "verify", "--json")
    assert as_json.exit_code == 1
    problem = json.loads(as_json.output)["problem"]
    assert (problem["kind"], problem["position"]) == ("stored-bytes-changed", target.position)


def test_truncation_is_reported_against_a_kept_checkpoint(
    run: Run, app: Credtrail, tmp_path: Path
) -> None:
    """The tail cut off (events, log rows, heads) passes alone, fails against the checkpoint."""
    cp = tmp_path / "cp.json"
    assert run("audit", "checkpoint", "-o", str(cp)).exit_code == 0
    reader = LogReader(app.store)
    tamper(reader, f"DELETE FROM {reader.events} WHERE {reader.id_column} > 7")
    tamper(reader, f"DELETE FROM {reader.log} WHERE notification_id > 7")
    rechain(app, reader)  # batch heads up to the new end, as a thorough attacker would
    assert run("audit", "verify").exit_code == 0
    result = run("audit", "verify", "--checkpoint", str(cp))
    assert result.exit_code == 1
    assert "position 7: truncated: the log ends at position 7 after 7 events" in result.output


def test_exported_bundle_verifies_without_the_store(run: Run, tmp_path: Path) -> None:
    """export, then verify --bundle against a store location that does not even exist."""
    out = tmp_path / "bundle"
    exported = run("audit", "export", "dr-lee", "--as-of", "2025-06-30", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    assert exported.output.startswith("Exported 6 events of dr-lee as of 2025-06-30T00:00:00+00:00")
    elsewhere = runner_for(str(tmp_path / "no-such-dir" / "none.db"))
    result = elsewhere("audit", "verify", "--bundle", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "transcript reproduced from the proven events",
        "standings reproduced by the rule engine: 0",
        "the bundle's checkpoint is not signed (the store had no key)",
        "not proven: that the exporter left out no event after the bundle's checkpoint "
        "(no checkpoint of yours given, no consistency proof in the bundle)",
    ]
    (out / "transcript.json").write_text("{}")
    broken = elsewhere("audit", "verify", "--bundle", str(out), "--json")
    assert broken.exit_code == 1
    assert "transcript.json was changed after export" in json.loads(broken.output)["problem"]


def test_malformed_checkpoint_file_is_a_user_error(run: Run, tmp_path: Path) -> None:
    """A checkpoint that is not one: exit 1 and how to make one."""
    bad = tmp_path / "cp.json"
    bad.write_text('{"format": "credtrail-checkpoint/1"}')
    result = run("audit", "verify", "--checkpoint", str(bad))
    assert result.exit_code == 1
    assert f"Error: {bad} is not a credtrail checkpoint (position: Field required)" in result.output
    assert "credtrail audit checkpoint -o FILE" in result.output


@pytest.fixture
def board_run(app: Credtrail, store_url: str) -> Run:
    """dr-lee licensed under test-board (v1 recorded 2024, v2 in March 2026)."""
    from credtrail.core.clock import frozen_at

    from .conftest import at
    from .test_compliance_asof import BOARD_V1, BOARD_V2

    with frozen_at(at("2024-01-05")):
        app.record_requirement(BOARD_V1)
    record_history(app, license_for="test-board")
    with frozen_at(at("2026-03-01")):
        app.record_requirement(BOARD_V2)
    return runner_for(store_url)


def test_replay_of_a_requirement_judges_its_licensees_with_rules_known_then(
    board_run: Run,
) -> None:
    """--requirement: versions known at T, the one in force, and each licensee's standing."""
    result = board_run(
        "audit",
        "replay",
        "--as-of",
        "2026-02-01",
        "--on",
        "2025-12-31",
        "--requirement",
        "test-board",
        "--diff",
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1] == "test-board: versions known v1; in force on 2025-12-31: v1"
    assert (
        "  test-board v1 (CA-MBC), cycle 2024-01-01 to 2025-12-31: compliant, 6 of 5  "
        "[credtrail tests, tests/audit (read 2026-11-23)]"
    ) in lines
    assert not any(line.startswith("dr-kim") for line in lines)  # not licensed under it
    assert any("rule-change" in line and "v2" in line for line in lines)
    later = board_run(
        "audit",
        "replay",
        "--as-of",
        "2026-06-30",
        "--on",
        "2025-12-31",
        "--requirement",
        "test-board",
        "--json",
    )
    data = json.loads(later.output)
    assert (data["requirement_id"], data["known_versions"], data["version_in_force"]) == (
        "test-board",
        ["v1", "v2"],
        "v2",
    )
    (standing,) = data["clinicians"][0]["standings"]
    assert standing["requirement_id"] == "test-board"
    assert "requirement" not in standing
    assert (standing["status"], standing["evaluation"]["missing"]) == (
        "in_progress",
        [{"part": "total", "units": "4"}],
    )


def test_checkpoint_into_a_missing_folder_is_a_user_error(run: Run, tmp_path: Path) -> None:
    """An unwritable -o path: exit 1 with the path and the reason, no traceback."""
    target = tmp_path / "no-such-folder" / "cp.json"
    result = run("audit", "checkpoint", "-o", str(target))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot write the checkpoint to {target}: No such file or directory\n"
    )
