"""docs/requirements.md is generated from the rule data and every rule cites a dated source."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from types import ModuleType

from credtrail.core.registry import Registry
from credtrail.core.rules import load_requirement

from .test_builtin_files import LATEST_READ

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    path = ROOT / "scripts" / "gen_requirements_doc.py"
    spec = importlib.util.spec_from_file_location("gen_requirements_doc", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_requirements_doc_is_the_generated_one(registry: Registry) -> None:
    """Run `python scripts/gen_requirements_doc.py` after changing a rule file."""
    generated = _generator().render(registry)
    committed = (ROOT / "docs" / "requirements.md").read_text(encoding="utf-8")
    assert committed == generated, (
        "docs/requirements.md is stale: run scripts/gen_requirements_doc.py"
    )


def test_every_builtin_requirement_cites_an_address_and_a_date_read(registry: Registry) -> None:
    """Every version of every built-in requirement has a source with a URL and a read date."""
    assert registry.requirements
    for key, document in registry.requirements.items():
        version = load_requirement(document)
        source = version.source
        assert source.url, f"{key}: the source needs a url"
        assert source.url.startswith(("http://", "https://")), f"{key}: {source.url}"
        assert date(2000, 1, 1) <= source.date_read <= LATEST_READ, key
        for part in version.parts:
            if part.source is not None:
                assert part.source.date_read <= LATEST_READ, f"{key} part {part.id}"
                if part.source.url:
                    assert part.source.url.startswith(("http://", "https://")), key


def test_every_doubtful_source_says_why(registry: Registry) -> None:
    """A source below authority level explains itself in its note (for the reader of the doc)."""
    for key, document in registry.requirements.items():
        version = load_requirement(document)
        for citation in [version.source, *(p.source for p in version.parts if p.source)]:
            if citation.confidence != "authority":
                assert citation.note, f"{key}: {citation.document}"
