"""What a user may type, decided once: numbers, identifiers, free text, NPIs.

Every entry point (the CLI's options, each import format, the Python API's request
models) parses through these functions, so ``1_0``, ``٣`` or an ANSI escape sequence
is refused the same way everywhere. Each function raises ``ValueError`` with a message
written for the user (pydantic turns it into a field error; readers and the CLI name
the field, the file and the line).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

MAX_ID = 128
"""Longest identifier (clinician, credit, licence, activity)."""
MAX_TEXT = 1000
"""Longest free text (names, titles, providers, reasons)."""

_UNITS = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
"""Bidirectional overrides, isolates and marks: they make text display other than it is."""


def parse_units(text: str) -> Decimal:
    """A decimal amount as a person writes it: ASCII digits with at most one point
    (and a leading minus, so the caller can say the amount must be positive).

    Python's ``Decimal`` also reads ``1_0`` (10), ``1e2``, ``NaN``, ``٣`` and ``２``;
    none of those is what a certificate says, so they are refused here.

    :raises ValueError: anything else, with a message naming the value.
    """
    cleaned = text.strip()
    if not _UNITS.fullmatch(cleaned):
        raise ValueError(
            f"{text!r} is not a number of units; write digits with at most one point, e.g. 1.5"
        )
    return Decimal(cleaned)


class UnitsError(ValueError):
    """Raised by :func:`read_units`; ``rule`` names the rule broken (for import reports)."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


def read_units(value: object) -> Decimal:
    """A positive amount of credit units as a user, a file or a Python caller gives it.

    Text goes through :func:`parse_units`; a ``Decimal`` or ``int`` is taken as it is;
    a bool or a float is refused (0.1 is not exact). The amount must be finite,
    positive, with at most 4 decimal places and fewer than 9 integer digits. The one
    rule for units: the request models, the CLI's options and every import reader use it.

    :raises UnitsError: with a message naming the value and the rule broken.
    """
    if isinstance(value, str):
        text = value.strip()
        try:
            amount = parse_units(value)
        except ValueError as exc:
            raise UnitsError(str(exc), "number") from None
    elif isinstance(value, int | Decimal) and not isinstance(value, bool):
        text, amount = str(value), Decimal(value)
    else:
        raise UnitsError(
            f"{value!r} is not a number of units; give a Decimal or a string such as '1.5'",
            "number",
        )
    if not amount.is_finite():
        raise UnitsError(f"{text!r} is not a number of units", "number")
    if amount <= 0:
        raise UnitsError(f"{text} must be a positive number of units", "positive-units")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        raise UnitsError(f"{text} has more than 4 decimal places", "units-precision")
    if amount.adjusted() >= 8:
        raise UnitsError(f"{text} is not a plausible number of units", "units-range")
    return amount


_BAD = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(_BIDI)) + "]")
"""Control characters (Unicode category Cc), surrogates (Cs) and bidi controls: one
regular expression, so checking every field of a large import stays cheap."""


def format_units(value: Decimal) -> str:
    """Units as users write them: ``1.5``, ``2``, ``0.25`` (no exponent, no trailing zeros)."""
    text = format(value.normalize(), "f")
    return text


def _bad_character(text: str) -> str | None:
    found = _BAD.search(text)
    if found is None:
        return None
    char = found.group()
    if char in _BIDI:
        return f"a bidirectional control character (U+{ord(char):04X})"
    if unicodedata.category(char) == "Cs":
        return f"an unpaired surrogate (U+{ord(char):04X})"
    return f"a control character (U+{ord(char):04X})"


def check_text(text: str, *, limit: int = MAX_TEXT, what: str = "text") -> str:
    """Free text one line long: no control, surrogate or bidirectional characters.

    :raises ValueError: the text has such a character or is longer than ``limit``.
    """
    problem = _bad_character(text)
    if problem:
        raise ValueError(f"{what} contains {problem}; type it as plain text")
    if len(text) > limit:
        raise ValueError(f"{what} is {len(text)} characters long; at most {limit} are allowed")
    return text


def check_id(text: str, *, what: str = "id") -> str:
    """An identifier: plain text without spaces at its ends, at most ``MAX_ID`` long.

    :raises ValueError: empty, padded, too long, or holding control characters.
    """
    check_text(text, limit=MAX_ID, what=what)  # a newline is a control character first
    if not text or not text.strip():
        raise ValueError(f"{what} is empty")
    if text != text.strip():
        raise ValueError(f"{what} {text.strip()!r} has spaces at its start or end")
    return text


def npi_check_digit_ok(npi: str) -> bool:
    """The NPI's Luhn check digit is right (CMS: Luhn over the prefix 80840 + 9 digits)."""
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    digits = [int(d) for d in "80840" + npi[:9]]
    total = 0
    # Double every second digit from the right of the 14-digit body.
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


def check_npi(npi: str) -> str:
    """A 10-digit NPI with a valid check digit.

    :raises ValueError: not 10 ASCII digits, or the check digit is wrong.
    """
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        raise ValueError(f"{npi!r} is not an NPI (10 digits)")
    if not npi_check_digit_ok(npi):
        raise ValueError(f"{npi} is not a valid NPI: its check digit (the last digit) is wrong")
    return npi


_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` safe for a terminal: escape sequences and control characters removed
    (a clinician id read from a file must not be able to move the cursor or recolour)."""
    cleaned = _ESCAPES.sub("", text)
    return "".join(c for c in cleaned if c not in _BIDI and unicodedata.category(c) != "Cs")
