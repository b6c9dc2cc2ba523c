"""Audit: what the system knew at a past instant, and proof the log was not rewritten.

API for callers (docs/audit.md has the details and the hashing scheme)
------------------------------------------------------------------------
- ``integrity.verify(store, checkpoint=None) -> VerifyReport``: recompute every
  event hash and chain link in log order, streamed; ``.problem`` names the first
  break (position, stream, clinician/requirement, version, what differs).
  ``make_checkpoint(store, trusted=None) -> Checkpoint`` (JSON: position, event
  count, chain head, RFC 6962 root, created_at).
- ``asof.AsOf(store, as_of)``: ``ledger(id)``, ``transcript(id)``, ``clinicians()``,
  ``requirement(id, on=)``, ``requirement_history(id)``: only events recorded <= as_of.
- ``compliance.standings(view, ledger, registry, on=None, requirement_id=None)``: the
  rule engine on state and rule versions known at the instant.
- ``diff.changes_since(store, as_of, clinician_id=None)``: events recorded after the
  instant, each with why (late-record, revocation, rule-change, ...).
- ``bundle.export_bundle(...)`` / ``bundle.verify_bundle(folder, trusted=, registry=)``:
  evidence bundles verifiable without the store.
- ``merkle``: RFC 6962 trees, inclusion and consistency proofs, offline checks.
"""
