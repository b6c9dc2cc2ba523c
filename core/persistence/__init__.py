"""Persistence: eventsourcing's recorders plus credtrail's own tables, one concern a module.

- :mod:`.chain`     the hash chain, the event hashes and the per-batch (signed) heads
- :mod:`.mapper`    pydantic events to stored events and back
- :mod:`.signing`   the organisation's Ed25519 key: files, ids, signed statements
- :mod:`.location`  where the store is (file or PostgreSQL URL), secrets masked
- :mod:`.sqlite`    the SQLite recorder
- :mod:`.postgres`  the PostgreSQL recorder (imported only when a PostgreSQL store is used)
- :mod:`.files`     creating files privately (0600), never through a symlink
- :mod:`.retry`     retrying idempotent commands refused by optimistic concurrency

``credtrail.core.store`` keeps the application (``EventStore``) and re-exports the
names other modules use.
"""
