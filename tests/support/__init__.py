"""Helpers for credtrail's own test-suite: fixtures' machinery lives here, not in conftest."""
