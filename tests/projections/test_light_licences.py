"""Property: a licence row read light (``held_licence``, what the roster and the
views-only status read) agrees with the full ``LicenseState`` read from the same row
(``license_state``, what judging reads), and both choose the same licences in force."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from credtrail.core.domain import LicenseState
from credtrail.core.projections.transcript import LICENSE_COLUMNS, license_row, license_state
from credtrail.core.standing import held_licence, licences_in_force

days = st.dates(date(2015, 1, 1), date(2035, 12, 31))
licences = st.builds(
    LicenseState,
    license_id=st.text("abc#123", min_size=1, max_size=6),
    requirement_id=st.sampled_from(["", "us-tx-physician", "us-ca-physician", "nccpa"]),
    issued_on=days,
    expires_on=st.one_of(st.none(), days),
    birth_date=st.one_of(st.none(), days),
    number=st.one_of(st.none(), st.text(max_size=8)),
    ended_on=st.one_of(st.none(), days),
    kind=st.sampled_from(["license", "certification"]),
)


def _row(lic: LicenseState) -> dict[str, Any]:
    """The licence as the transcript view's row (column name -> value)."""
    return dict(zip(LICENSE_COLUMNS.split(", "), license_row("c1", lic), strict=True))


def _ids(chosen: list[Any]) -> list[tuple[str, str]]:
    return [(lic.requirement_id, lic.license_id) for lic in chosen]


@given(held=st.lists(licences, max_size=6), day=days)
def test_a_light_licence_row_chooses_what_the_full_state_chooses(
    held: list[LicenseState], day: date
) -> None:
    """held_licence(row) == license_state(row) on its fields; same licences in force."""
    rows = [_row(lic) for lic in held]
    light = [held_licence(r) for r in rows]
    full = [license_state(r) for r in rows]
    for a, b in zip(light, full, strict=True):
        assert (a.license_id, a.requirement_id, a.issued_on, a.ended_on) == (
            b.license_id,
            b.requirement_id,
            b.issued_on,
            b.ended_on,
        )
        assert (a.expires_on, a.number) == (b.expires_on, b.number)
        assert a.in_force_on(day) == b.in_force_on(day)
    for requirement in (None, "us-tx-physician"):
        assert _ids(licences_in_force(light, day, requirement)) == _ids(
            licences_in_force(full, day, requirement)
        )
