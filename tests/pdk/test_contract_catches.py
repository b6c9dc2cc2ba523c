"""The contract in credtrail.core.testing catches the defects it promises to catch.

Each test runs one contract test against a plugin broken in one way and expects it to
fail; a well-behaved plugin passes every contract test (the positive control).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from credtrail.core import CreditDraft, CreditType, Equivalence, Registry, Violation, hookimpl
from credtrail.core.errors import PluginError, RuleError
from credtrail.core.testing import PluginContract
from credtrail.core.testing.properties import PluginProperties

from .misbehaving import OPTOMETRY_TYPE, SOURCE, Optometry, OptometryBoard, requirement

GOLDEN = Path(__file__).parent / "golden" / "optometry.toml"


def contract(plugin: object, golden: Path = GOLDEN, *extra: tuple[str, object]) -> PluginContract:
    """An instance of a fresh PluginContract subclass for ``plugin``."""
    cls = type(
        "Contract",
        (PluginContract, PluginProperties),
        {
            "plugin": plugin,
            "plugin_name": "subject",
            "golden_scenarios": golden,
            "companions": list(extra),
            "bad_draft_examples": 30,
        },
    )
    return cls()  # type: ignore[no-any-return]


class RaisesOnBigCredits(Optometry):
    @hookimpl
    def credtrail_validate_credit(self, credit: CreditDraft, registry: Registry) -> list[Violation]:
        if credit.units > 10:
            raise ValueError("cannot handle big credits")
        return []


class JudgesEverything(Optometry):
    @hookimpl
    def credtrail_validate_credit(self, credit: CreditDraft, registry: Registry) -> list[Violation]:
        return [Violation(field="units", rule="no", message="no credit is good enough")]


class InflatingEquivalences(Optometry):
    @hookimpl
    def credtrail_register_credit_types(self, register: Callable[[CreditType], None]) -> None:
        register(OPTOMETRY_TYPE)
        register(OPTOMETRY_TYPE.model_copy(update={"code": "cope_live"}))

    @hookimpl
    def credtrail_register_equivalences(self, register: Callable[[Equivalence], None]) -> None:
        register(Equivalence(from_type="cope_hour", to_type="cope_live", source=SOURCE))
        register(
            Equivalence(from_type="cope_live", to_type="cope_hour", ratio=Decimal(2), source=SOURCE)
        )


class Uncited(Optometry):
    @hookimpl
    def credtrail_register_credit_types(self, register: Callable[[CreditType], None]) -> None:
        vague = SOURCE.model_copy(update={"section": None, "url": None})
        register(OPTOMETRY_TYPE.model_copy(update={"source": vague}))


class UnknownRuleKind(Optometry):
    @hookimpl
    def credtrail_register_requirements(self, register: Callable[[Any], None]) -> None:
        register(
            requirement(
                professions=["optometrist"],
                cycle={"kind": "license", "period_months": 24},
                total={"units": 20},
                custom=[{"id": "weird", "kind": "no-such-kind"}],
            )
        )


def test_well_behaved_plugin_passes_every_contract_test(tmp_path: Path) -> None:
    """The positive control: every contract test passes for a correct plugin."""
    subject = contract(Optometry())
    names = [n for n in dir(subject) if n.startswith("test_")]
    assert len(names) >= 9
    for name in names:
        method = getattr(subject, name)
        if "tmp_path" in method.__code__.co_varnames:
            method(tmp_path)
        else:
            method()


def test_raising_validation_is_caught() -> None:
    """Hypothesis finds the credits that make a validation hook raise."""
    with pytest.raises(PluginError, match="cannot handle big credits"):
        contract(RaisesOnBigCredits()).test_validation_never_raises_on_bad_credits()


def test_judging_foreign_credit_is_caught() -> None:
    """A hook that rejects credit it does not own fails the contract."""
    with pytest.raises(AssertionError, match="judged a contract_probe_credit credit"):
        contract(JudgesEverything()).test_ignores_other_plugins_credit()


def test_inflating_equivalence_cycle_is_caught() -> None:
    """A cycle of equivalences whose ratios multiply to 2 fails the contract."""
    with pytest.raises(AssertionError, match="multiplies credit by 2"):
        contract(InflatingEquivalences()).test_equivalences_are_consistent()


def test_uncited_credit_type_is_caught() -> None:
    """A credit type citing neither a section nor a url fails the contract."""
    with pytest.raises(AssertionError, match="cite a section or a url"):
        contract(Uncited()).test_credit_types_are_well_formed()


def test_requirement_with_unknown_rule_kind_is_caught() -> None:
    """A requirement naming a rule kind no plugin registered fails the contract."""
    with pytest.raises(RuleError, match="rule kind 'no-such-kind' is not registered"):
        contract(
            UnknownRuleKind(), GOLDEN, ("board", OptometryBoard())
        ).test_requirements_load_and_cite_a_source()


def test_wrong_golden_expectation_is_caught(tmp_path: Path) -> None:
    """A golden scenario whose expected outcome is wrong fails, naming the scenario."""
    wrong = tmp_path / "golden.toml"
    wrong.write_text(GOLDEN.read_text().replace('expect = ["cope-max-20"]', ""))
    with pytest.raises(AssertionError, match="scenario cope-half-hours-up-to-twenty"):
        contract(Optometry(), wrong).test_golden_scenarios_pass(tmp_path)


def test_missing_golden_file_is_caught(tmp_path: Path) -> None:
    """A plugin that declares no golden scenarios fails and is told how to declare them."""
    with pytest.raises(AssertionError, match="no golden scenarios at"):
        contract(Optometry(), tmp_path / "none.toml").test_golden_scenarios_pass(tmp_path)
