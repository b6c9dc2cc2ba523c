"""A misbehaving plugin is reported with its name and hook, and never corrupts the store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.errors import (
    CreditRejectedError,
    DuplicateRegistrationError,
    PluginError,
)
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.registry import Registry, build_registry

from .misbehaving import (
    MisspelledHook,
    Optometry,
    OptometryBoard,
    RaisesOnRegister,
    RegistersGarbage,
    RegistersProfessionWithTwoArguments,
    RegistersRequirement,
    RegistersRuleKindWithoutEvaluator,
    RegistersTwice,
    ValidationReturns,
    WrongArgumentName,
    requirement,
)


def registry_of(*plugins: tuple[str, object]) -> Registry:
    return build_registry(build_plugin_manager(extra=plugins, load_entrypoints=False))


def test_well_behaved_plugin_registers() -> None:
    """The reference plugin registers cleanly and its codes are attributed to it."""
    registry = registry_of(("optometry", Optometry()))
    assert registry.credit_type_owner("cope_hour") == "optometry"
    assert registry.owner("accreditor", "ARBO") == "optometry"


def test_raising_registration_hook_names_plugin_and_hook() -> None:
    """An exception in a registration hook becomes a PluginError naming both."""
    with pytest.raises(PluginError) as caught:
        registry_of(("optometry", Optometry()), ("broken", RaisesOnRegister()))
    assert str(caught.value) == (
        "plugin 'broken' (credtrail_register_credit_types): raised RuntimeError: data file missing"
    )
    assert isinstance(caught.value.__cause__, RuntimeError)


@pytest.mark.parametrize(
    ("garbage", "problem"),
    [
        ("cope_hour", "registered str, expected CreditType"),
        (42, "registered int, expected CreditType"),
        (
            {"code": "Bad Code", "label": "x"},
            "invalid registration: code: String should match pattern '^[a-z][a-z0-9_]*$'",
        ),
    ],
)
def test_registering_garbage_is_reported(garbage: object, problem: str) -> None:
    """Objects of the wrong type or invalid mappings are refused, naming the plugin."""
    with pytest.raises(PluginError) as caught:
        registry_of(("garbage", RegistersGarbage(garbage)))
    assert caught.value.plugin == "garbage"
    assert caught.value.hook == "credtrail_register_credit_types"
    assert caught.value.problem.startswith(problem)


def test_duplicate_credit_type_names_both_plugins() -> None:
    """A credit type registered by two plugins is an error naming both of them."""
    with pytest.raises(DuplicateRegistrationError) as caught:
        registry_of(("optometry", Optometry()), ("copycat", RegistersTwice()))
    assert str(caught.value) == (
        "plugin 'copycat' (credtrail_register_credit_types): "
        "credit type 'cope_hour' is already registered by plugin 'optometry'"
    )


def test_extra_register_argument_is_refused() -> None:
    """register() of a profession with a second argument is a contract error, not ignored."""
    with pytest.raises(PluginError, match="register\\(\\) takes one profession"):
        registry_of(("two", RegistersProfessionWithTwoArguments()))


def test_rule_kind_without_evaluator_is_refused() -> None:
    """A rule kind must come with its evaluator."""
    with pytest.raises(PluginError) as caught:
        registry_of(("kinds", RegistersRuleKindWithoutEvaluator()))
    assert caught.value.hook == "credtrail_register_rule_kinds"


def test_credit_type_naming_unknown_profession_blames_owner() -> None:
    """A credit type naming a profession nobody registered blames the plugin that named it."""
    with pytest.raises(PluginError) as caught:
        registry_of(("copycat", RegistersTwice()))
    assert caught.value.plugin == "copycat"
    assert "names unknown profession 'optometrist'" in caught.value.problem


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (["not", "a", "mapping"], "a requirement document must be a mapping with an 'id'"),
        ({"authority": "XX-BOO"}, "a requirement document must be a mapping with an 'id'"),
        (requirement(source=None), "requirement 'xx-optometry': requirement document is invalid"),
        (requirement(id="Not An Id"), "requirement 'Not An Id': requirement document"),
    ],
)
def test_malformed_requirement_is_blamed_on_its_plugin(document: Any, problem: str) -> None:
    """A requirement document without a valid header is refused at registration."""
    with pytest.raises(PluginError) as caught:
        registry_of(("rules", RegistersRequirement(document)))
    assert caught.value.plugin == "rules"
    assert caught.value.hook == "credtrail_register_requirements"
    assert caught.value.problem.startswith(problem)


def test_plugin_cannot_change_a_registered_requirement() -> None:
    """The registry keeps its own copy: mutating the plugin's dict later changes nothing."""
    plugin = RegistersRequirement(requirement(total={"hours": 30}))
    registry = registry_of(("optometry", Optometry()), ("board", OptometryBoard()), ("r", plugin))
    plugin.document["total"]["hours"] = 3
    plugin.document["version"] = "hacked"
    assert registry.requirements["xx-optometry@2025"]["total"] == {"hours": 30}
    assert registry.requirements["xx-optometry@2025"]["version"] == "2025"


