"""What the plugins registered, validated, deduplicated and attributed.

``build_registry`` calls each registration hook once per plugin with a ``register``
callback bound to that plugin's name, so every entry remembers its plugin and
every error names it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from typing import Any, TypeVar

import pluggy
from pydantic import BaseModel, ValidationError

from credtrail.core.errors import (
    DuplicateRegistrationError,
    PluginError,
    RuleError,
    UnknownAccreditorError,
    UnknownAuthorityError,
    UnknownCertificationError,
    UnknownCreditTypeError,
    UnknownProfessionError,
)
from credtrail.core.models import (
    TOPIC_PATTERN,
    Accreditor,
    Authority,
    Certification,
    CreditDraft,
    CreditType,
    Equivalence,
    Profession,
    Topic,
    Violation,
)
from credtrail.core.plugins import HookTracer, summarise, tracer_for

log = logging.getLogger("credtrail.plugins")

M = TypeVar("M", bound=BaseModel)


@dataclass
class Registry:
    """Everything plugins registered; read-only once built."""

    professions: dict[str, Profession] = field(default_factory=dict)
    accreditors: dict[str, Accreditor] = field(default_factory=dict)
    credit_types: dict[str, CreditType] = field(default_factory=dict)
    authorities: dict[str, Authority] = field(default_factory=dict)
    equivalences: list[Equivalence] = field(default_factory=list)
    topics: dict[str, Topic] = field(default_factory=dict)
    """The topic vocabulary credits may use, by slug."""
    certifications: dict[str, Certification] = field(default_factory=dict)
    """National certifications clinicians can hold, by code."""
    requirements: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Built-in requirement documents by ``id@version``."""
    rule_kinds: dict[str, Any] = field(default_factory=dict)
    owners: dict[tuple[str, str], str] = field(default_factory=dict)
    """(kind, code) -> name of the plugin that registered it."""

    def fingerprint(self, versions: Mapping[str, str | None] | None = None) -> str:
        """A short hash of everything registered (and ``versions``: plugin -> version).

        Derived data judged with these plugins (the compliance view) records it; a
        different fingerprint later means the plugins changed (installed, removed,
        upgraded, or registering something else), so what was judged may be stale.
        Rule kinds count by name and the function's qualified name; their code counts
        through the plugin's version.
        """
        content = {
            "professions": {k: v.model_dump(mode="json") for k, v in self.professions.items()},
            "accreditors": {k: v.model_dump(mode="json") for k, v in self.accreditors.items()},
            "credit_types": {k: v.model_dump(mode="json") for k, v in self.credit_types.items()},
            "authorities": {k: v.model_dump(mode="json") for k, v in self.authorities.items()},
            "equivalences": [e.model_dump(mode="json") for e in self.equivalences],
            "certifications": {
                k: v.model_dump(mode="json") for k, v in self.certifications.items()
            },
            "requirements": self.requirements,
            "rule_kinds": {
                k: f"{getattr(f, '__module__', '?')}.{getattr(f, '__qualname__', repr(f))}"
                for k, f in self.rule_kinds.items()
            },
            "owners": sorted(
                f"{kind}:{code}={plugin}" for (kind, code), plugin in self.owners.items()
            ),
            "versions": dict(versions or {}),
        }
        encoded = json.dumps(content, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()[:16]

    # -- lookups that raise the user-facing error ------------------------------------

    def profession(self, code: str) -> Profession:
        try:
            return self.professions[code]
        except KeyError:
            raise UnknownProfessionError(code, list(self.professions)) from None

    def credit_type(self, code: str) -> CreditType:
        try:
            return self.credit_types[code]
        except KeyError:
            raise UnknownCreditTypeError(code, list(self.credit_types)) from None

    def accreditor(self, code: str) -> Accreditor:
        try:
            return self.accreditors[code]
        except KeyError:
            raise UnknownAccreditorError(code, list(self.accreditors)) from None

    def authority(self, code: str) -> Authority:
        try:
            return self.authorities[code]
        except KeyError:
            raise UnknownAuthorityError(code, list(self.authorities)) from None

    def certification(self, code: str) -> Certification:
        try:
            return self.certifications[code]
        except KeyError:
            raise UnknownCertificationError(code, list(self.certifications)) from None

    def requirement_ids(self) -> list[str]:
        """The built-in requirement ids users type, each once."""
        return sorted({str(doc["id"]) for doc in self.requirements.values()})

    def owner(self, kind: str, code: str) -> str | None:
        """Which plugin registered ``code`` of ``kind`` (``credit_type``, ...)."""
        return self.owners.get((kind, code))

    def credit_type_owner(self, code: str) -> str | None:
        return self.owner("credit_type", code)

    def equivalences_to(self, to_type: str, authority: str | None = None) -> list[Equivalence]:
        """Equivalences into ``to_type`` that hold for ``authority`` (or everywhere)."""
        return [
            e
            for e in self.equivalences
            if e.to_type == to_type
            and (not e.authorities or authority is None or authority in e.authorities)
        ]

    def counts_as(self, credit_type: str, target: str, authority: str | None) -> Decimal | None:
        """Multiplier at which ``credit_type`` counts as ``target`` (None: it does not)."""
        if credit_type == target:
            return Decimal(1)
        for e in self.equivalences_to(target, authority):
            if e.from_type == credit_type:
                return e.ratio
        return None


_REGISTRATION_HOOKS: tuple[tuple[str, str, type[BaseModel] | None], ...] = (
    ("credtrail_register_professions", "profession", Profession),
    ("credtrail_register_accreditors", "accreditor", Accreditor),
    ("credtrail_register_topics", "topic", Topic),
    ("credtrail_register_credit_types", "credit_type", CreditType),
    ("credtrail_register_authorities", "authority", Authority),
    ("credtrail_register_equivalences", "equivalence", Equivalence),
    ("credtrail_register_certifications", "certification", Certification),
    ("credtrail_register_requirements", "requirement", None),
    ("credtrail_register_rule_kinds", "rule_kind", None),
)


def build_registry(pm: pluggy.PluginManager) -> Registry:
    """Call every registration hook, plugin by plugin, and check the result is coherent."""
    registry = Registry()
    tracer = tracer_for(pm)
    for hook_name, kind, model in _REGISTRATION_HOOKS:
        hook = getattr(pm.hook, hook_name)
        for impl in hook.get_hookimpls():
            plugin = impl.plugin_name
            register = _make_register(registry, plugin, hook_name, kind, model)
            call_plugin(plugin, hook_name, impl.function, tracer=tracer, register=register)
    _check_references(registry)
    return registry


def call_plugin(
    plugin: str,
    hook_name: str,
    function: Callable[..., Any],
    *,
    tracer: HookTracer | None = None,
    **kwargs: Any,
) -> Any:
    """Call one hook implementation; any exception becomes a PluginError naming it.

    ``tracer`` (``plugins.tracer_for(pm)``) records the call, its result and duration.
    """
    if tracer is None:
        # The hot path (validation runs per credit): no timing, no summaries.
        try:
            return function(**kwargs)
        except PluginError:
            raise
        except ValidationError as exc:
            raise PluginError(plugin, hook_name, _pydantic_summary(exc)) from exc
        except Exception as exc:
            raise PluginError(plugin, hook_name, f"raised {type(exc).__name__}: {exc}") from exc
    started = time.perf_counter()
    outcome = "?"
    kwargs = {k: _Counting(v) if k == "register" else v for k, v in kwargs.items()}
    try:
        result = function(**kwargs)
        outcome = summarise(result)
        return result
    except PluginError as exc:
        outcome = f"error: {exc.problem}"
        raise
    except ValidationError as exc:
        outcome = f"raised ValidationError: {_pydantic_summary(exc)}"
        raise PluginError(plugin, hook_name, _pydantic_summary(exc)) from exc
    except Exception as exc:
        outcome = f"raised {type(exc).__name__}: {exc}"
        raise PluginError(plugin, hook_name, f"raised {type(exc).__name__}: {exc}") from exc
    finally:
        elapsed = time.perf_counter() - started
        counted = kwargs.get("register")
        if isinstance(counted, _Counting):
            outcome = f"{outcome}, registered {counted.calls}"
        tracer.record(plugin, hook_name, kwargs, outcome, elapsed)


class _Counting:
    """A ``register`` callback that counts its calls, for traces."""

    def __init__(self, register: Callable[..., None]) -> None:
        self.register = register
        self.calls = 0
        self.__name__ = "register"

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.calls += 1
        self.register(*args, **kwargs)


def _pydantic_summary(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "value"
        parts.append(f"{where}: {err['msg']}")
    return "invalid registration: " + "; ".join(parts)


def _make_register(
    registry: Registry, plugin: str, hook: str, kind: str, model: type[BaseModel] | None
) -> Callable[..., None]:
    def register(obj: Any, evaluator: Any = None) -> None:
        if evaluator is not None and kind != "rule_kind":
            raise PluginError(plugin, hook, f"register() takes one {kind}, got two arguments")
        if model is not None and not isinstance(obj, model):
            if isinstance(obj, Mapping):
                obj = model.model_validate(obj)
            else:
                raise PluginError(
                    plugin, hook, f"registered {type(obj).__name__}, expected {model.__name__}"
                )
        if kind == "equivalence":
            registry.equivalences.append(obj)
            registry.owners[(kind, f"{obj.from_type}->{obj.to_type}")] = plugin
            return
        if kind == "requirement":
            code = _requirement_id(plugin, hook, obj)
            # Our own copy: a plugin that keeps and mutates its dict cannot change a
            # requirement after it was checked.
            obj = _copy_document(obj)
            _check_requirement_header(plugin, hook, obj)
            target: dict[str, Any] = registry.requirements
        elif kind == "rule_kind":
            if not isinstance(obj, str) or evaluator is None:
                raise PluginError(plugin, hook, "call register(kind_name, evaluator)")
            code, obj = obj, evaluator
            target = registry.rule_kinds
        else:
            code = obj.code
            target = getattr(registry, _TABLES[kind])
        previous = registry.owners.get((kind, code))
        if previous is not None and kind == "accreditor" and target[code].name == obj.name:
            # Accreditors are shared (JA accredits for every profession): each plugin may
            # register the ones it needs, so it works alone; the first citation is kept.
            return
        if previous is not None and kind == "topic":
            # One vocabulary for every profession: the same slug is the same topic.
            return
        if previous is not None:
            raise DuplicateRegistrationError(
                plugin,
                hook,
                f"{kind.replace('_', ' ')} {code!r} is already registered by plugin {previous!r}",
            )
        target[code] = obj
        registry.owners[(kind, code)] = plugin

    return register


_TABLES = {
    "profession": "professions",
    "accreditor": "accreditors",
    "credit_type": "credit_types",
    "authority": "authorities",
    "topic": "topics",
    "certification": "certifications",
}


_SCALARS = (str, int, float, bool, Decimal, date, datetime, time_of_day, type(None))


def _copy_document(value: Any) -> Any:
    """A deep copy of a requirement document (tables, arrays and scalars, as TOML and
    JSON give): ``copy.deepcopy`` for anything else. Three times faster than deepcopy
    on the ~220 built-in documents every command registers."""
    if isinstance(value, Mapping):
        return {key: _copy_document(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_document(item) for item in value]
    if isinstance(value, _SCALARS):
        return value
    return copy.deepcopy(value)


def _check_requirement_header(plugin: str, hook: str, document: dict[str, Any]) -> None:
    # application imports registry: import at call time to keep the module graph acyclic.
    from credtrail.core.requests import parse_requirement_header

    try:
        parse_requirement_header(document)
    except RuleError as exc:
        raise PluginError(plugin, hook, f"requirement {document['id']!r}: {exc}") from None


def _requirement_id(plugin: str, hook: str, document: Any) -> str:
    """``id@version``: a plugin ships every version of a requirement it knows."""
    if not isinstance(document, Mapping) or not isinstance(document.get("id"), str):
        raise PluginError(plugin, hook, "a requirement document must be a mapping with an 'id'")
    return f"{document['id']}@{document.get('version')}"


def _check_references(registry: Registry) -> None:
    """Every code a registration names must itself be registered."""

    def blame(kind: str, code: str) -> str:
        return registry.owners.get((kind, code), "?")

    for ct in registry.credit_types.values():
        hook = "credtrail_register_credit_types"
        if ct.profession not in registry.professions:
            raise PluginError(
                blame("credit_type", ct.code),
                hook,
                f"credit type {ct.code!r} names unknown profession {ct.profession!r}",
            )
        for acc in ct.accreditors:
            if acc not in registry.accreditors:
                raise PluginError(
                    blame("credit_type", ct.code),
                    hook,
                    f"credit type {ct.code!r} names unknown accreditor {acc!r}",
                )
    for auth in list(registry.authorities.values()):
        loaded = tuple(p for p in auth.professions if p in registry.professions)
        if len(auth.professions) > 1 and loaded != auth.professions:
            # An authority serving several professions (the federal DEA) serves those
            # that are loaded; with none loaded it is dropped with its requirements, so
            # its plugin loads alone or beside any profession plugin.
            _narrow_authority(registry, auth, loaded)
            continue
        for prof in auth.professions:
            if prof not in registry.professions:
                raise PluginError(
                    blame("authority", auth.code),
                    "credtrail_register_authorities",
                    f"authority {auth.code!r} names unknown profession {prof!r}",
                )
    # An equivalence from a profession that is not loaded can never apply: drop it,
    # so a plugin works alone (``--plugins pa_aapa``) and with its neighbours.
    kept = []
    for eq in registry.equivalences:
        missing = [c for c in (eq.from_type, eq.to_type) if c not in registry.credit_types]
        if missing:
            log.debug(
                "dropping equivalence %s->%s of plugin %s: %s not registered",
                eq.from_type,
                eq.to_type,
                blame("equivalence", f"{eq.from_type}->{eq.to_type}"),
                ", ".join(missing),
            )
            continue
        kept.append(eq)
    registry.equivalences[:] = kept
    for cert in registry.certifications.values():
        if cert.certifier not in registry.authorities:
            raise PluginError(
                blame("certification", cert.code),
                "credtrail_register_certifications",
                f"certification {cert.code!r} names unknown certifier {cert.certifier!r}",
            )


def _narrow_authority(registry: Registry, auth: Authority, loaded: tuple[str, ...]) -> None:
    if loaded:
        registry.authorities[auth.code] = auth.model_copy(update={"professions": loaded})
        return
    log.debug("dropping authority %s: none of its professions is loaded", auth.code)
    del registry.authorities[auth.code]
    for key in [k for k, doc in registry.requirements.items() if doc.get("authority") == auth.code]:
        del registry.requirements[key]


def core_violations(registry: Registry, credit: CreditDraft) -> list[Violation]:
    """The checks core makes from registered data, before plugins see the credit."""
    out: list[Violation] = []
    try:
        ct = registry.credit_type(credit.credit_type)
    except UnknownCreditTypeError as exc:
        return [Violation(field="type", rule="known-credit-type", message=str(exc))]
    try:
        registry.profession(credit.profession)
    except UnknownProfessionError as exc:
        out.append(Violation(field="profession", rule="known-profession", message=str(exc)))
    if credit.units % ct.increment != 0:
        out.append(
            Violation(
                field="units",
                rule=f"{ct.code}-increment",
                message=(
                    f"{credit.units} is not a multiple of {ct.increment} {ct.unit}, "
                    f"the increment of {ct.label}"
                ),
                source=ct.source,
            )
        )
    if credit.designated_units is not None and credit.units > credit.designated_units:
        out.append(
            Violation(
                field="units",
                rule="within-designated-maximum",
                message=(
                    f"{credit.units} exceeds the {credit.designated_units} designated for the "
                    "activity; claim only credit commensurate with participation"
                ),
                source=ct.source,
            )
        )
    if credit.accreditor is None:
        if ct.requires_accreditor:
            accepted = ", ".join(ct.accreditors) or "none registered"
            out.append(
                Violation(
                    field="accreditor",
                    rule=f"{ct.code}-accreditor-required",
                    message=f"{ct.label} must come from an accredited provider ({accepted})",
                    source=ct.source,
                )
            )
    elif credit.accreditor not in registry.accreditors:
        out.append(
            Violation(
                field="accreditor",
                rule="known-accreditor",
                message=str(UnknownAccreditorError(credit.accreditor, list(registry.accreditors))),
            )
        )
    elif not ct.requires_accreditor and not ct.accreditors:
        out.append(
            Violation(
                field="accreditor",
                rule=f"{ct.code}-self-claimed",
                message=f"{ct.label} is self-claimed: accreditors do not designate it",
                source=ct.source,
            )
        )
    elif ct.accreditors and credit.accreditor not in ct.accreditors:
        out.append(
            Violation(
                field="accreditor",
                rule=f"{ct.code}-accepted-accreditors",
                message=(
                    f"{credit.accreditor} providers cannot award {ct.label}; accepted: "
                    f"{', '.join(ct.accreditors)}"
                ),
                source=ct.source,
            )
        )
    out.extend(topic_violations(registry, credit.topics))
    return out


def plugin_violations(
    pm: pluggy.PluginManager, registry: Registry, credit: CreditDraft
) -> list[Violation]:
    """Ask every plugin's ``credtrail_validate_credit``; garbage is a PluginError."""
    hook_name = "credtrail_validate_credit"
    out: list[Violation] = []
    tracer = tracer_for(pm)
    for impl in pm.hook.credtrail_validate_credit.get_hookimpls():
        result = call_plugin(
            impl.plugin_name,
            hook_name,
            impl.function,
            tracer=tracer,
            credit=credit,
            registry=registry,
        )
        out.extend(_as_violations(impl.plugin_name, hook_name, result))
    return out


def _as_violations(plugin: str, hook: str, result: Any) -> Iterable[Violation]:
    if result is None:
        return []
    if not isinstance(result, list | tuple):
        raise PluginError(plugin, hook, f"returned {type(result).__name__}, expected a list")
    out = []
    for item in result:
        if isinstance(item, Violation):
            out.append(item)
        elif isinstance(item, Mapping):
            try:
                out.append(Violation.model_validate(item))
            except ValidationError as exc:
                raise PluginError(plugin, hook, _pydantic_summary(exc)) from exc
        else:
            raise PluginError(plugin, hook, f"returned a {type(item).__name__}, not a Violation")
    return out


_TOPIC_RE = re.compile(TOPIC_PATTERN)


def topic_violations(registry: Registry, topics: Iterable[str]) -> list[Violation]:
    """A violation for each topic that is not a slug or that no loaded plugin registered.

    One rule for every profession: the vocabulary is what the plugins registered.
    """
    out = []
    for topic in topics:
        if not _TOPIC_RE.match(topic):
            message = (
                f"topic {topic!r} must be a lowercase slug such as 'pain-management' "
                "(letters, digits and single hyphens)"
            )
            out.append(Violation(field="topics", rule="topic-slug", message=message))
        elif topic not in registry.topics:
            known = ", ".join(sorted(registry.topics)) or "none registered"
            message = f"unknown topic {topic!r}; use one of: {known}"
            out.append(Violation(field="topics", rule="known-topic", message=message))
    return out
