"""requirement list --stale and requirement coverage: which rules are old, which are missing."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from credtrail.cli.main import cli
from credtrail.plugins import DEFAULT_PLUGINS

Run = Callable[..., Result]


@pytest.fixture
def run(sqlite_url: str) -> Run:
    """credtrail on a fresh, initialised SQLite store with the built-in plugins."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(
            cli,
            ["--store", sqlite_url, "--plugins", ",".join(DEFAULT_PLUGINS), *args],
            catch_exceptions=False,
        )

    assert invoke("init").exit_code == 0
    return invoke


def test_stale_lists_rules_read_more_than_the_months_before_the_day(run: Run) -> None:
    """Sources read 2026-11-23 are stale a year after 2026-12-01; the DEA rule read 12-07 is not."""
    result = run("requirement", "list", "--stale", "12", "--on", "2027-12-01", "--json")
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.output)}
    assert "us-tx-physician" in rows
    assert rows["us-tx-physician"]["date_read"] == "2026-11-23"
    assert "us-dea-mate" not in rows


def test_nothing_is_stale_within_the_months(run: Run) -> None:
    """On 2027-01-01 nothing was read more than 12 months earlier: an explicit message."""
    result = run("requirement", "list", "--stale", "12", "--on", "2027-01-01")
    assert result.exit_code == 0
    assert result.output.startswith("No requirement cites a source read more than 12 months")


def test_list_shows_when_each_rule_was_read(run: Run) -> None:
    """The plain list has a read column with the oldest date a cited source was read."""
    result = run("requirement", "list")
    header = result.output.splitlines()[0].split()
    assert header[:5] == ["id", "authority", "version", "effective", "read"]


@pytest.mark.parametrize("value", ["0", "-3", "twelve", "1.5"])
def test_bad_stale_value_is_a_clear_error(run: Run, value: str) -> None:
    """--stale takes whole months >= 1; anything else exits 1 saying so."""
    result = run("requirement", "list", "--stale", value)
    assert result.exit_code == 1
    assert "--stale takes a whole number of months" in result.output


def test_coverage_has_a_row_per_jurisdiction_and_profession(run: Run) -> None:
    """Federal + 50 states + DC, times physician/nurse/pa; gaps say 'not encoded'."""
    rows = json.loads(run("requirement", "coverage", "--json").output)
    assert len(rows) == 52 * 3
    cell = {(r["jurisdiction"], r["profession"]): r for r in rows}
    assert cell[("US-TX", "physician")]["requirements"] == ["us-tx-physician"]
    assert cell[("US-TX", "physician")]["date_read"] == "2026-11-23"
    assert cell[("US", "pa")]["requirements"] == ["nccpa-cme", "us-dea-mate"]
    assert cell[("US", "physician")]["confidence"] == "unconfirmed"  # AMA PRA Cat 1 share
    text = run("requirement", "coverage").output
    lines = [line.split()[:4] for line in text.splitlines()]
    for gap in (r for r in rows if not r["requirements"]):
        assert [gap["jurisdiction"], gap["profession"], "not", "encoded"] in lines


def test_coverage_filters_and_missing_only(run: Run) -> None:
    """--profession, --jurisdiction and --missing narrow the rows."""
    nurses = json.loads(run("requirement", "coverage", "--profession", "nurse", "--json").output)
    assert nurses
    assert all(r["profession"] == "nurse" for r in nurses)
    rows = json.loads(
        run("requirement", "coverage", "--profession", "nurse", "--missing", "--json").output
    )
    assert rows == [r for r in nurses if not r["encoded"]]
    one = json.loads(run("requirement", "coverage", "--jurisdiction", "us-ca", "--json").output)
    assert [(r["profession"], r["requirements"]) for r in one] == [
        ("physician", ["us-ca-physician"]),
        ("nurse", ["us-ca-nurse"]),
        ("pa", ["us-ca-pa"]),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--jurisdiction", "Texas"], "unknown jurisdiction 'TEXAS'"),
        (["--profession", "dentist"], "unknown profession 'dentist'"),
    ],
)
def test_coverage_bad_filter_is_a_clear_error(run: Run, args: list[str], message: str) -> None:
    """An unknown jurisdiction or profession exits 1 naming what is accepted."""
    result = run("requirement", "coverage", *args)
    assert result.exit_code == 1
    assert message in result.output
