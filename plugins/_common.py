"""Helpers the built-in plugins share: citations, rule loading, rounding, topic checks.

Third-party plugins may use them too, but nothing in core depends on this module.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

from credtrail.core.errors import InputError, PluginError
from credtrail.core.models import TOPIC_PATTERN, Authority, Citation, Equivalence, Violation
from credtrail.plugins.topics import KNOWN_TOPICS, TOPICS_SOURCE

DATE_READ = date(2026, 11, 23)
"""When the sources cited by the built-in plugins were read (research.md)."""

Confidence = Literal["authority", "secondary", "unconfirmed"]


def cite(
    authority: str,
    document: str,
    *,
    url: str | None = None,
    section: str | None = None,
    confidence: Confidence = "authority",
    note: str | None = None,
    date_read: date = DATE_READ,
) -> Citation:
    """A ``Citation`` read on ``DATE_READ`` unless told otherwise."""
    return Citation(
        authority=authority,
        document=document,
        section=section,
        url=url,
        date_read=date_read,
        confidence=confidence,
        note=note,
    )


# -- requirement documents ----------------------------------------------------------


def load_rule_documents(folder: Path) -> list[dict[str, Any]]:
    """Every ``*.toml`` in ``folder`` (sorted by name), parsed; none if it is missing.

    :raises InputError: a file is not valid TOML (the message names the file).
    """
    if not folder.is_dir():
        return []
    documents = []
    for path in sorted(folder.glob("*.toml")):
        try:
            with path.open("rb") as handle:
                documents.append(tomllib.load(handle))
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{path}: not valid TOML: {exc}") from None
    return documents


def register_rule_documents(
    plugin: str, folder: Path, register: Callable[[dict[str, Any]], None]
) -> None:
    """Hand every requirement document in ``folder`` to ``register``."""
    try:
        documents = load_rule_documents(folder)
    except InputError as exc:
        # A broken file shipped with a plugin is the plugin's fault, not the user's.
        raise PluginError(plugin, "credtrail_register_requirements", str(exc)) from None
    for document in documents:
        register(document)


def load_authorities(folder: Path) -> list[Authority]:
    """Every ``[[authority]]`` of every ``*.toml`` in ``folder`` (sorted by file name).

    Authorities are data like requirements: a board added for a new state is a file
    beside the others (``authorities/<group>.toml``), not code.

    :raises InputError: a file is not valid TOML or an entry is not a valid authority.
    """
    if not folder.is_dir():
        return []
    out: list[Authority] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            with path.open("rb") as handle:
                entries = tomllib.load(handle).get("authority", [])
            out.extend(Authority.model_validate(entry) for entry in entries)
        except (tomllib.TOMLDecodeError, ValueError) as exc:
            raise InputError(f"{path}: {exc}") from None
    return out


def load_equivalences(folder: Path) -> list[Equivalence]:
    """Every ``[[equivalence]]`` of every ``*.toml`` in ``folder`` (sorted by file name).

    Beside the authorities they name: a state board accepting AMA PRA Category 1 for
    its PAs says so in the same file as the board (``authorities = ["AL-BME-PA"]``).

    :raises InputError: a file is not valid TOML or an entry is not a valid equivalence.
    """
    if not folder.is_dir():
        return []
    out: list[Equivalence] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            with path.open("rb") as handle:
                entries = tomllib.load(handle).get("equivalence", [])
            out.extend(Equivalence.model_validate(entry) for entry in entries)
        except (tomllib.TOMLDecodeError, ValueError) as exc:
            raise InputError(f"{path}: {exc}") from None
    return out


# -- time to credit -----------------------------------------------------------------

_QUARTER_HOUR = Decimal(15)


def nearest_quarter_hour(minutes: int) -> Decimal:
    """Hours of ``minutes``, rounded to the nearest quarter hour (0.25), as a Decimal.

    Integer minutes never fall exactly between two quarters (that needs 7.5 minutes),
    so the rounding direction of ties never matters for whole minutes.

    :raises InputError: ``minutes`` is negative or not an integer.
    """
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        raise InputError(f"minutes must be a whole number >= 0, got {minutes!r}")
    quarters = (Decimal(minutes) / _QUARTER_HOUR).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (quarters / 4).quantize(Decimal("0.01"))


# -- topics -------------------------------------------------------------------------

_TOPIC_RE = re.compile(TOPIC_PATTERN)


def topic_violations(topics: Iterable[str]) -> list[Violation]:
    """A violation for each topic that is not a lowercase slug or not a known topic."""
    out = []
    for topic in topics:
        if not _TOPIC_RE.match(topic):
            out.append(
                Violation(
                    field="topics",
                    rule="topic-slug",
                    message=(
                        f"topic {topic!r} must be a lowercase slug such as 'pain-management' "
                        "(letters, digits and single hyphens)"
                    ),
                    source=TOPICS_SOURCE,
                )
            )
        elif topic not in KNOWN_TOPICS:
            out.append(
                Violation(
                    field="topics",
                    rule="known-topic",
                    message=(
                        f"unknown topic {topic!r}; use one of: {', '.join(sorted(KNOWN_TOPICS))}"
                    ),
                    source=TOPICS_SOURCE,
                )
            )
    return out
