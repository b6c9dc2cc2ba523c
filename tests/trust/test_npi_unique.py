"""NPI uniqueness through the transcript view, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest

from credtrail.core.application import Credtrail
from credtrail.core.errors import DuplicateNpiError


def test_a_second_clinician_with_an_npi_is_refused_on_every_backend(app: Credtrail) -> None:
    """The view answers who holds an NPI; the second registration names the first."""
    app.add_clinician("md-1", "physician", npi="1234567893")
    app.add_clinician("md-2", "physician")
    assert app.npi_holders() == {"1234567893": "md-1"}
    assert app.clinician_with_npi("1234567893") == "md-1"
    assert app.clinician_with_npi("1245319599") is None
    with pytest.raises(DuplicateNpiError, match="'md-1'"):
        app.add_clinician("md-3", "nurse", npi="1234567893")
    assert not app.has_clinician("md-3")
