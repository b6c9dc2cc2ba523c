"""The plugin contract: every hook a profession plugin may implement.

A profession plugin is usually one ``credtrail.core.ProfessionPlugin`` over its data
(it implements every hook below), published under the entry-point group
``credtrail``::

    [project.entry-points.credtrail]
    pharmacy_acpe = "credtrail_pharmacy:plugin"

Any module or object with functions named like the specs below, marked with
``@hookimpl`` (``from credtrail.core import hookimpl``), is a plugin too.

Registration hooks receive a ``register`` callback rather than returning values:
the host validates every object it is handed (pydantic), rejects duplicate codes and
remembers which plugin registered what, so an error names the plugin. Hooks are
called once per plugin manager, plugin by plugin; the order of registrations never
changes a result, because codes must be unique (shared accreditors and topics merge).

Read ``docs/plugins.md`` for a tutorial; ``credtrail.core.testing`` has the contract
tests a plugin's own test-suite can subclass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from credtrail.core.exchange.formats import ImportFormat
    from credtrail.core.models import (
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
    from credtrail.core.registry import Registry

PROJECT = "credtrail"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def credtrail_register_professions(register: Callable[[Profession], None]) -> None:
    """Register the professions this plugin defines.

    Called first, before any other registration hook, so credit types and
    authorities can name the professions.

    :param register: call ``register(Profession(code=..., label=...))`` once per
        profession. ``code`` is what users type (``physician``, ``nurse``, ``pa``).
        A code registered twice (by any plugins) is an error naming both.
    :return: nothing; return values are ignored.
    """


@hookspec
def credtrail_register_accreditors(register: Callable[[Accreditor], None]) -> None:
    """Register the accreditors whose providers may award this plugin's credit.

    :param register: call ``register(Accreditor(code=..., name=..., source=...))`` once
        per accreditor. Codes are upper-case acronyms (``ACCME``, ``JA``).
        Accreditors are shared between professions: every plugin registers the ones
        its credit types name, so it works when loaded alone. The same code from two
        plugins is accepted when the names agree (the first citation is kept) and is
        an error naming both plugins when they differ.
    :return: nothing.
    """


@hookspec
def credtrail_register_topics(register: Callable[[Topic], None]) -> None:
    """Register the topic slugs credits may be tagged with (``pain-management``).

    Topics are one vocabulary for every profession: a credit naming a topic that no
    loaded plugin registered is refused by core (rule ``known-topic``), whatever its
    profession, so a misspelt topic never silently fails to count toward a mandate.
    ``ProfessionPlugin`` registers ``topics=`` and the ``[topics]`` tables of its
    ``vocabulary/*.toml`` files.

    :param register: call ``register(Topic(code=..., description=...))`` once per
        topic; ``code`` is a lowercase slug. The same slug from several plugins is one
        topic (the first description is kept): name shared topics the same way.
    :return: nothing.
    """


@hookspec
def credtrail_register_credit_types(register: Callable[[CreditType], None]) -> None:
    """Register the credit types of this plugin's profession(s).

    Called after professions and accreditors are known.

    :param register: call ``register(CreditType(...))`` with ``code`` (``ama_pra_1``),
        ``label``, ``profession``, ``unit``, ``increment`` (units must be a multiple of
        it), ``accreditors`` (codes whose providers may award it), ``requires_accreditor``
        (False for self-claimed credit) and ``source`` (a ``Citation``). Core checks
        the increment and the accreditor of every credit against this data before any
        plugin validation runs.
    :return: nothing.
    """


@hookspec
def credtrail_register_authorities(register: Callable[[Authority], None]) -> None:
    """Register the authorities (boards, certifying bodies, awards) this plugin knows.

    :param register: call ``register(Authority(code=..., name=..., professions=...,
        requires_claim=..., source=...))``. ``code`` is what users type after
        ``--authority`` (``NCCPA``, ``CA-MBC``). ``requires_claim=True`` means only
        credit claimed toward it counts.
    :return: nothing.
    """


@hookspec
def credtrail_register_equivalences(register: Callable[[Equivalence], None]) -> None:
    """Register how credit of another type counts as this plugin's credit.

    Example: NCCPA accepts AMA PRA Category 1 as AAPA Category 1, so the PA plugin
    registers ``Equivalence(from_type="ama_pra_1", to_type="aapa_1", source=...)``.

    :param register: call ``register(Equivalence(...))``; ``ratio`` multiplies units,
        ``authorities`` restricts it to some authorities (empty: everywhere).
        Both types must be registered by some plugin.
    :return: nothing.
    """


@hookspec
def credtrail_register_certifications(register: Callable[[Certification], None]) -> None:
    """Register the national certifications this plugin knows (NCCPA PA-C, ANCC FNP-BC).

    :param register: call ``register(Certification(code=..., name=..., certifier=...,
        professions=..., requirement=..., source=...))``. ``certifier`` must be a
        registered authority; ``requirement`` (if any) the requirement a holder is
        subject to (its renewal cycle).
    :return: nothing.
    """


@hookspec
def credtrail_register_requirements(register: Callable[[dict[str, Any]], None]) -> None:
    """Register built-in requirement documents (the rules of authorities this plugin knows).

    :param register: call ``register(document)`` with a requirement document as a
        ``dict`` (usually loaded from a TOML or JSON file the plugin ships; see
        ``docs/rules.md``). It must carry ``id``, ``authority``, ``version``,
        ``effective_from`` and a ``source`` citation; the rule engine validates the
        rest. ``credtrail init`` records every version the store lacks as a
        ``RequirementChanged`` event (run it again after a plugin ships a new version);
        a version already recorded is never recorded twice.
    :return: nothing.
    """


@hookspec
def credtrail_register_rule_kinds(register: Callable[[str, Any], None]) -> None:
    """Register evaluators for rule kinds the core engine does not have.

    The core already has parts, caps, weights (``factor``, ``first_units``) and repeat
    limits (see ``docs/rules.md``); a custom kind is for valuation rules beyond those.
    A requirement document uses one as ``[[custom]] id = "..." kind = "<kind>"
    params = {...}``.

    :param register: call ``register(kind, evaluator)`` where ``kind`` is the name a
        requirement document uses (``"nccpa-weighting"``) and ``evaluator`` an object
        with two methods (``credtrail.core.rules.RuleKindEvaluator``):
        ``check(params)`` raises ``ValueError`` saying what is wrong with the
        document's ``params`` (called when a requirement is checked and before each
        use); ``adjust(candidates, params, cycle)`` receives the credits eligible for
        one cycle (``Candidate``: id, type, current ``units`` value, completion date,
        topics, format, activity, title, accreditor, provider; in completion order)
        and the ``CycleWindow`` (start, end, renewal number), and returns the
        ``Adjustment(credit_id, units, reason)`` of the credits whose value changes
        (``units = 0`` excludes a credit; the reason is shown by ``credtrail
        explain``). It runs after the window, claim, type and accreditor checks,
        weights and repeat limits, before allocation. It must be pure: no I/O, same
        answer for the same arguments (as-of replay depends on it).
    :return: nothing.
    """


@hookspec
def credtrail_validate_credit(credit: CreditDraft, registry: Registry) -> list[Violation] | None:
    """Check a credit about to be recorded against this plugin's accreditation rules.

    Called for every credit, of any profession, after core's generic checks
    (known type, accepted accreditor, increment) passed. A plugin should only judge
    credit types it registered (``registry.credit_type_owner(code)`` tells whose a
    type is) and return ``None`` or ``[]`` for the rest.

    :param credit: the ``CreditDraft`` (type, units, date, provider, accreditor,
        activity, topics, format, designated units).
    :param registry: everything registered so far (read-only), e.g. to look up a
        credit type's increment.
    :return: the violations found, each a ``Violation(field, rule, message, source)``
        naming the rule broken; empty or ``None`` when valid. Never raise for bad
        input: an exception is reported as a plugin bug.
    """


@hookspec
def credtrail_register_import_formats(register: Callable[[ImportFormat], None]) -> None:
    """Register file formats ``credtrail import --format NAME`` can read.

    Core reads ``csv`` (its own layout), ``openbadges`` and ``cebroker``; a profession
    plugin adds the formats of its world (the physician plugin adds ``pars``, ACCME's
    learner completion batch, and ``cmepassport``). A reader only parses: the import
    pipeline resolves the clinician, validates each record with the credit rules, finds
    duplicates and writes all-or-nothing, whatever the format.

    :param register: call ``register(ImportFormat(name=..., label=..., reader=...,
        source=...))`` from ``credtrail.core.exchange``. ``name`` is lowercase and
        unique across plugins (a clash is an error naming both). ``reader(source,
        context)`` receives a ``TextSource`` (``.lines()`` streams decoded lines,
        ``.read_all(limit)`` reads a document) and a ``ReadContext`` (``.registry``),
        and yields one ``ImportRecord`` or ``RejectedRecord`` per record, lazily, so
        large files stream; it raises ``InputError`` for a problem with the whole file.
    :return: nothing.
    """
