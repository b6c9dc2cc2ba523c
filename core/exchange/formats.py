"""Import formats: what a format is, the built-in ones, and the ones plugins add.

A format is a name and a reader, registered through the
``credtrail_register_import_formats`` hook: core's profession-neutral ones (``csv``,
``openbadges``, ``cebroker``) by core's default plugins (``CORE_PLUGINS``), a
profession's by its plugin (the physician plugin registers ``pars`` and
``cmepassport``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pluggy

from credtrail.core.errors import DuplicateRegistrationError, InputError, PluginError
from credtrail.core.exchange.records import Issue, Location, Parsed, RejectedRecord
from credtrail.core.exchange.sources import TextSource
from credtrail.core.plugins import tracer_for
from credtrail.core.registry import Registry, call_plugin


@dataclass(frozen=True)
class ReadContext:
    """What a reader may consult: the registry (credit types, accreditors) and the
    user's import options.

    :param learners: the user's map from an identifier the file uses for a learner (a
        DID, a hashed e-mail, a board id) to a credtrail clinician id (``--learner``).
    :param require_proof: refuse records whose signature was not verified
        (``--require-proof``), for formats that carry signatures.
    """

    registry: Registry
    learners: Mapping[str, str] = field(default_factory=dict)
    require_proof: bool = False
    options: Mapping[str, str] = field(default_factory=dict)
    """Format-specific options (``--option KEY=VALUE``), e.g. CE Broker's ``catalogue``."""
    notices: list[str] = field(default_factory=list)
    """What a reader tells the user without rejecting anything (a column it ignores);
    the pipeline reports each distinct notice once."""

    def notice(self, message: str) -> None:
        if message not in self.notices:
            self.notices.append(message)


Reader = Callable[[TextSource, ReadContext], Iterator[Parsed]]
"""Yields one ``ImportRecord`` or ``RejectedRecord`` per record, lazily (files stream).
Raises ``InputError`` for a problem with the whole file (encoding, header, JSON syntax)."""


@dataclass(frozen=True)
class ImportFormat:
    """A file format ``credtrail import --format NAME`` reads.

    :param name: what users type after ``--format`` (lowercase, e.g. ``pars``).
    :param label: one line for ``--help`` and error messages.
    :param reader: the ``Reader`` function.
    :param source: where the layout comes from (document, url), for docs/formats.md.
    """

    name: str
    label: str
    reader: Reader
    source: str = ""


def import_formats(pm: pluggy.PluginManager) -> dict[str, ImportFormat]:
    """Every registered format by name (core's ``csv`` and ``openbadges`` are default
    plugins); a name taken twice is a plugin error naming both plugins."""
    formats: dict[str, ImportFormat] = {}
    owners: dict[str, str] = {}
    hook_name = "credtrail_register_import_formats"
    for impl in getattr(pm.hook, hook_name).get_hookimpls():
        plugin = impl.plugin_name

        def register(fmt: ImportFormat, plugin: str = plugin) -> None:
            if not isinstance(fmt, ImportFormat):
                raise PluginError(
                    plugin, hook_name, f"registered {type(fmt).__name__}, expected ImportFormat"
                )
            if not fmt.name.isidentifier() or fmt.name != fmt.name.lower():
                raise PluginError(plugin, hook_name, f"format name {fmt.name!r} must be lowercase")
            if fmt.name in owners:
                raise DuplicateRegistrationError(
                    plugin,
                    hook_name,
                    f"import format {fmt.name!r} is already registered by {owners[fmt.name]!r}",
                )
            formats[fmt.name] = fmt
            owners[fmt.name] = plugin

        call_plugin(plugin, hook_name, impl.function, tracer=tracer_for(pm), register=register)
    return formats


# ---------------------------------------------------------------- delimited text


@dataclass(frozen=True)
class Columns:
    """The header contract of a delimited format (names compared case-insensitively)."""

    required: Sequence[str]
    optional: Sequence[str] = ()
    ignored: Sequence[str] = ()
    """Accepted and ignored (columns our own exports add, e.g. ``credit_id``)."""
    aliases: Mapping[str, str] = field(default_factory=dict)
    """Other spellings of a column (lower-case alias -> canonical name)."""

    def known(self) -> list[str]:
        return [*self.required, *self.optional, *self.ignored]


def delimited_rows(
    source: TextSource,
    columns: Columns,
    *,
    allow_tab: bool = True,
    on_unknown: Callable[[list[str]], None] | None = None,
) -> Iterator[tuple[int, dict[str, str]] | RejectedRecord]:
    """Rows of a CSV (or tab-delimited) file with a header, keyed by lower-case column.

    The header is checked strictly: a missing required column or an unknown one (a
    typo would otherwise drop data silently) rejects the file. Blank lines are
    skipped; a row with more or fewer fields than the header is rejected. With
    ``on_unknown``, unknown columns are handed to it once and left out of the rows
    instead (a format whose owner defines more columns than credtrail reads).
    """
    lines = source.lines()
    header_line = next(lines, None)
    while header_line is not None and not header_line.strip():
        header_line = next(lines, None)
    if header_line is None:
        raise InputError(f"{source.name} is empty; expected a header line")
    delimiter = "\t" if allow_tab and "\t" in header_line else ","
    if "\r" in header_line.rstrip("\r\n"):
        # Classic Mac line endings: the whole file reads as one line.
        raise InputError(
            f"{source.name} line {source.line}: lines end with a bare carriage return (CR); "
            "save the file with Windows (CRLF) or Unix (LF) line endings"
        )
    try:
        cells = next(csv.reader([header_line], delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"{source.name} line {source.line}: header: {exc}") from None
    header = [columns.aliases.get(h.strip().lower(), h.strip().lower()) for h in cells]
    where = f"{source.name} line {source.line}"
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputError(f"{where}: column {', '.join(map(repr, dupes))} appears twice")
    missing = [c for c in columns.required if c not in header]
    if missing:
        raise InputError(
            f"{where}: missing column {', '.join(map(repr, missing))}; "
            f"the header must have: {', '.join(columns.required)}"
        )
    unknown = [h for h in header if h not in columns.known()]
    if unknown and on_unknown is not None:
        on_unknown([c.strip() for c, h in zip(cells, header, strict=True) if h in unknown])
        unknown = []
    if unknown:
        raise InputError(
            f"{where}: unknown column {', '.join(map(repr, unknown))}; "
            f"known columns: {', '.join(columns.known())} (see docs/formats.md)"
        )
    known = set(columns.known())
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    while True:
        start = source.line + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RejectedRecord(
                Location(source.name, start), (Issue("row", "csv-syntax", str(exc)),)
            )
            continue
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            yield RejectedRecord(
                Location(source.name, start),
                (
                    Issue(
                        "row",
                        "field-count",
                        f"has {len(fields)} fields, the header has {len(header)}",
                    ),
                ),
            )
            continue
        row = dict(zip(header, fields, strict=True))
        if on_unknown is not None:
            row = {k: v for k, v in row.items() if k in known}
        yield start, row
