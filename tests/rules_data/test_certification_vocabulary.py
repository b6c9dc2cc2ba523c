"""The built-in certification vocabulary (``plugins/*/certifications/*.toml``) is coherent
with the rules that read it."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from credtrail.core.errors import PluginError
from credtrail.core.hookspecs import hookimpl
from credtrail.core.models import Certification, Citation
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.registry import Registry, build_registry
from credtrail.plugins import builtin_plugins

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


class _Certifier:
    """A plugin registering one certification through the hook (as a third party would)."""

    def __init__(self, certifier: str) -> None:
        self.certifier = certifier

    @hookimpl
    def credtrail_register_certifications(self, register: Callable[[Certification], None]) -> None:
        register(
            Certification(
                code="xx-test-cert",
                name="A test certification",
                certifier=self.certifier,
                professions=("pa",),
                requirement="nccpa-cme",
                source=Citation(
                    authority="X",
                    document="test",
                    url="https://x.invalid",
                    date_read=date(2026, 12, 7),
                ),
            )
        )


def test_a_plugin_registers_a_certification_whose_certifier_must_be_known() -> None:
    """credtrail_register_certifications adds to the vocabulary; an unknown certifier is the
    plugin's error, named."""
    pm = build_plugin_manager(
        builtin_plugins(), load_entrypoints=False, extra=[("certifier", _Certifier("NCCPA"))]
    )
    assert build_registry(pm).certification("xx-test-cert").certifier == "NCCPA"
    bad = build_plugin_manager(
        builtin_plugins(), load_entrypoints=False, extra=[("certifier", _Certifier("XX-NOBODY"))]
    )
    with pytest.raises(PluginError, match="names unknown certifier 'XX-NOBODY'"):
        build_registry(bad)
