"""Every error credtrail raises on purpose.

The CLI prints a ``CredtrailError`` as ``Error: <message>`` and exits 1; any other
exception is a bug. Leaves also inherit the builtin they behave like, so callers
that only know Python can still catch them.

::

    CredtrailError
    ├── StoreError                       the store cannot be opened or used
    │   └── StoreNotInitialisedError     no credtrail store at that location yet
    ├── PluginError                      a plugin misbehaved (names plugin and hook)
    │   └── DuplicateRegistrationError   two plugins registered the same code
    ├── UnknownCodeError (KeyError)      a code nobody registered
    │   ├── UnknownProfessionError
    │   ├── UnknownCreditTypeError
    │   ├── UnknownAccreditorError
    │   ├── UnknownAuthorityError
    │   └── UnknownRequirementError
    ├── NotFoundError (LookupError)      an id that is not in the store
    │   ├── UnknownClinicianError
    │   ├── UnknownCreditError
    │   └── UnknownLicenseError
    ├── ConflictError                    the command contradicts what is recorded
    │   ├── StoreChangedError            another writer saved first (optimistic concurrency)
    │   ├── ClinicianExistsError
    │   ├── DuplicateCreditError
    │   ├── DuplicateNpiError
    │   ├── CreditRevokedError
    │   └── OverClaimError
    ├── CreditRejectedError (ValueError) validation found violations (lists them)
    ├── RuleError (ValueError)           a requirement document is malformed
    ├── InputError (ValueError)          a file or value given by the user is malformed
    │   └── InvalidInputError            one field of a command is unacceptable (names it)
    ├── AuditError                       an audit cannot be done as asked (bad checkpoint, bundle)
    │   └── LogIntegrityError            verification found the log altered (names the first break)
    └── StaleViewError                   a view was built with other plugins: rebuild it
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from credtrail.core.models import Violation


class CredtrailError(Exception):
    """Root of every error credtrail raises on purpose."""


class StoreError(CredtrailError):
    """Raised when the event store cannot be opened, created or written."""


class StoreNotInitialisedError(StoreError, FileNotFoundError):
    """Raised when a command needs a store that ``credtrail init`` has not created."""


class PluginError(CredtrailError):
    """Raised when a plugin raises, returns garbage or breaks the hook contract.

    The message names the plugin and the hook, so the user knows whom to blame.
    """

    def __init__(self, plugin: str, hook: str, problem: str) -> None:
        self.plugin = plugin
        self.hook = hook
        self.problem = problem
        super().__init__(f"plugin {plugin!r} ({hook}): {problem}")


class DuplicateRegistrationError(PluginError):
    """Raised when two plugins (or one, twice) register the same code."""


class UnknownCodeError(CredtrailError, KeyError):
    """Raised when a code (profession, credit type, ...) was registered by no plugin."""

    kind = "code"
    #: the command listing every known code, named when the list is too long to print
    listing = ""
    #: up to this many known codes are printed in the message
    LISTED = 12

    def __init__(self, code: str, known: Sequence[str] = ()) -> None:
        self.code = code
        self.known = list(known)
        super().__init__(f"unknown {self.kind} {code!r}{self._hint()}")

    def _hint(self) -> str:
        """The known codes, or (when there are many) the closest ones and where to see all."""
        if not self.known:
            return ""
        if len(self.known) <= self.LISTED:
            return f"; known: {', '.join(sorted(self.known))}"
        close = difflib.get_close_matches(self.code, self.known, n=3, cutoff=0.75)
        guess = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        where = f": {self.listing}" if self.listing else ""
        return f"{guess} ({len(self.known)} known{where})"

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class UnknownProfessionError(UnknownCodeError):
    """Raised for a profession code no plugin registered."""

    kind = "profession"


class UnknownCreditTypeError(UnknownCodeError):
    """Raised for a credit type code no plugin registered."""

    kind = "credit type"
    listing = "credtrail credit-types"


class UnknownAccreditorError(UnknownCodeError):
    """Raised for an accreditor code no plugin registered."""

    kind = "accreditor"
    listing = "credtrail accreditors"


class UnknownAuthorityError(UnknownCodeError):
    """Raised for an authority code no plugin registered."""

    kind = "authority"
    listing = "credtrail authorities"


class UnknownCertificationError(UnknownCodeError):
    """Raised for a certification code no plugin registered."""

    kind = "certification"
    listing = "credtrail certification list --known"


class UnknownRequirementError(UnknownCodeError):
    """Raised for a requirement id that is neither built in nor recorded."""

    kind = "requirement"
    listing = "credtrail requirement list"


class NotFoundError(CredtrailError, LookupError):
    """Raised when an id given by the user is not in the store."""


class UnknownClinicianError(NotFoundError):
    """Raised when no clinician with that id was added."""

    def __init__(self, clinician_id: str) -> None:
        self.clinician_id = clinician_id
        super().__init__(
            f"unknown clinician {clinician_id!r}; add it first with "
            f"'credtrail clinician add {clinician_id} --profession ...'"
        )


class UnknownCreditError(NotFoundError):
    """Raised when a clinician has no credit with that id."""

    def __init__(self, clinician_id: str, credit_id: str) -> None:
        super().__init__(
            f"clinician {clinician_id!r} has no credit {credit_id!r}; "
            f"see 'credtrail transcript {clinician_id}'"
        )


class UnknownLicenseError(NotFoundError):
    """Raised when a clinician has no license with that id or requirement."""


class ConflictError(CredtrailError):
    """Raised when a command contradicts what the store already records."""


class StoreChangedError(ConflictError):
    """Raised when another writer saved the same aggregate first: nothing was written.

    Idempotent commands retry it themselves (``credtrail.core.persistence.retry``).
    """


class ClinicianExistsError(ConflictError):
    """Raised when adding a clinician id that is already taken."""


class DuplicateCreditError(ConflictError):
    """Raised when the same credit (same natural key) is recorded twice."""

    def __init__(self, clinician_id: str, existing_credit_id: str) -> None:
        self.existing_credit_id = existing_credit_id
        super().__init__(
            f"clinician {clinician_id!r} already has this credit (same provider, activity, "
            f"date and type) as {existing_credit_id!r}; revoke it first to correct it"
        )


class DuplicateNpiError(ConflictError):
    """Raised when adding a clinician with an NPI another clinician already has."""

    def __init__(self, npi: str, holder: str) -> None:
        self.npi = npi
        self.holder = holder
        super().__init__(
            f"npi: {npi} already belongs to clinician {holder!r}; one NPI identifies one clinician"
        )


class CreditRevokedError(ConflictError):
    """Raised when claiming or revoking a credit that was revoked."""


class OverClaimError(ConflictError, ValueError):
    """Raised when a claim would exceed the unclaimed units of a credit for an authority."""


class CreditRejectedError(CredtrailError, ValueError):
    """Raised when plugin or core validation finds violations in a credit."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = list(violations)
        lines = "; ".join(v.describe() for v in self.violations)
        super().__init__(f"credit rejected: {lines}")


