"""The rule format: documents load, bad ones are rejected naming the field."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from credtrail.core.errors import RuleError
from credtrail.core.rules import load_requirement, read_requirement_file
from credtrail.core.rules.model import LicenseCycle

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def _docs_example() -> str:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(r"## A complete example\s+```toml\n(.*?)```", text, re.S)
    assert match, "docs/rules.md lost its complete example"
    return match.group(1)


def test_docs_example_loads(tmp_path: Path) -> None:
    """The complete example in docs/rules.md is a valid requirement document."""
    path = tmp_path / "example.toml"
    path.write_text(_docs_example(), encoding="utf-8")
    version = load_requirement(read_requirement_file(path))
    assert version.id == "us-tx-physician"
    assert isinstance(version.cycle, LicenseCycle)
    assert version.total is not None
    assert version.total.units == Decimal(48)
    assert [p.id for p in version.parts] == ["formal", "ethics", "human-trafficking", "opioid"]
    assert version.carry_over is not None
    assert version.carry_over.max_units == Decimal(48)
    assert version.grace.days == 30


def test_read_keeps_toml_floats_exact(tmp_path: Path) -> None:
    """TOML floats are read as exact decimal strings, never binary floats."""
    doc = tomllib.loads(_docs_example())
    path = tmp_path / "x.toml"
    path.write_text(_docs_example().replace("max_units = 24 ", "max_units = 0.1 "), "utf-8")
    data = read_requirement_file(path)
    assert data["caps"][0]["max_units"] == "0.1"
    assert data["effective_from"] == "2020-01-01"
    assert doc["id"] == data["id"]


def _minimal(**changes: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "id": "us-xx-physician",
        "authority": "XX-MB",
        "professions": ["physician"],
        "version": "1",
        "effective_from": "2024-01-01",
        "source": {"authority": "XX-MB", "document": "Rule 1", "date_read": "2026-11-23"},
        "cycle": {"kind": "fixed", "anchor": "2023-01-01", "length_months": 24},
        "total": {"units": 50},
    }
    doc.update(changes)
    return doc


def test_error_names_the_field_path() -> None:
    """A bad field is reported by its path inside the document."""
    doc = _minimal(parts=[{"id": "ethics", "units": 2}, {"id": "pain", "units": "-1"}])
    with pytest.raises(RuleError, match=r"parts\.1\.units: Input should be greater than 0"):
        load_requirement(doc)


def test_unknown_field_is_rejected() -> None:
    """A misspelled key is an error, not silently ignored."""
    with pytest.raises(RuleError, match=r"totl: Extra inputs are not permitted"):
        load_requirement(_minimal(totl={"units": 1}))


def test_cap_must_target_known_parts() -> None:
    """A cap naming a part that does not exist is rejected with the known names."""
    doc = _minimal(caps=[{"id": "c", "applies_to": ["ethic"], "max_units": 1}])
    with pytest.raises(RuleError, match=r"unknown part.*ethic.*known: total"):
        load_requirement(doc)


def test_cycle_kind_is_checked() -> None:
    """An unknown cycle kind names the accepted kinds."""
    with pytest.raises(RuleError, match="cycle"):
        load_requirement(_minimal(cycle={"kind": "lunar"}))


def test_requirement_needs_something_required() -> None:
    """A document with neither a total nor parts is rejected."""
    doc = _minimal()
    del doc["total"]
    with pytest.raises(RuleError, match="needs a total"):
        load_requirement(doc)


def test_not_a_mapping() -> None:
    """A list instead of a table is rejected with a clear message."""
    with pytest.raises(RuleError, match="table/object"):
        load_requirement([1, 2])  # type: ignore[arg-type]
