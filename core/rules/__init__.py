"""The requirement rule engine: is a clinician compliant for a cycle, what is missing, why.

API for callers
---------------
Documents (``docs/rules.md`` is the format reference):

- ``read_requirement_file(path) -> dict``: a ``.toml``/``.json`` document, JSON-safe.
- ``load_requirement(document) -> RequirementVersion``: validates; ``RuleError`` names
  each bad field by its path (``parts.1.units: ...``).
- ``check_requirement(version, registry)``: the codes it names are registered
  (credit types, authority, rule kinds); ``RuleError`` otherwise.

Evaluation (pure: no I/O; call it with state reconstructed as of any date):

- ``evaluate(documents, credits, license, registry, *, on, cycle_start=None) ->
  Evaluation``. ``documents``: every known version of one requirement (dicts as in
  ``RequirementVersionState.document``, or ``RequirementVersion``); ``credits``:
  ``ClinicianLedger.credits`` (or any iterable of ``CreditState``); ``license``: the
  ``LicenseState``; ``on``: the evaluation date (the cycle containing it is judged, and
  only credit completed/claimed by then counts); ``cycle_start``: judge the cycle
  starting that day instead (``credtrail explain --cycle``).
- ``evaluate_history(documents, credits, license, registry, *, on, since=None) ->
  list[Evaluation]``: every cycle up to the one containing ``on`` (from the one
  containing ``since``), judged on ``on``, sharing carry-over/cure work between cycles:
  use it to (re)build projections rather than calling ``evaluate`` per cycle.
- ``resolve(documents, license, on, cycle_start=None) -> (RequirementVersion,
  CycleWindow)``: which version and cycle that would be, without evaluating.
- ``cycle_windows(version.cycle, license, on)``: every cycle of a licence, in order.

``Evaluation`` has ``status`` (compliant, cured, in_progress, deficient, exempt),
``required``/``counted`` (the total's, else the due parts' sum), ``parts`` (per part:
required, counted, missing, status, why, source), ``missing``, ``allocation`` (credit,
part, units), ``excluded`` (credit, units, rule, reason), ``valued`` (weighting and
equivalence ratios), ``unused``, ``carry_in``/``carry_out``, ``cure`` (grace credit
applied), ``pathway`` (an alternative pathway taken), ``version_why`` (a transition's
choice), the version's ``source`` and ``notes``; ``to_json()`` is the ``--json`` shape
(units as decimal strings).

Facts over time the engine reads (all optional, ``docs/rules.md`` "Requirements over
time"): ``LicenseState.renewals`` (renewed on, term end renewed, new expiry),
``exams`` (name, date), ``certifications`` (name, from, until), ``attestations``
(part id, completed on, reason); ``CreditState.topic_units`` (units per topic).
A certification a rule REQUIRES (``required_certifications``, not a pathway's "in lieu")
is one more part: met (1 of 1) only when held on the cycle's end or the day judged,
missing otherwise, and then the cycle is never compliant.
Exams and certifications are the clinician's: ``credtrail.core.compliance.judge``
hands the engine a licence carrying every exam and every recorded certification
(over the periods it was held, ``LicenseState.held_periods``) of the clinician.
Each version governs the cycles its own ``version_policy`` selects.

Errors: ``RuleError`` for malformed documents or a licence missing what the cycle
needs (expiry, birth date, number); ``InputError`` for a date before the licence or a
``cycle_start`` no cycle starts on.
"""

from credtrail.core.rules.check import check_requirement
from credtrail.core.rules.cycles import cycle_containing, cycle_windows
from credtrail.core.rules.evaluate import (
    as_versions,
    evaluate,
    evaluate_history,
    license_cycles,
    resolve,
    select_version,
)
from credtrail.core.rules.files import read_requirement_file
from credtrail.core.rules.kinds import Adjustment, Candidate, CycleWindow, RuleKindEvaluator
from credtrail.core.rules.model import RequirementVersion, load_requirement
from credtrail.core.rules.result import (
    Counted,
    Evaluation,
    Excluded,
    PartResult,
    Unused,
    Valued,
)

__all__ = [
    "Adjustment",
    "Candidate",
    "Counted",
    "CycleWindow",
    "Evaluation",
    "Excluded",
    "PartResult",
    "RequirementVersion",
    "RuleKindEvaluator",
    "Unused",
    "Valued",
    "as_versions",
    "check_requirement",
    "cycle_containing",
    "cycle_windows",
    "evaluate",
    "evaluate_history",
    "license_cycles",
    "load_requirement",
    "read_requirement_file",
    "resolve",
    "select_version",
]
