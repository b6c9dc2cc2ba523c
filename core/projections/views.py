"""``Views``: the query API over the materialised views (catches up before reading)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from credtrail.core.errors import UnknownClinicianError
from credtrail.core.projections.runner import (
    DEFAULT_PAGE_SIZE,
    Progress,
    Runner,
    View,
    ViewStatus,
)
from credtrail.core.projections.transcript import Streams, TranscriptView, read_transcript
from credtrail.core.store import EventStore
from credtrail.core.transcript import Transcript


class Views:
    """The projections of one store: keep them current, rebuild them, read them."""

    def __init__(self, store: EventStore, *, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        self.store = store
        streams = Streams()
        views: list[View] = [TranscriptView(streams)]
        self.runner = Runner(store, views, page_size=page_size)

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.runner.views]

    def catch_up(self, progress: Callable[[Progress], None] | None = None) -> int:
        return self.runner.catch_up(progress)

    def rebuild(
        self,
        names: Sequence[str] | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> int:
        return self.runner.rebuild(names, progress)

    def status(self) -> list[ViewStatus]:
        return self.runner.status()

    def transcript(self, clinician_id: str, *, catch_up: bool = True) -> Transcript:
        """A clinician's transcript from the view, equal to ``transcript_of(ledger)``."""
        if catch_up:
            self.catch_up()
        with self.runner.db.transaction(commit=False) as cur:
            result = read_transcript(cur, clinician_id)
        if result is None:
            raise UnknownClinicianError(clinician_id)
        return result