def test_wrong_hook_argument_is_reported_at_registration() -> None:
    """A hookimpl whose arguments the spec lacks is refused when the plugin is registered."""
    with pytest.raises(PluginError) as caught:
        build_plugin_manager(extra=[("wrongarg", WrongArgumentName())], load_entrypoints=False)
    assert caught.value.plugin == "wrongarg"
    assert caught.value.hook == "register"
    assert "draft" in caught.value.problem


def test_misspelled_hook_fails_loudly() -> None:
    """A hook name with no spec (a typo) fails at start-up instead of never being called."""
    with pytest.raises(PluginError) as caught:
        build_plugin_manager(extra=[("typo", MisspelledHook())], load_entrypoints=False)
    assert caught.value.plugin == "typo"
    assert caught.value.hook == "check_pending"
    assert "credtrail_register_credit_type" in caught.value.problem


# -- validation: garbage and exceptions never reach the store -----------------------------


@pytest.fixture
def app_with(tmp_path: Path) -> Iterator[Any]:
    apps: list[Credtrail] = []

    def make(validator: object) -> Credtrail:
        pm = build_plugin_manager(
            extra=[("optometry", Optometry()), ("validator", validator)], load_entrypoints=False
        )
        app = Credtrail.open(str(tmp_path / f"iso{len(apps)}.db"), pm, create=True)
        apps.append(app)
        app.add_clinician("od-1", "optometrist")
        return app

    yield make
    for app in apps:
        app.close()


def request(activity: str = "cope-1", units: str = "2") -> EarnRequest:
    return EarnRequest(
        clinician_id="od-1",
        credit_type="cope_hour",
        units=Decimal(units),
        completed_on=date(2025, 5, 1),
        provider="Vision CE",
        accreditor="ARBO",
        activity_id=activity,
    )


def log_length(app: Credtrail) -> int:
    return len(app.store.recorder.select_notifications(start=1, limit=10_000))


@pytest.mark.parametrize(
    ("result", "problem"),
    [
        (RuntimeError("boom"), "raised RuntimeError: boom"),
        ("no violations", "returned str, expected a list"),
        ({"field": "units"}, "returned dict, expected a list"),
        ([42], "returned a int, not a Violation"),
        ([{"field": "units"}], "invalid registration: rule: Field required"),
    ],
)
def test_bad_validation_hook_writes_nothing(app_with: Any, result: object, problem: str) -> None:
    """A raising or garbage-returning validation hook is a PluginError and nothing is written."""
    app = app_with(ValidationReturns(result))
    before = log_length(app)
    with pytest.raises(PluginError) as caught:
        app.earn(request())
    assert caught.value.plugin == "validator"
    assert caught.value.hook == "credtrail_validate_credit"
    assert caught.value.problem.startswith(problem)
    assert log_length(app) == before
    assert app.transcript("od-1").credits == []


def test_failing_hook_in_a_batch_writes_none_of_it(app_with: Any) -> None:
    """earn_many stops at the hook's failure and records none of the earlier, valid credits."""
    app = app_with(ValidationReturns(RuntimeError("boom")))
    before = log_length(app)
    with pytest.raises(PluginError):
        app.earn_many([request("cope-1"), request("cope-2")])
    assert log_length(app) == before


def test_violation_as_mapping_is_accepted(app_with: Any) -> None:
    """A hook may return violations as mappings; they are validated into Violations."""
    violation = {"field": "title", "rule": "needs-title", "message": "add a title"}
    app = app_with(ValidationReturns([violation]))
    with pytest.raises(CreditRejectedError) as caught:
        app.earn(request())
    assert [v.rule for v in caught.value.violations] == ["needs-title"]


def test_valid_credit_is_recorded_through_the_hooks(app_with: Any) -> None:
    """With a well-behaved validator returning None, the credit is recorded."""
    app = app_with(ValidationReturns(None))
    app.earn(request())
    assert [c.activity for c in app.transcript("od-1").credits] == ["cope-1"]
    with pytest.raises(CreditRejectedError, match="cope-max-20"):
        app.earn(request("cope-2", units="21"))
