"""What a user may type: strict numbers, plain text, valid NPIs, safe terminal output."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credtrail.core.errors import InputError
from credtrail.core.exchange.sources import TextSource
from credtrail.core.inputs import (
    check_id,
    check_npi,
    check_text,
    npi_check_digit_ok,
    parse_units,
    printable,
)

_PLAIN = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)")


@pytest.mark.parametrize("text", ["1_0", "٣", "２", "1e2", "NaN", "Infinity", "1.2.3", "10.", ""])
def test_units_refuse_what_python_decimal_would_read(text: str) -> None:
    """1_0 is not 10, and non-ASCII digits are not digits a certificate prints."""
    with pytest.raises(ValueError, match="is not a number of units"):
        parse_units(text)


@given(st.text(max_size=12))
def test_units_accept_exactly_ascii_decimals(text: str) -> None:
    """Any string is either an ASCII decimal (read exactly) or refused with a message."""
    if _PLAIN.fullmatch(text.strip()):
        assert parse_units(text) == Decimal(text.strip())
    else:
        with pytest.raises(ValueError, match="is not a number of units"):
            parse_units(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("dr\nrivera", "control character (U+000A)"),
        ("dr\x1b[31mred", "control character (U+001B)"),
        ("dr\u202eavir", "bidirectional control character (U+202E)"),
        ("dr\ud800", "unpaired surrogate (U+D800)"),
        ("x\x00", "control character (U+0000)"),
    ],
)
def test_ids_with_control_bidi_or_surrogate_characters_are_refused(text: str, problem: str) -> None:
    """An id that would print differently from what it is never gets in."""
    with pytest.raises(ValueError, match=re.escape(problem)):
        check_id(text, what="clinician id")


def test_ids_and_text_are_bounded() -> None:
    """100,000 characters is not an id, nor a name."""
    with pytest.raises(ValueError, match="at most 128"):
        check_id("a" * 100_000)
    with pytest.raises(ValueError, match="at most 1000"):
        check_text("a" * 1001)
    assert check_id("dr-rivera") == "dr-rivera"
    with pytest.raises(ValueError, match="spaces at its start or end"):
        check_id(" dr-rivera")


def test_npi_check_digit_follows_the_cms_luhn_rule() -> None:
    """CMS's example NPI 1234567893 is valid; a wrong last digit is named as such."""
    assert npi_check_digit_ok("1234567893")
    assert not npi_check_digit_ok("1234567890")
    with pytest.raises(ValueError, match="check digit"):
        check_npi("1234567890")
    with pytest.raises(ValueError, match="10 digits"):
        check_npi("１２３４５６７８９３")


@given(st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_exactly_one_check_digit_completes_each_npi(base: str) -> None:
    """For every 9-digit base exactly one of the ten last digits is valid."""
    assert sum(npi_check_digit_ok(base + str(d)) for d in range(10)) == 1


def test_printable_strips_escape_sequences_but_keeps_text() -> None:
    """Terminal output never carries an id's escape sequences or bidi overrides."""
    assert printable("dr-\x1b[31mred\x1b[0m\u202e!") == "dr-red!"


def test_a_fifo_or_device_is_refused_before_reading(tmp_path: Path) -> None:
    """/dev/zero or a FIFO would be read without end: refused by what they are."""
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        TextSource(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        TextSource(Path("/dev/zero"))
