"""The foundation commands as a user types them: exit codes and exact output."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from credtrail.cli.main import cli
from credtrail.core.plugins import CORE_PLUGINS
from credtrail.plugins import DEFAULT_PLUGINS

Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Invoke credtrail on a fresh store with only the built-in plugins loaded."""
    store = str(tmp_path / "cli.db")
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(
            cli,
            ["--store", store, "--plugins", ",".join(DEFAULT_PLUGINS), *args],
            catch_exceptions=False,
        )

    return invoke


@pytest.fixture
def physician(run: Run) -> Run:
    assert run("init").exit_code == 0
    result = run("clinician", "add", "md-1", "--profession", "physician", "--name", "Ada Lovelace")
    assert result.output == "Added physician md-1 (Ada Lovelace)\n"
    return run


def earn(run: Run, *extra: str) -> Result:
    return run(
        "credit",
        "earn",
        "md-1",
        "--type",
        "ama_pra_1",
        "--units",
        "1.5",
        "--date",
        "2025-03-01",
        "--provider",
        "Mercy Hospital CME",
        "--accreditor",
        "ACCME",
        "--activity",
        "MH-101",
        *extra,
    )


def test_commands_before_init_say_how_to_start(run: Run, tmp_path: Path) -> None:
    """No store yet: one clear line, exit 1, and no file created."""
    result = run("transcript", "md-1")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: no credtrail store at {tmp_path / 'cli.db'}; create it with 'credtrail init' "
        "(or pass --store / set CREDTRAIL_STORE)\n"
    )
    assert not (tmp_path / "cli.db").exists()


def test_earn_claim_revoke_and_transcript_round_trip(physician: Run) -> None:
    """The issue's scenario: record, claim toward AMA, revoke another, read it back."""
    first = earn(physician, "--json", "--topic", "ethics", "--title", "Ethics grand rounds")
    assert first.exit_code == 0
    credit_id = json.loads(first.output)["credit_id"]
    second = physician(
        "credit",
        "earn",
        "md-1",
        "--type",
        "ama_pra_2",
        "--units",
        "2",
        "--date",
        "2025-04-01",
        "--provider",
        "Self",
        "--activity",
        "journal-reading",
    )
    assert second.exit_code == 0, second.output
    other_id = second.output.strip()
    claimed = physician(
        "credit", "claim", "md-1", credit_id, "--authority", "AMA", "--date", "2025-05-01"
    )
    assert claimed.output == f"Claimed 1.5 of {credit_id} toward AMA\n"
    revoked = physician("credit", "revoke", "md-1", other_id, "--reason", "entered twice")
    assert revoked.output == f"Revoked {other_id}\n"

    data = json.loads(physician("transcript", "md-1", "--json").output)
    assert data["clinician_id"] == "md-1"
    assert data["totals"] == {"ama_pra_1": "1.5"}
    by_id = {c["credit_id"]: c for c in data["credits"]}
    assert by_id[credit_id] == {
        "credit_id": credit_id,
        "type": "ama_pra_1",
        "units": "1.5",
        "date": "2025-03-01",
        "accreditor": "ACCME",
        "provider": "Mercy Hospital CME",
        "activity": "MH-101",
        "title": "Ethics grand rounds",
        "topics": ["ethics"],
        "format": None,
        "revoked": False,
        "revoked_reason": None,
        "claimed": {"AMA": "1.5"},
        "amendments": [],
        "certificates": [],
    }
    assert by_id[other_id]["revoked"] is True
    assert by_id[other_id]["revoked_reason"] == "entered twice"

    text = physician("transcript", "md-1").output
    assert text.startswith("Transcript of md-1 (Ada Lovelace), physician\n")
    assert "REVOKED: entered twice" in text
    assert text.endswith("Totals (unrevoked): ama_pra_1 1.5\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--type", "ama_pra_9"],
            "Error: credit rejected: type: unknown credit type 'ama_pra_9'; did you mean ",
        ),
        (
            ["--accreditor", "ANCC"],
            "Error: credit rejected: accreditor: ANCC providers cannot award AMA PRA Category 1",
        ),
        (
            ["--accreditor", "XYZ"],
            "Error: credit rejected: accreditor: unknown accreditor 'XYZ'; known: ",
        ),
        (
            ["--units", "1.3"],
            "Error: credit rejected: units: 1.3 is not a multiple of 0.25 credit",
        ),
    ],
)
def test_rejected_credit_names_field_and_rule_and_writes_nothing(
    physician: Run, args: list[str], message: str
) -> None:
    """Bad type, accreditor or increment: exit 1, the field and rule, nothing written."""
    base = {
        "--type": "ama_pra_1",
        "--units": "1.5",
        "--date": "2025-03-01",
        "--provider": "Mercy",
        "--accreditor": "ACCME",
        "--activity": "A1",
    }
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [x for pair in base.items() for x in pair]
    result = physician("credit", "earn", "md-1", *flat)
    assert result.exit_code == 1
    assert result.output.startswith(message), result.output
    assert json.loads(physician("transcript", "md-1", "--json").output)["credits"] == []


