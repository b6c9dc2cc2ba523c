"""``ProfessionPlugin``: a profession plugin made of data.

Every profession plugin does the same thing with different data: it registers its
professions, credit types, accreditors, authorities, equivalences, topics, import
formats and requirement documents, and judges credits of its own types. So one class
implements every hook over that data; a plugin module holds the data and one instance::

    from credtrail.core import ProfessionPlugin

    plugin = ProfessionPlugin(
        folder=Path(__file__).parent,       # rules/, authorities/, vocabulary/ below it
        professions=[DENTIST],
        credit_types=CREDIT_TYPES,
        accreditors=ACCREDITORS,
        validate=validate,                  # extra checks of its own credits, optional
    )

and publishes it as ``[project.entry-points.credtrail] dentistry_ada = "pkg:plugin"``.

Data files below ``folder`` are read when the hooks are called (a plugin's import
stays cheap), so a board or a topic added by research is a file, not code:

- ``rules/*.toml``: requirement documents (``docs/rules.md``), one per file;
- ``authorities/*.toml``: ``[[authority]]`` tables (``Authority`` fields);
- ``vocabulary/*.toml``: ``[topics]`` with ``slug = "description"`` lines;
- ``certifications/*.toml``: ``[[certification]]`` tables (``Certification`` fields).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credtrail.core.datafiles import toml_folder
from credtrail.core.errors import InputError
from credtrail.core.hookspecs import hookimpl
from credtrail.core.models import (
    Accreditor,
    Authority,
    Certification,
    CreditDraft,
    CreditType,
    Equivalence,
    Profession,
    Topic,
    Violation,
)

if TYPE_CHECKING:
    from credtrail.core.exchange.formats import ImportFormat
    from credtrail.core.registry import Registry

Validator = Callable[[CreditDraft], Iterable[Violation]]
"""Extra checks of one credit of the plugin's own types (core checked the generic ones)."""

Formats = Iterable["ImportFormat"] | Callable[[], Iterable["ImportFormat"]]
"""Import formats, or a function returning them (so a reader's imports wait for use)."""