class RuleError(CredtrailError, ValueError):
    """Raised when a requirement document does not follow the rule format."""


class InputError(CredtrailError, ValueError):
    """Raised when a value or file the user gave is malformed (names where)."""


class InvalidInputError(InputError):
    """Raised when one value given to a command (CLI option, request field, Python API
    argument) is not acceptable; the one-line message starts with the field's name."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class AuditError(CredtrailError):
    """Raised when an audit cannot be done as asked: a malformed checkpoint or bundle
    file, an as-of instant without a timezone, a clinician unknown at that instant."""


class LogIntegrityError(AuditError):
    """Raised when verification finds the log altered; ``problem`` is the first break.

    The message names the position, stream, version and what differs.
    """

    def __init__(self, message: str, problem: object | None = None) -> None:
        self.problem = problem
        super().__init__(message)


class StaleViewError(CredtrailError):
    """Raised when a view was built with other plugins than the ones loaded now.

    Its rows were judged by rules, credit types or equivalences that may have changed,
    so catching it up would mix two rule sets; the message says how to rebuild it.
    """

    def __init__(self, views: Sequence[str]) -> None:
        self.views = list(views)
        names = ", ".join(self.views)
        options = " ".join(f"--view {v}" for v in self.views)
        super().__init__(
            f"the {names} view{'s were' if len(self.views) > 1 else ' was'} built with other "
            "plugins than the ones loaded now (installed, removed, upgraded or registering "
            "something else), so its rows may be judged by rules that changed; with the "
            f"plugins loaded now, rebuild with 'credtrail projections rebuild {options}'"
        )
