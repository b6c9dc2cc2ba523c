"""Topics: one vocabulary for every profession, registered by plugins, enforced by core."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pluggy
import pytest

from credtrail.core import (
    CreditDraft,
    PluginError,
    Topic,
    build_plugin_manager,
    build_registry,
    hookimpl,
)
from credtrail.core.registry import core_violations
from credtrail.plugins import builtin_plugins

from .misbehaving import Optometry


class OptometryTopics(Optometry):
    """Optometry with its own topic, and one every built-in registers too."""

    @hookimpl
    def credtrail_register_topics(self, register: Callable[[Topic], None]) -> None:
        register(Topic(code="myopia-control", description="myopia management"))
        register(Topic(code="ethics", description="ethics, as optometry boards mean it"))


class BadSlug(Optometry):
    @hookimpl
    def credtrail_register_topics(self, register: Callable[[Topic], None]) -> None:
        register({"code": "Myopia Control", "description": "not a slug"})  # type: ignore[arg-type]


def pm_with(*extra: tuple[str, object], builtins: bool = True) -> pluggy.PluginManager:
    return build_plugin_manager(
        builtin_plugins() if builtins else (), extra=list(extra), load_entrypoints=False
    )


def draft(profession: str, credit_type: str, accreditor: str, *topics: str) -> CreditDraft:
    return CreditDraft(
        clinician_id="c-1",
        profession=profession,
        credit_type=credit_type,
        units=Decimal(1),
        completed_on=date(2025, 3, 1),
        provider="Provider",
        accreditor=accreditor,
        activity_id="act-1",
        topics=topics,
    )


BUILTIN_CREDITS = [
    ("physician", "ama_pra_1", "ACCME"),
    ("nurse", "ancc_contact_hour", "ANCC"),
    ("pa", "aapa_1", "AAPA"),
]


@pytest.mark.parametrize(("profession", "credit_type", "accreditor"), BUILTIN_CREDITS)
def test_a_misspelt_topic_is_refused_for_every_profession(
    profession: str, credit_type: str, accreditor: str
) -> None:
    """The same rule for physicians, nurses and PAs: an unregistered topic never counts."""
    registry = build_registry(pm_with())
    bad = draft(profession, credit_type, accreditor, "pain-managment", "Ethics")
    assert [(v.field, v.rule) for v in core_violations(registry, bad)] == [
        ("topics", "known-topic"),
        ("topics", "topic-slug"),
    ]
    good = draft(profession, credit_type, accreditor, "pain-management", "ethics")
    assert core_violations(registry, good) == []


def test_a_plugin_topic_counts_for_every_profession() -> None:
    """A topic a third-party plugin registers is known to credit of any profession."""
    registry = build_registry(pm_with(("optometry", OptometryTopics())))
    physician = draft("physician", "ama_pra_1", "ACCME", "myopia-control")
    assert core_violations(registry, physician) == []
    optometrist = draft("optometrist", "cope_hour", "ARBO", "myopia-control", "ethics")
    assert core_violations(registry, optometrist) == []


def test_the_same_slug_from_two_plugins_is_one_topic() -> None:
    """A shared slug (ethics) is merged, the first registration kept, not a clash."""
    registry = build_registry(pm_with(("optometry", OptometryTopics())))
    assert registry.owner("topic", "myopia-control") == "optometry"
    assert registry.owner("topic", "ethics") in {"physician_ama", "nursing_ancc", "pa_aapa"}
    assert list(registry.topics).count("ethics") == 1


def test_without_registered_topics_every_topic_is_refused() -> None:
    """No vocabulary loaded: any topic is unknown, and the message says none is registered."""
    registry = build_registry(pm_with(("optometry", Optometry()), builtins=False))
    (violation,) = core_violations(registry, draft("optometrist", "cope_hour", "ARBO", "ethics"))
    assert violation.message == "unknown topic 'ethics'; use one of: none registered"


def test_a_malformed_topic_names_the_plugin() -> None:
    """A registration that is not a slug is the plugin's error, naming plugin and hook."""
    with pytest.raises(PluginError) as caught:
        build_registry(pm_with(("optometry", BadSlug()), builtins=False))
    assert (caught.value.plugin, caught.value.hook) == ("optometry", "credtrail_register_topics")
    assert "code" in caught.value.problem
