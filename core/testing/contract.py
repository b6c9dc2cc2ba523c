"""``PluginContract``: the contract tests; golden scenarios (see ``credtrail.core.testing``)."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pluggy
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import to_jsonable_python

from credtrail.core.application import Credtrail
from credtrail.core.errors import CreditRejectedError, CredtrailError
from credtrail.core.hookspecs import hookimpl
from credtrail.core.models import (
    Citation,
    CreditDraft,
    CreditType,
    Equivalence,
    Profession,
    Violation,
)
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.profession import ProfessionPlugin
from credtrail.core.registry import Registry, _as_violations, build_registry, call_plugin
from credtrail.core.requests import EarnRequest, parse_requirement_header
from credtrail.core.rules import check_requirement, evaluate, load_requirement

__all__ = [
    "GoldenCredit",
    "GoldenLicense",
    "GoldenScenario",
    "GoldenStatus",
    "PluginContract",
    "load_golden_scenarios",
    "run_golden_scenario",
]

GOLDEN_FILE = "golden.toml"
"""Where a plugin's golden scenarios live by default: in a ``ProfessionPlugin``'s
folder, or beside a hook module."""

VALIDATE_HOOK = "credtrail_validate_credit"

# A profession no plugin knows, registered by the contract itself: a plugin must not
# judge credit of types it did not register (hookspec of credtrail_validate_credit).
_PROBE_NAME = "credtrail_contract_probe"
_PROBE_TYPE = "contract_probe_credit"
_PROBE_SOURCE = Citation(
    authority="credtrail", document="plugin contract probe", date_read=date(2026, 1, 1)
)


class _Probe:
    @hookimpl
    def credtrail_register_professions(self, register: Callable[[Profession], None]) -> None:
        register(Profession(code="contract_probe", label="Contract probe"))

    @hookimpl
    def credtrail_register_credit_types(self, register: Callable[[CreditType], None]) -> None:
        register(
            CreditType(
                code=_PROBE_TYPE,
                label="Contract probe credit",
                profession="contract_probe",
                unit="hour",
                increment=Decimal("0.25"),
                requires_accreditor=False,
                source=_PROBE_SOURCE,
            )
        )


# -- golden scenarios -----------------------------------------------------------------


class GoldenCredit(BaseModel):
    """One credit of a scenario and what must happen when it is recorded.

    ``expect``: ``"accepted"``, or the names of rules the rejection must include.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str
    units: Decimal
    date: dt.date
    provider: str = "Golden scenario provider"
    accreditor: str | None = None
    activity: str
    title: str | None = None
    topics: tuple[str, ...] = ()
    format: str | None = None
    designated: Decimal | None = None
    expect: str | tuple[str, ...] = "accepted"


class GoldenLicense(BaseModel):
    """The license subjecting the scenario's clinician to one of the plugin's requirements."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    requirement: str
    issued: dt.date
    expires: dt.date | None = None
    birth_date: dt.date | None = None
    number: str | None = None


class GoldenStatus(BaseModel):
    """What the rule engine must find for the cycle containing ``on``, judged on ``on``.

    ``missing``: every part still missing with its units (``{}``: nothing missing);
    ``counted``: the units counted toward the total, when given.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    on: dt.date
    status: str
    missing: dict[str, Decimal] = Field(default_factory=dict)
    counted: Decimal | None = None


