"""The requirement rule engine: is a clinician compliant for a cycle, and why.

API for callers
---------------
(filled in as the engine lands; see docs/rules.md for the document format)

- ``load_requirement(document) -> RequirementVersion`` validates a TOML/JSON dict;
  raises ``RuleError`` naming each bad field by its path.
- ``read_requirement_file(path) -> dict`` reads a ``.toml``/``.json`` document, JSON-safe.
"""

from credtrail.core.rules.files import read_requirement_file
from credtrail.core.rules.kinds import Adjustment, Candidate, CycleWindow, RuleKindEvaluator
from credtrail.core.rules.model import RequirementVersion, load_requirement

__all__ = [
    "Adjustment",
    "Candidate",
    "CycleWindow",
    "RequirementVersion",
    "RuleKindEvaluator",
    "load_requirement",
    "read_requirement_file",
]