class ProfessionPlugin:
    """Implements every hook of ``credtrail.core.hookspecs`` over a plugin's data.

    :param folder: where ``rules/``, ``authorities/`` and ``vocabulary/`` are (each
        optional), usually ``Path(__file__).parent``.
    :param professions: the professions the plugin defines.
    :param credit_types: their credit types.
    :param accreditors: every accreditor the credit types name, shared ones (JA)
        included, so the plugin works when loaded alone; core merges the same
        accreditor registered by several plugins.
    :param authorities: authorities defined in code (more come from ``authorities/``).
    :param equivalences: how other types count as this plugin's; one naming a type no
        loaded plugin registers is dropped by core.
    :param topics: topic slugs credits may be tagged with (more come from ``vocabulary/``).
    :param import_formats: formats ``credtrail import`` reads, or a function giving them.
    :param rule_kinds: custom rule-kind evaluators by kind name.
    :param validate: extra checks of a credit of one of ``credit_types``; called only
        for those (credit of other plugins' types is never judged here).
    :param version: shown by ``credtrail plugins`` (default: the distribution's).
    """

    def __init__(
        self,
        *,
        folder: str | Path,
        professions: Iterable[Profession],
        credit_types: Iterable[CreditType] = (),
        accreditors: Iterable[Accreditor] = (),
        authorities: Iterable[Authority] = (),
        equivalences: Iterable[Equivalence] = (),
        topics: Iterable[Topic] = (),
        import_formats: Formats = (),
        rule_kinds: Mapping[str, Any] | None = None,
        validate: Validator | None = None,
        version: str | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.professions = tuple(professions)
        self.credit_types = tuple(credit_types)
        self.accreditors = tuple(accreditors)
        self.authorities = tuple(authorities)
        self.equivalences = tuple(equivalences)
        self.topics = tuple(topics)
        self.import_formats = import_formats
        self.rule_kinds = dict(rule_kinds or {})
        self.validate = validate
        self.own_types = frozenset(ct.code for ct in self.credit_types)
        if version is not None:
            self.__version__ = version

    def __repr__(self) -> str:
        codes = ", ".join(p.code for p in self.professions)
        return f"ProfessionPlugin({codes}; {self.folder})"

    # -- data files --------------------------------------------------------------------

    def rule_documents(self) -> list[dict[str, Any]]:
        """Every ``rules/*.toml`` (sorted by name), parsed.

        :raises InputError: a file is not valid TOML (the message names it).
        """
        return [document for _, document in _toml_files(self.folder / "rules")]

    def file_authorities(self) -> list[Authority]:
        """Every ``[[authority]]`` of ``authorities/*.toml`` (sorted by file name).

        :raises InputError: a file is not TOML or an entry is not a valid authority.
        """
        out: list[Authority] = []
        for path, document in _toml_files(self.folder / "authorities"):
            try:
                out.extend(Authority.model_validate(e) for e in document.get("authority", []))
            except ValueError as exc:
                raise InputError(f"{path}: {exc}") from None
        return out

    def file_equivalences(self) -> list[Equivalence]:
        """Every ``[[equivalence]]`` of ``authorities/*.toml``: a board that accepts other
        credit says so in the file that defines it (``authorities = ["AL-BME-PA"]``).

        :raises InputError: a file is not TOML or an entry is not a valid equivalence.
        """
        out: list[Equivalence] = []
        for path, document in _toml_files(self.folder / "authorities"):
            try:
                out.extend(Equivalence.model_validate(e) for e in document.get("equivalence", []))
            except ValueError as exc:
                raise InputError(f"{path}: {exc}") from None
        return out

    def file_certifications(self) -> list[Certification]:
        """Every ``[[certification]]`` of ``certifications/*.toml`` (sorted by file name).

        :raises InputError: a file is not TOML or an entry is not a valid certification.
        """
        out: list[Certification] = []
        for path, document in _toml_files(self.folder / "certifications"):
            try:
                out.extend(
                    Certification.model_validate(e) for e in document.get("certification", [])
                )
            except ValueError as exc:
                raise InputError(f"{path}: {exc}") from None
        return out

    def file_topics(self) -> list[Topic]:
        """Every ``slug = "description"`` of ``vocabulary/*.toml`` ``[topics]`` tables."""
        return topics_from_files(self.folder / "vocabulary")

    # -- hooks -------------------------------------------------------------------------

    @hookimpl
    def credtrail_register_professions(self, register: Callable[[Profession], None]) -> None:
        for profession in self.professions:
            register(profession)

    @hookimpl
    def credtrail_register_accreditors(self, register: Callable[[Accreditor], None]) -> None:
        for accreditor in self.accreditors:
            register(accreditor)

    @hookimpl
    def credtrail_register_topics(self, register: Callable[[Topic], None]) -> None:
        for topic in (*self.topics, *self.file_topics()):
            register(topic)

    @hookimpl
    def credtrail_register_credit_types(self, register: Callable[[CreditType], None]) -> None:
        for credit_type in self.credit_types:
            register(credit_type)

    @hookimpl
    def credtrail_register_authorities(self, register: Callable[[Authority], None]) -> None:
        for authority in (*self.authorities, *self.file_authorities()):
            register(authority)

    @hookimpl
    def credtrail_register_equivalences(self, register: Callable[[Equivalence], None]) -> None:
        for equivalence in (*self.equivalences, *self.file_equivalences()):
            register(equivalence)

    @hookimpl
    def credtrail_register_certifications(self, register: Callable[[Certification], None]) -> None:
        for certification in self.file_certifications():
            register(certification)

    @hookimpl
    def credtrail_register_requirements(self, register: Callable[[dict[str, Any]], None]) -> None:
        for document in self.rule_documents():
            register(document)

    @hookimpl
    def credtrail_register_rule_kinds(self, register: Callable[[str, Any], None]) -> None:
        for kind, evaluator in self.rule_kinds.items():
            register(kind, evaluator)

    @hookimpl
    def credtrail_register_import_formats(self, register: Callable[[ImportFormat], None]) -> None:
        formats = self.import_formats() if callable(self.import_formats) else self.import_formats
        for fmt in formats:
            register(fmt)

    @hookimpl
    def credtrail_validate_credit(self, credit: CreditDraft, registry: Registry) -> list[Violation]:
        if self.validate is None or credit.credit_type not in self.own_types:
            return []
        return list(self.validate(credit))


def topics_from_files(folder: Path) -> list[Topic]:
    """The topics of every ``*.toml`` in ``folder`` (``[topics]`` slug = description).

    :raises InputError: a file is not TOML or a slug is not a lowercase slug.
    """
    out: list[Topic] = []
    for path, document in _toml_files(folder):
        try:
            out.extend(
                Topic(code=slug, description=str(description))
                for slug, description in document.get("topics", {}).items()
            )
        except ValueError as exc:
            raise InputError(f"{path}: {exc}") from None
    return out


def _toml_files(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """``(path, parsed)`` of every ``*.toml`` in ``folder``, by name; none if it is missing."""
    return toml_folder(folder)
