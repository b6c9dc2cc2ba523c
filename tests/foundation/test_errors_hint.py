"""An unknown code's message: the whole list when short, the closest codes when long."""

from __future__ import annotations

from credtrail.core.errors import UnknownProfessionError, UnknownRequirementError

REQUIREMENTS = [
    f"us-{state}-{who}"
    for state in ("tx", "ca", "ny", "fl", "oh")
    for who in ("physician", "nurse", "pa")
]


def test_a_short_list_of_known_codes_is_printed_whole() -> None:
    """Three professions: every one is named, sorted."""
    error = UnknownProfessionError("physicain", ["physician", "nurse", "pa"])
    assert str(error) == "unknown profession 'physicain'; known: nurse, pa, physician"


def test_a_long_list_names_the_closest_codes_and_the_listing_command() -> None:
    """A typo among fifteen requirements is answered with the likely one, not the list."""
    error = UnknownRequirementError("us-tx-physican", REQUIREMENTS)
    assert str(error).startswith(
        "unknown requirement 'us-tx-physican'; did you mean 'us-tx-physician'"
    )
    assert str(error).endswith("(15 known: credtrail requirement list)")
    assert "us-oh-nurse" not in str(error)


def test_a_code_like_no_known_one_gets_only_the_count() -> None:
    """Nothing close: no guess, the count and where to see them all."""
    error = UnknownRequirementError("texas", REQUIREMENTS)
    assert str(error) == "unknown requirement 'texas' (15 known: credtrail requirement list)"
