"""The built-in certification vocabulary (``plugins/*/certifications/*.toml``) is coherent
with the rules that read it."""

from __future__ import annotations

import tomllib
from pathlib import Path

from credtrail.core.registry import Registry

RULES = Path(__file__).parents[2] / "plugins"


def test_every_certification_names_a_known_certifier_and_requirement(registry: Registry) -> None:
    """Each certification's certifier is a registered authority serving its professions,
    its requirement a built-in requirement, and its source a cited address."""
    assert {"nccpa-pa-c", "ancc-np", "aanpcb-fnp"} <= set(registry.certifications)
    known = set(registry.requirement_ids())
    for code, cert in registry.certifications.items():
        authority = registry.authorities[cert.certifier]
        assert set(cert.professions) <= set(authority.professions), code
        assert cert.requirement is None or cert.requirement in known, code
        assert cert.source.url, code
        assert cert.source.url.startswith("https://"), code


def test_every_pathway_certification_name_is_held_by_some_certification(
    registry: Registry,
) -> None:
    """A pathway naming a certification can be taken by a recorded one (its code or a name
    it counts as), except the accrediting bodies Florida names (NCCA, ABSNC), which no
    certification here is confirmed to carry."""
    names = {n for c in registry.certifications.values() for n in (c.code, *c.counts_as)}
    named = set()
    for path in sorted(RULES.glob("*/rules/*.toml")):
        with path.open("rb") as handle:
            document = tomllib.load(handle)
        for pathway in document.get("pathways", []):
            named.update(pathway.get("certifications", []))
    assert named - names == {"NCCA", "ABSNC"}
    assert "nccpa-pa-c" in named