def test_malformed_values_are_input_errors_naming_the_option(physician: Run) -> None:
    """A bad date or unit count is the user's input error (exit 1, one line naming the
    option), checked by the rule the application reads values by, not a traceback."""
    result = earn(physician, "--date", "2025-02-30")
    assert result.exit_code == 1
    assert result.output == (
        "Error: --date: '2025-02-30' is not a date; use YYYY-MM-DD, e.g. 2025-03-31\n"
    )
    result = earn(physician, "--units", "-1")
    assert result.exit_code == 1
    assert result.output == "Error: --units: -1 must be a positive number of units\n"


def test_future_dates_are_refused_for_earn_claim_and_revoke(physician: Run) -> None:
    """Credit is recorded once it happened: a date after today is an input error, no write."""
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    result = earn(physician, "--date", tomorrow)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: --date: {tomorrow} is in the future")
    assert json.loads(physician("transcript", "md-1", "--json").output)["credits"] == []
    credit_id = json.loads(earn(physician, "--json").output)["credit_id"]
    for command in (
        ["claim", "md-1", credit_id, "--authority", "AMA"],
        ["revoke", "md-1", credit_id, "--reason", "duplicate"],
    ):
        result = physician("credit", *command, "--date", tomorrow)
        assert result.exit_code == 1, command
        assert "is in the future" in result.output
    (credit,) = json.loads(physician("transcript", "md-1", "--json").output)["credits"]
    assert credit["claimed"] == {}
    assert credit["revoked"] is False
    # Today itself is fine.
    today = date.today().isoformat()
    claimed = physician("credit", "claim", "md-1", credit_id, "--authority", "AMA", "--date", today)
    assert claimed.exit_code == 0, claimed.output


def test_category_2_needs_no_accreditor_but_category_1_does(physician: Run) -> None:
    """--accreditor is required only where the credit type needs one."""
    result = physician(
        "credit",
        "earn",
        "md-1",
        "--type",
        "ama_pra_1",
        "--units",
        "1",
        "--date",
        "2025-03-01",
        "--provider",
        "Mercy",
        "--activity",
        "A2",
    )
    assert result.exit_code == 1
    assert "accreditor: AMA PRA Category 1" in result.output
    assert "must come from an accredited provider" in result.output


def test_over_claim_is_refused_with_what_is_left(physician: Run) -> None:
    """A claim can never exceed the unclaimed units for that authority."""
    credit_id = earn(physician).output.strip()
    assert (
        physician(
            "credit", "claim", "md-1", credit_id, "--authority", "CA-MBC", "--units", "1"
        ).exit_code
        == 0
    )
    result = physician(
        "credit", "claim", "md-1", credit_id, "--authority", "CA-MBC", "--units", "1"
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: units: cannot claim 1 of credit {credit_id!r} toward CA-MBC: 0.5 of its 1.5 "
        "units are unclaimed for CA-MBC [claim-within-earned]\n"
    )


