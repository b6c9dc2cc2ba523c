"""Property tests for plugins: Hypothesis feeds a plugin odd and wrong credits.

Needs Hypothesis (``pip install 'credtrail[testing]'``), which ``PluginContract``
does not. Add the mix-in beside the contract::

    from credtrail.core.testing.contract import PluginContract
    from credtrail.core.testing.properties import PluginProperties

    class TestMyPlugin(PluginContract, PluginProperties):
        plugin = my_plugin
        plugin_name = "my_plugin"
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import ClassVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrail.core.models import CreditDraft, Violation
from credtrail.core.registry import Registry
from credtrail.core.testing.contract import PluginContract

__all__ = ["PluginProperties", "bad_drafts"]


_ODD_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=24)


def bad_drafts(registry: Registry, own_types: Sequence[str]) -> st.SearchStrategy[CreditDraft]:
    """Credits of the plugin's types with wrong, odd or extreme values in every field."""
    accreditors = sorted(registry.accreditors)
    professions = sorted(registry.professions)
    units = st.one_of(
        st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(9999), places=4),
        st.sampled_from([Decimal("0.0001"), Decimal("0.1"), Decimal("1000000")]),
    )
    return st.builds(
        CreditDraft,
        clinician_id=st.just("contract-clinician"),
        profession=st.sampled_from([*professions, "unknown_profession"]),
        credit_type=st.sampled_from(list(own_types)),
        units=units,
        completed_on=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
        provider=st.one_of(st.just(""), _ODD_TEXT),
        accreditor=st.one_of(st.none(), st.sampled_from([*accreditors, "NOT-AN-ACCREDITOR"])),
        activity_id=st.one_of(st.just(""), _ODD_TEXT, st.just("0000-0000-00-000-X00-Z")),
        title=st.one_of(st.none(), _ODD_TEXT),
        topics=st.lists(
            st.one_of(st.sampled_from(["ethics", "pain-management", "law"]), _ODD_TEXT),
            max_size=3,
        ).map(tuple),
        format=st.one_of(st.none(), _ODD_TEXT, st.sampled_from(["live", "enduring", "direct:"])),
        designated_units=st.one_of(st.none(), units),
    )


class PluginProperties:
    """Mix-in for a ``PluginContract`` subclass: Hypothesis property tests.

    ``bad_draft_examples``: examples per property (default 60).
    """

    bad_draft_examples: ClassVar[int] = 60

    def test_validation_never_raises_on_bad_credits(self) -> None:
        """Odd and wrong credits of the plugin's types give violations, never an exception."""
        assert isinstance(self, PluginContract), "mix PluginProperties into a PluginContract"
        own = self.owned("credit_type")
        assert own, f"{self.plugin_name} registers no credit type: drop PluginProperties"
        registry = self.contract_registry()

        @settings(
            max_examples=self.bad_draft_examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(draft=bad_drafts(registry, own))
        def check(draft: CreditDraft) -> None:
            result = self.validate_with_plugin(draft)
            assert all(isinstance(v, Violation) for v in result)

        check()