class GoldenScenario(BaseModel):
    """A small story with a known outcome, citing the rule it pins."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    description: str = Field(min_length=1)
    cites: str = Field(min_length=1)
    profession: str
    credit: tuple[GoldenCredit, ...] = Field(min_length=1)
    license: GoldenLicense | None = None
    status: tuple[GoldenStatus, ...] = ()

    @model_validator(mode="after")
    def _status_needs_license(self) -> GoldenScenario:
        if self.status and self.license is None:
            raise ValueError("a scenario with [[scenario.status]] needs a [scenario.license]")
        return self


def load_golden_scenarios(path: Path) -> list[GoldenScenario]:
    """Parse a golden-scenario TOML file (``[[scenario]]`` tables; see docs/plugins.md).

    :raises CredtrailError: the file is not TOML or a scenario is malformed (names it).
    """
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CredtrailError(f"{path}: cannot read golden scenarios: {exc}") from None
    scenarios = []
    for index, raw in enumerate(data.get("scenario", [])):
        try:
            scenarios.append(GoldenScenario.model_validate(raw))
        except ValidationError as exc:
            where = raw.get("id", f"#{index + 1}") if isinstance(raw, Mapping) else index
            details = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise CredtrailError(f"{path}: scenario {where}: {details}") from None
    return scenarios


def run_golden_scenario(app: Credtrail, scenario: GoldenScenario) -> None:
    """Play ``scenario`` on ``app``; an ``AssertionError`` says which credit went wrong."""
    clinician = f"golden-{scenario.id}"
    app.add_clinician(clinician, scenario.profession)
    for number, credit in enumerate(scenario.credit, start=1):
        request = EarnRequest(
            clinician_id=clinician,
            credit_type=credit.type,
            units=credit.units,
            completed_on=credit.date,
            provider=credit.provider,
            accreditor=credit.accreditor,
            activity_id=credit.activity,
            title=credit.title,
            topics=credit.topics,
            format=credit.format,
            designated_units=credit.designated,
        )
        where = f"scenario {scenario.id} ({scenario.cites}), credit {number}"
        before = app.ledger(clinician).version
        if credit.expect == "accepted":
            try:
                app.earn(request)
            except CreditRejectedError as exc:
                raise AssertionError(f"{where}: expected accepted, got {exc}") from None
            continue
        expected = {credit.expect} if isinstance(credit.expect, str) else set(credit.expect)
        # No pytest.raises: this kit imports no test framework.
        try:
            app.earn(request)
            rejection: CreditRejectedError | None = None
        except CreditRejectedError as exc:
            rejection = exc
        assert rejection is not None, f"{where}: expected rules {sorted(expected)}, got accepted"
        found = {v.rule for v in rejection.violations}
        assert expected <= found, f"{where}: expected rules {sorted(expected)}, got {rejection}"
        assert app.ledger(clinician).version == before, f"{where}: a rejection wrote events"
    if scenario.license is not None:
        _check_statuses(app, clinician, scenario, scenario.license)


def _check_statuses(
    app: Credtrail, clinician: str, scenario: GoldenScenario, lic: GoldenLicense
) -> None:
    versions = [d for d in app.registry.requirements.values() if d.get("id") == lic.requirement]
    assert versions, f"scenario {scenario.id}: no registered requirement {lic.requirement!r}"
    for document in versions:
        app.record_requirement(document)
    license_id = app.add_license(
        clinician, lic.requirement, lic.issued, lic.expires, lic.birth_date, lic.number
    )
    ledger = app.ledger(clinician)
    documents = [v.document for v in app.requirement_history(lic.requirement).versions]
    for expected in scenario.status:
        result = evaluate(
            documents, ledger.credits, ledger.licenses[license_id], app.registry, on=expected.on
        )
        where = f"scenario {scenario.id} ({scenario.cites}), {lic.requirement} on {expected.on}"
        found = dict(result.missing)
        assert (result.status, found) == (expected.status, expected.missing), (
            f"{where}: expected {expected.status} missing {expected.missing}, got "
            f"{result.status} missing {found} (cycle {result.cycle_start} to {result.cycle_end})"
        )
        if expected.counted is not None:
            assert result.counted == expected.counted, f"{where}: counted {result.counted}"


# -- bad credits ------------------------------------------------------------------------


def _cycle_ratios(equivalences: Sequence[Equivalence]) -> Iterator[tuple[list[str], Decimal]]:
    """Every simple cycle of the 'counts as' graph with the product of its ratios."""
    edges: dict[str, list[Equivalence]] = {}
    for e in equivalences:
        edges.setdefault(e.from_type, []).append(e)

    def walk(start: str, node: str, path: list[str], ratio: Decimal) -> Iterator[Any]:
        for e in edges.get(node, []):
            if e.to_type == start:
                yield [*path, start], ratio * e.ratio
            elif e.to_type not in path and e.to_type > start:
                # Only cycles whose smallest code is ``start``: each cycle once.
                yield from walk(start, e.to_type, [*path, e.to_type], ratio * e.ratio)

    for start in sorted(edges):
        yield from walk(start, start, [start], Decimal(1))


# -- the contract ------------------------------------------------------------------------


class PluginContract:
    """Subclass and set ``plugin`` and ``plugin_name``; pytest runs the contract.

    Optional class attributes:

    - ``companions``: ``(name, plugin)`` pairs loaded beside it, for plugins that name
      another plugin's codes (an accreditor, a credit type in an equivalence).
    - ``golden_scenarios``: path of the golden-scenario TOML file (default:
      ``golden.toml`` beside the plugin's module; none is an error: declare some).
    """

    plugin: ClassVar[object]
    plugin_name: ClassVar[str]
    companions: ClassVar[Sequence[tuple[str, object]]] = ()
    golden_scenarios: ClassVar[str | Path | None] = None

    # -- helpers (not tests) ------------------------------------------------------------

    @classmethod
    def contract_pm(cls) -> pluggy.PluginManager:
        """The plugin, its companions and the probe; entry points never load (cached)."""
        cached = cls.__dict__.get("_pm_cache")
        if cached is None:
            cached = build_plugin_manager(
                extra=[*cls.companions, (cls.plugin_name, cls.plugin), (_PROBE_NAME, _Probe())],
                load_entrypoints=False,
                trace=False,
            )
            cls._pm_cache = cached  # type: ignore[attr-defined]
        assert isinstance(cached, pluggy.PluginManager)
        return cached

    @classmethod
    def contract_registry(cls) -> Registry:
        cached = cls.__dict__.get("_registry_cache")
        if cached is None:
            cached = build_registry(cls.contract_pm())
            cls._registry_cache = cached  # type: ignore[attr-defined]
        assert isinstance(cached, Registry)
        return cached

    @classmethod
    def owned(cls, kind: str) -> list[str]:
        """Codes of ``kind`` (``credit_type``, ``requirement``...) this plugin registered."""
        registry = cls.contract_registry()
        return sorted(
            code
            for (k, code), owner in registry.owners.items()
            if k == kind and owner == cls.plugin_name
        )

    @classmethod
    def validate_with_plugin(cls, draft: CreditDraft) -> list[Violation]:
        """Call only this plugin's validation hook; a raise or garbage fails the test."""
        pm = cls.contract_pm()
        out: list[Violation] = []
        for impl in pm.hook.credtrail_validate_credit.get_hookimpls():
            if impl.plugin_name != cls.plugin_name:
                continue
            registry = cls.contract_registry()
            result = call_plugin(
                cls.plugin_name, VALIDATE_HOOK, impl.function, credit=draft, registry=registry
            )
            out.extend(_as_violations(cls.plugin_name, VALIDATE_HOOK, result))
        return out

    @classmethod
    def golden_path(cls) -> Path:
        if cls.golden_scenarios is not None:
            return Path(cls.golden_scenarios)
        if isinstance(cls.plugin, ProfessionPlugin):
            return cls.plugin.folder / GOLDEN_FILE
        module_file = getattr(cls.plugin, "__file__", None)
        if module_file is None:
            module_file = getattr(type(cls.plugin), "__module__", "")
            raise AssertionError(
                f"{cls.plugin_name}: set golden_scenarios on the test class "
                f"(the plugin {module_file!r} is not a module with a file)"
            )
        return Path(module_file).parent / GOLDEN_FILE

    # -- registration ------------------------------------------------------------------

    def test_registers_something(self) -> None:
        """The plugin registers at least one profession, credit type or requirement."""
        kinds = ("profession", "credit_type", "accreditor", "authority", "requirement")
        assert any(self.owned(kind) for kind in kinds), (
            f"plugin {self.plugin_name!r} registered nothing; is it the right module?"
        )

    def test_credit_types_are_well_formed(self) -> None:
        """Each credit type has a known profession and accreditors, a sane increment, a source."""
        registry = self.contract_registry()
        for code in self.owned("credit_type"):
            ct = registry.credit_types[code]
            where = f"credit type {code!r} of {self.plugin_name}"
            assert ct.profession in registry.professions, f"{where}: unknown profession"
            one = Decimal(1)
            assert one % ct.increment == 0 or ct.increment % one == 0, (
                f"{where}: increment {ct.increment} must divide one {ct.unit} or be whole"
            )
            if ct.requires_accreditor:
                assert ct.accreditors, f"{where}: requires an accreditor but accepts none"
            for acc in ct.accreditors:
                assert acc in registry.accreditors, f"{where}: unknown accreditor {acc!r}"
            self._check_citation(where, ct.source)

    def test_registered_objects_cite_sources(self) -> None:
        """Accreditors, authorities and equivalences the plugin registered cite a source."""
        registry = self.contract_registry()
        for code in self.owned("accreditor"):
            self._check_citation(f"accreditor {code}", registry.accreditors[code].source)
        for code in self.owned("authority"):
            self._check_citation(f"authority {code}", registry.authorities[code].source)
        for e in self._own_equivalences():
            self._check_citation(f"equivalence {e.from_type}->{e.to_type}", e.source)

    def _check_citation(self, where: str, source: Citation) -> None:
        assert source.url or source.section, f"{where}: cite a section or a url"
        assert source.date_read <= date.today() + timedelta(days=1), (
            f"{where}: date_read {source.date_read} is in the future"
        )

    # -- validation --------------------------------------------------------------------

    def test_known_bad_credits_are_rejected(self) -> None:
        """Off-increment units and a foreign accreditor give violations, not exceptions."""
        registry = self.contract_registry()
        for code in self.owned("credit_type"):
            ct = registry.credit_types[code]
            draft = _draft(ct, units=ct.increment / 2 if ct.increment > Decimal("0.0002") else 1)
            if draft.units % ct.increment != 0:
                assert self._all_violations(draft), f"{code}: off-increment units accepted"
            stranger = next(
                (a for a in sorted(registry.accreditors) if a not in ct.accreditors), None
            )
            if stranger is not None and ct.accreditors:
                bad = _draft(ct, accreditor=stranger)
                assert self._all_violations(bad), f"{code}: accreditor {stranger} accepted"

    def test_ignores_other_plugins_credit(self) -> None:
        """Validation returns nothing for credit of a type another plugin registered."""
        ct = self.contract_registry().credit_types[_PROBE_TYPE]
        for draft in (_draft(ct), _draft(ct, topics=("not a topic",), fmt="???")):
            assert self.validate_with_plugin(draft) == [], (
                f"{self.plugin_name} judged a {_PROBE_TYPE} credit it does not own"
            )

    def _all_violations(self, draft: CreditDraft) -> list[Violation]:
        from credtrail.core.registry import core_violations, plugin_violations

        registry = self.contract_registry()
        return core_violations(registry, draft) + plugin_violations(
            self.contract_pm(), registry, draft
        )

    # -- requirements ------------------------------------------------------------------

    def test_requirements_load_and_cite_a_source(self) -> None:
        """Every requirement document parses (header and rule engine) and cites its source."""
        registry = self.contract_registry()
        for rid in self.owned("requirement"):
            document = registry.requirements[rid]
            header = parse_requirement_header(document)
            self._check_citation(f"requirement {rid}", header.source)
            assert header.authority in registry.authorities, (
                f"requirement {rid}: authority {header.authority!r} is not registered"
            )
            _load_with_engine(document, registry)

    # -- equivalences ------------------------------------------------------------------

    def _own_equivalences(self) -> list[Equivalence]:
        registry = self.contract_registry()
        owned = set(self.owned("equivalence"))
        return [e for e in registry.equivalences if f"{e.from_type}->{e.to_type}" in owned]

    def test_equivalences_are_consistent(self) -> None:
        """Equivalences join known, distinct types and no cycle multiplies credit."""
        registry = self.contract_registry()
        for e in self._own_equivalences():
            where = f"equivalence {e.from_type}->{e.to_type}"
            assert e.from_type != e.to_type, f"{where}: a type is always itself"
            assert e.from_type in registry.credit_types, f"{where}: unknown from_type"
            assert e.to_type in registry.credit_types, f"{where}: unknown to_type"
            for auth in e.authorities:
                assert auth in registry.authorities, f"{where}: unknown authority {auth!r}"
        pairs: dict[tuple[str, str, tuple[str, ...]], Decimal] = {}
        for e in registry.equivalences:
            key = (e.from_type, e.to_type, tuple(sorted(e.authorities)))
            assert pairs.setdefault(key, e.ratio) == e.ratio, f"{key}: two different ratios"
        for path, ratio in _cycle_ratios(registry.equivalences):
            assert ratio == 1, f"equivalence cycle {' -> '.join(path)} multiplies credit by {ratio}"

    # -- golden scenarios --------------------------------------------------------------

    def test_golden_scenarios_pass(self, tmp_path: Path) -> None:
        """Every golden scenario the plugin declares plays out as it says on a real store."""
        path = self.golden_path()
        assert path.is_file(), (
            f"{self.plugin_name}: no golden scenarios at {path}; declare some "
            "(docs/plugins.md, 'Golden scenarios') or set golden_scenarios"
        )
        scenarios = load_golden_scenarios(path)
        assert scenarios, f"{path}: no [[scenario]] tables"
        app = Credtrail.open(str(tmp_path / "golden.db"), self.contract_pm(), create=True)
        try:
            for scenario in scenarios:
                run_golden_scenario(app, scenario)
        finally:
            app.close()


def _draft(
    ct: CreditType,
    *,
    units: Decimal | int | None = None,
    accreditor: str | None = None,
    topics: tuple[str, ...] = (),
    fmt: str | None = None,
) -> CreditDraft:
    return CreditDraft(
        clinician_id="contract-clinician",
        profession=ct.profession,
        credit_type=ct.code,
        units=Decimal(units) if units is not None else ct.increment * 4,
        completed_on=date(2025, 3, 1),
        provider="Contract Provider",
        accreditor=accreditor if accreditor is not None else next(iter(ct.accreditors), None),
        activity_id="contract-activity",
        topics=topics,
        format=fmt,
    )


def _load_with_engine(document: dict[str, Any], registry: Registry) -> None:
    """Load ``document`` as ``Credtrail.record_requirement`` will, and check its codes."""
    check_requirement(load_requirement(to_jsonable_python(document)), registry)