def test_unknown_authority_lists_the_known_ones(physician: Run) -> None:
    """A typo in --authority is named; `credtrail authorities` lists the codes."""
    credit_id = earn(physician).output.strip()
    result = physician("credit", "claim", "md-1", credit_id, "--authority", "CA-MBX")
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown authority 'CA-MBX'; did you mean 'CA-MBC'")
    assert "known: credtrail authorities)" in result.output
    codes = [a["code"] for a in json.loads(physician("authorities", "--json").output)]
    assert {"AMA", "NCCPA", "ANCC", "AANP", "CA-MBC"} <= set(codes)


def test_duplicate_earn_names_the_existing_credit(physician: Run) -> None:
    """Typing the same earn twice does not double the credit."""
    credit_id = earn(physician).output.strip()
    result = earn(physician)
    assert result.exit_code == 1
    assert (
        f"already has this credit (same provider, activity, date and type) as {credit_id!r}"
        in result.output
    )


def test_credit_types_json_lists_the_codes_users_type(physician: Run) -> None:
    """Every code named in the issue exists, with its profession and increment."""
    data = json.loads(physician("credit-types", "--json").output)
    codes = {t["code"]: t for t in data}
    for code in ("ama_pra_1", "ama_pra_2", "ancc_contact_hour", "aapa_1", "aapa_2"):
        assert code in codes
    assert codes["ama_pra_1"]["increment"] == "0.25"
    assert codes["ama_pra_2"]["requires_accreditor"] is False
    only_pa = json.loads(physician("credit-types", "--profession", "pa", "--json").output)
    assert {t["profession"] for t in only_pa} == {"pa"}
    bad = physician("credit-types", "--profession", "dentist")
    assert bad.exit_code == 1
    assert bad.output.startswith("Error: unknown profession 'dentist'; known: nurse, pa, physician")


def test_plugins_lists_builtins_with_versions_and_hooks(physician: Run) -> None:
    """`credtrail plugins` shows each plugin, its version and hooks."""
    data = json.loads(physician("plugins", "--json").output)
    assert [p["name"] for p in data] == sorted([*DEFAULT_PLUGINS, *CORE_PLUGINS])
    for plugin in data:
        assert plugin["builtin"] is True
        assert plugin["version"]
        assert (
            "credtrail_register_credit_types" in plugin["hooks"]
            or plugin["name"] != "physician_ama"
        )


def test_init_is_idempotent(physician: Run) -> None:
    """Running init again changes nothing and says so."""
    result = physician("init")
    assert result.exit_code == 0
    assert result.output.endswith("Recorded 0 new built-in requirement version(s).\n")


def test_unknown_clinician_tells_how_to_add_it(physician: Run) -> None:
    """A typo in the clinician id is named with the command that would create it."""
    result = physician("transcript", "md-2")
    assert result.exit_code == 1
    assert result.output == (
        "Error: unknown clinician 'md-2'; add it first with "
        "'credtrail clinician add md-2 --profession ...'\n"
    )


def test_transcript_of_a_profession_no_loaded_plugin_provides_is_kept_and_noted(
    tmp_path: Path,
) -> None:
    """Unloading a profession's plugin never hides its events: they show, with a note."""
    store = str(tmp_path / "cli.db")
    runner = CliRunner()
    everything = ["--store", store, "--plugins", ",".join(DEFAULT_PLUGINS)]
    assert runner.invoke(cli, [*everything, "init"]).exit_code == 0
    runner.invoke(cli, [*everything, "clinician", "add", "rn-1", "--profession", "nurse"])
    earned = runner.invoke(
        cli,
        [
            *everything,
            "credit",
            "earn",
            "rn-1",
            "--type",
            "ancc_contact_hour",
            "--units",
            "1.5",
            "--date",
            "2025-01-02",
            "--provider",
            "Nursing CE",
            "--accreditor",
            "ANCC",
            "--activity",
            "N1",
        ],
    )
    assert earned.exit_code == 0, earned.output
    result = runner.invoke(
        cli, ["--store", store, "--plugins", "physician_ama", "transcript", "rn-1", "--json"]
    )
    assert result.exit_code == 0
    assert result.stderr == (
        "Note: no loaded plugin provides profession 'nurse' (uninstalled, or not selected "
        "with --plugins); its 1 credit(s) are shown as recorded.\n"
    )
    assert json.loads(result.stdout)["totals"] == {"ancc_contact_hour": "1.5"}
