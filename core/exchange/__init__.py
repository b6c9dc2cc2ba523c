"""Exchange formats: importing the records providers send, exporting what clinicians show.

API for callers (the CLI, tests):

- ``import_file(app, path, format_name, dry_run=, partial=, commit_every=, progress=)``
  -> ``ImportSummary`` (read / written / deleted / skipped / rejected, error lines).
- ``import_formats(pm)`` -> every format by name (core's ``csv`` and ``openbadges``
  plus those plugins register with ``credtrail_register_import_formats``).
- ``ImportFormat``, ``ImportRecord``, ``RejectedRecord``, ``ClinicianIdentity``,
  ``Location``, ``Issue``, ``FieldCollector``, ``TextSource``, ``delimited_rows``,
  ``Columns``: what a plugin needs to write a reader.
- ``transcript_csv``, ``transcript_html``, ``credential_for``: exports.

The layouts and mappings, with their sources, are in docs/formats.md.
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from credtrail.core.exchange.formats import (
        Columns,
        ImportFormat,
        ReadContext,
        delimited_rows,
        import_formats,
    )
    from credtrail.core.exchange.openbadges_export import credential_for
    from credtrail.core.exchange.pipeline import ImportSummary, import_file
    from credtrail.core.exchange.records import (
        ClinicianIdentity,
        FieldCollector,
        ImportRecord,
        Issue,
        Location,
        RejectedRecord,
    )
    from credtrail.core.exchange.sources import TextSource

# Imported on first use (PEP 562): registering core's formats as plugins, or a plugin
# importing ``ImportFormat``, must not load the import pipeline and its application.
_WHERE = {
    "Columns": "formats",
    "ImportFormat": "formats",
    "ReadContext": "formats",
    "delimited_rows": "formats",
    "import_formats": "formats",
    "credential_for": "openbadges_export",
    "ImportSummary": "pipeline",
    "import_file": "pipeline",
    "ClinicianIdentity": "records",
    "FieldCollector": "records",
    "ImportRecord": "records",
    "Issue": "records",
    "Location": "records",
    "RejectedRecord": "records",
    "TextSource": "sources",
}

__all__ = [
    "ClinicianIdentity",
    "Columns",
    "FieldCollector",
    "ImportFormat",
    "ImportRecord",
    "ImportSummary",
    "Issue",
    "Location",
    "ReadContext",
    "RejectedRecord",
    "TextSource",
    "credential_for",
    "delimited_rows",
    "import_file",
    "import_formats",
]


def __getattr__(name: str) -> _typing.Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'credtrail.core.exchange' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f"credtrail.core.exchange.{where}"), name)
    globals()[name] = value
    return value
