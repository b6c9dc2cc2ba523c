"""An entry-point target for the discovery tests: the well-behaved optometry plugin."""

from __future__ import annotations

from .misbehaving import Optometry, RaisesOnRegister

plugin = Optometry()
credtrail_register_professions = plugin.credtrail_register_professions
credtrail_register_accreditors = plugin.credtrail_register_accreditors
credtrail_register_credit_types = plugin.credtrail_register_credit_types
credtrail_validate_credit = plugin.credtrail_validate_credit

raising = RaisesOnRegister()
"""Entry point ``pdk.sample_ep:raising``: a plugin whose registration hook raises."""
