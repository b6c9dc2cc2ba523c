"""Checking a requirement version against what the installed plugins registered."""

from __future__ import annotations

from credtrail.core.errors import RuleError
from credtrail.core.registry import Registry
from credtrail.core.rules.kinds import RuleKindEvaluator
from credtrail.core.rules.model import RequirementVersion


def check_requirement(version: RequirementVersion, registry: Registry) -> None:
    """Every code the version names is registered, and custom rules' params are valid.

    :raises RuleError: listing every problem, each with what is registered instead.
    """
    problems: list[str] = []
    if version.authority not in registry.authorities:
        problems.append(f"authority {version.authority!r} is not registered")
    # A requirement of several professions (DEA) needs only one of them loaded.
    if not any(p in registry.professions for p in version.professions):
        problems.extend(f"profession {p!r} is not registered" for p in version.professions)
    named = {("credit_types", t) for t in version.credit_types}
    for where, selectors in (
        ("parts", version.parts),
        ("caps", version.caps),
        ("weights", version.weights),
        ("repeat_limits", version.repeat_limits),
    ):
        for s in selectors:
            named.update((f"{where}.{s.id}.types", t) for t in s.types)
    for where, code in sorted(named):
        if code not in registry.credit_types:
            problems.append(f"{where}: credit type {code!r} is not registered")
    for rule in version.custom:
        evaluator = registry.rule_kinds.get(rule.kind)
        if evaluator is None:
            problems.append(f"custom.{rule.id}: rule kind {rule.kind!r} is not registered")
        elif not isinstance(evaluator, RuleKindEvaluator):
            problems.append(f"custom.{rule.id}: the {rule.kind!r} evaluator lacks check/adjust")
        else:
            try:
                evaluator.check(rule.params)
            except ValueError as exc:
                problems.append(f"custom.{rule.id}.params: {exc}")
    if problems:
        raise RuleError(
            f"requirement {version.label()} does not fit the plugins: " + "; ".join(problems)
        )
