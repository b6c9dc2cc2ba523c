"""Hostile inputs for every write command and import format, and the store they are
tried against (shared by the property tests and ``bench/hostile_inputs.py``).

Each command is described once: its valid arguments, and for each field the values a
careless or hostile user could type there, with the words the error must use to name
the field. A case replaces exactly one field's value with a hostile one, so the only
right answer is a refusal naming that field.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pluggy
from click.testing import CliRunner, Result
from hypothesis import strategies as st

from credtrail.cli.main import cli
from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.registry import Registry, build_registry
from credtrail.plugins import DEFAULT_PLUGINS

TODAY = date.today()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()

# -- hostile values --------------------------------------------------------------------

_BAD_CHARS = [
    "\n",
    "\r",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x1b]0;pwned\x07",
    "\x7f",
    "\x9b",
    "\u202e",
    "\u2066",
    "\u200f",
    "\ud800",
    "\udfff",
]
# No leading "-": a positional argument starting with one is an option to click (exit 2).
_PLAIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6)


@st.composite
def _with_bad_character(draw: st.DrawFn) -> str:
    return draw(_PLAIN) + draw(st.sampled_from(_BAD_CHARS)) + draw(_PLAIN)


HOSTILE_TEXT = st.one_of(
    _with_bad_character(),
    st.sampled_from(["x" * 100_000, "dr\r\nrivera", "\u202eevil.exe", "a\x00b"]),
)
"""Text no field may hold: control, bidirectional or surrogate characters, or 100,000 long."""
_NON_SPACE = [c for c in _BAD_CHARS if not c.isspace()]


@st.composite
def _with_non_space_bad_character(draw: st.DrawFn) -> str:
    return draw(_PLAIN) + draw(st.sampled_from(_NON_SPACE)) + draw(_PLAIN)


HOSTILE_NON_SPACE = st.one_of(_with_non_space_bad_character(), st.just("x" * 100_000))
"""Hostile text a format may not fold into spaces (JSON strings are normalised)."""
HOSTILE_ID = st.one_of(HOSTILE_TEXT, st.sampled_from([" padded", "padded ", "y" * 129]))
HOSTILE_UNITS = st.sampled_from(
    [
        "1_0",
        "٣",
        "２",
        "1e3",
        "1E-2",
        "NaN",
        "nan",
        "Infinity",
        "-1",
        "0",
        "0.00",
        "-0",
        "1.00001",
        "1,5",
        "0x10",
        "1.2.3",
        "",
        " ",
        "+1",
        "１.５",
        "123456789",
        "\u202e1",
    ]
)
HOSTILE_DATE = st.sampled_from(
    [TOMORROW, "2099-01-01", "9999-12-31", "2025-02-30", "20250101", "٢٠٢٥-٠١-٠١", "", "yesterday"]
)
HOSTILE_FORMAT_DATE = st.sampled_from(["2025-02-30", "20250101", "٢٠٢٥-٠١-٠١", "", "3/5/25x"])
"""Dates that are not dates at all (where a future date may be legitimate)."""
BAD_NPI = st.one_of(
    st.sampled_from(["1234567890", "123", "１２３４５６７８９３", "12345678x3", "12345678931"]),
    st.from_regex(r"[0-9]{9}", fullmatch=True).map(
        lambda base: base + str((_check_digit(base) + 1) % 10)
    ),
)


def _check_digit(base: str) -> int:
    from credtrail.core.inputs import npi_check_digit_ok

    return next(d for d in range(10) if npi_check_digit_ok(base + str(d)))


# -- the store every case is tried against ---------------------------------------------


@dataclass
class World:
    """A store with a physician (md-1, licensed, one credit), a nurse, and a CLI on it."""

    folder: Path
    store: Path
    pm: pluggy.PluginManager
    registry: Registry
    credit_id: str = ""
    license_id: str = ""
    outcomes: Counter[str] = field(default_factory=Counter)
    """inputs tried / clear errors / tracebacks / wrongly written / unclear errors."""

    def run(self, *args: str, store: Path | None = None) -> Result:
        return CliRunner().invoke(
            cli,
            ["--store", str(store or self.store), "--plugins", ",".join(DEFAULT_PLUGINS), *args],
            catch_exceptions=True,
        )


def make_world(folder: Path) -> World:
    folder.mkdir(parents=True, exist_ok=True)
    pm = build_plugin_manager(DEFAULT_PLUGINS)
    world = World(folder, folder / "world.db", pm, build_registry(pm))
    assert world.run("init").exit_code == 0
    app = Credtrail.open(str(world.store), pm, registry=world.registry)
    try:
        app.add_clinician("md-1", "physician", name="Ada Lee", npi="1234567893")
        app.add_clinician("rn-1", "nurse", name="Ben Ode")
        app.add_clinician("lic:FL:RN9999", "nurse", name="Nia Nurse")
        world.license_id = app.add_license(
            "md-1", "us-ca-physician", date(2020, 1, 1), expires_on=date(2027, 1, 31)
        )
        world.credit_id = app.earn(
            EarnRequest.parse(
                clinician_id="md-1",
                credit_type="ama_pra_1",
                units="2",
                completed_on="2025-03-01",
                provider="Mercy CME",
                accreditor="ACCME",
                activity_id="MH-1",
            )
        )
    finally:
        app.close()
    (folder / "catalogue.csv").write_text(CATALOGUE, encoding="utf-8")
    return world


def fingerprint(store: Path) -> str:
    """A digest of every table but the views: the events, their log, heads and keys."""
    digest = hashlib.sha256()
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        tables = [
            r[0]
            for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")
            if not r[0].startswith(("credtrail_v_", "credtrail_projection"))
        ]
        for table in tables:
            digest.update(table.encode())
            for row in db.execute(f"SELECT * FROM {table} ORDER BY 1"):
                digest.update(repr(row).encode())
    db.close()
    return digest.hexdigest()


# -- the commands ------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """A write command: valid arguments, and per field the hostile values and the words
    its error must use (any of them, case-insensitive)."""

    name: str
    build: Callable[[World, dict[str, str]], list[str]]
    valid: dict[str, str]
    hostile: dict[str, tuple[st.SearchStrategy[str], tuple[str, ...]]]
    files: Callable[[World], list[Path]] = lambda world: []
    """Files besides the store the command writes (they must not appear or change)."""


def _opts(values: dict[str, str], *names: str) -> list[str]:
    out: list[str] = []
    for name in names:
        if values.get(name) is not None:
            out += [f"--{name}", values[name]]
    return out


CLINICIAN = (HOSTILE_ID, ("clinician",))

COMMANDS = [
    Command(
        "clinician add",
        lambda w, v: ["clinician", "add", v["id"], *_opts(v, "profession", "name", "npi")],
        {"id": "md-new", "profession": "physician", "name": "Cy Dee", "npi": "1245319599"},
        {
            "id": (HOSTILE_ID, ("clinician id",)),
            "name": (HOSTILE_TEXT, ("name",)),
            "npi": (st.one_of(BAD_NPI, st.just("1234567893")), ("npi",)),
            "profession": (HOSTILE_TEXT, ("profession",)),
        },
    ),
    Command(
        "license add",
        lambda w, v: [
            "license",
            "add",
            v["clinician"],
            *_opts(v, "requirement", "issued", "expires", "birth-date", "number", "attribute"),
        ],
        {
            "clinician": "md-1",
            "requirement": "us-ny-physician",
            "issued": "2021-05-01",
            "expires": "2027-05-01",
            "birth-date": "1980-06-30",
            "number": "A-12345",
        },
        {
            "clinician": CLINICIAN,
            "requirement": (
                st.one_of(HOSTILE_ID, st.sampled_from(["us-ca-nurse", "us-ca-pa"])),
                ("requirement",),
            ),
            "issued": (HOSTILE_FORMAT_DATE, ("--issued",)),
            "birth-date": (
                st.one_of(
                    HOSTILE_DATE,
                    st.sampled_from(["1850-01-01", "2021-05-01", "2024-01-01", "1900-01-01"]),
                ),
                ("birth",),
            ),
            "number": (HOSTILE_TEXT, ("number",)),
            "attribute": (HOSTILE_TEXT.map(lambda t: f"dea={t}"), ("attribute", "dea")),
        },
    ),
    Command(
        "license renew",
        lambda w, v: [
            "license",
            "renew",
            v["clinician"],
            v["license"],
            *_opts(v, "expires", "date"),
        ],
        {"clinician": "md-1", "license": "", "expires": "2029-01-31", "date": "2026-11-30"},
        {
            "clinician": CLINICIAN,
            "license": (HOSTILE_ID, ("licence id", "license")),
            "expires": (HOSTILE_FORMAT_DATE, ("--expires",)),
            "date": (HOSTILE_FORMAT_DATE, ("--date",)),
        },
    ),
    Command(
        "license end",
        lambda w, v: ["license", "end", v["clinician"], v["license"], *_opts(v, "date", "reason")],
        {"clinician": "md-1", "license": "", "date": "2026-11-30", "reason": "moved"},
        {
            "clinician": CLINICIAN,
            "license": (HOSTILE_ID, ("licence id", "license")),
            "date": (HOSTILE_FORMAT_DATE, ("--date",)),
            "reason": (HOSTILE_TEXT, ("reason",)),
        },
    ),
    Command(
        "license attest",
        lambda w, v: [
            "license",
            "attest",
            v["clinician"],
            v["license"],
            *_opts(v, "part", "date", "reason"),
        ],
        {
            "clinician": "md-1",
            "license": "",
            "part": "pain-management",
            "date": "2025-01-15",
            "reason": "done before credtrail",
        },
        {
            "clinician": CLINICIAN,
            "license": (HOSTILE_ID, ("licence id", "license")),
            "part": (HOSTILE_TEXT, ("name",)),
            "date": (HOSTILE_DATE, ("date",)),
            "reason": (HOSTILE_TEXT, ("reason",)),
        },
    ),
    Command(
        "exam record",
        lambda w, v: ["exam", "record", v["clinician"], *_opts(v, "name", "date", "license")],
        {"clinician": "md-1", "name": "USMLE-3", "date": "2025-01-15", "license": ""},
        {
            "clinician": CLINICIAN,
            "name": (HOSTILE_TEXT, ("name",)),
            "date": (HOSTILE_DATE, ("date",)),
            "license": (HOSTILE_ID, ("licence id", "license")),
        },
    ),
    Command(
        "credit earn",
        lambda w, v: [
            "credit",
            "earn",
            v["clinician"],
            *_opts(
                v,
                "type",
                "units",
                "date",
                "provider",
                "accreditor",
                "activity",
                "title",
                "topic",
                "activity-format",
                "designated",
            ),
        ],
        {
            "clinician": "md-1",
            "type": "ama_pra_1",
            "units": "1.5",
            "date": "2025-03-02",
            "provider": "Mercy CME",
            "accreditor": "ACCME",
            "activity": "MH-2",
            "title": "Sepsis",
            "topic": "ethics",
            "activity-format": "live",
            "designated": "2",
        },
        {
            "clinician": CLINICIAN,
            "type": (HOSTILE_TEXT, ("type",)),
            "units": (HOSTILE_UNITS, ("units",)),
            "date": (HOSTILE_DATE, ("date",)),
            "provider": (HOSTILE_TEXT, ("provider",)),
            "accreditor": (HOSTILE_TEXT, ("accreditor",)),
            "activity": (HOSTILE_TEXT, ("activity",)),
            "title": (HOSTILE_TEXT, ("title",)),
            "topic": (
                st.one_of(HOSTILE_TEXT, HOSTILE_UNITS.map(lambda u: f"ethics={u}")),
                ("topic",),
            ),
            "activity-format": (HOSTILE_TEXT, ("format",)),
            "designated": (HOSTILE_UNITS, ("designated",)),
        },
    ),
    Command(
        "credit claim",
        lambda w, v: [
            "credit",
            "claim",
            v["clinician"],
            v["credit"],
            *_opts(v, "authority", "units", "date"),
        ],
        {"clinician": "md-1", "credit": "", "authority": "AMA", "units": "1", "date": "2025-06-01"},
        {
            "clinician": CLINICIAN,
            "credit": (HOSTILE_TEXT, ("credit",)),
            "authority": (
                st.one_of(HOSTILE_TEXT, st.sampled_from(["ANCC", "NCCPA"])),
                ("authority",),
            ),
            "units": (st.one_of(HOSTILE_UNITS, st.sampled_from(["0.1", "1.1", "5"])), ("units",)),
            "date": (st.one_of(HOSTILE_DATE, st.sampled_from(["2025-02-01"])), ("date", "claim")),
        },
    ),
    Command(
        "credit revoke",
        lambda w, v: ["credit", "revoke", v["clinician"], v["credit"], *_opts(v, "reason", "date")],
        {"clinician": "md-1", "credit": "", "reason": "duplicate", "date": "2025-06-01"},
        {
            "clinician": CLINICIAN,
            "credit": (HOSTILE_TEXT, ("credit",)),
            "reason": (st.one_of(HOSTILE_TEXT, st.just("  ")), ("reason",)),
            "date": (st.one_of(HOSTILE_DATE, st.just("2025-02-28")), ("date", "revoked_on")),
        },
    ),
    Command(
        "course add",
        lambda w, v: [
            "course",
            "add",
            str(w.folder / "courses.csv"),
            v["provider_number"],
            v["course_number"],
            *_opts(v, "type", "hours", "accreditor", "provider", "title"),
        ],
        {
            "provider_number": "50-1234",
            "course_number": "20-555",
            "type": "ancc_contact_hour",
            "hours": "3",
            "accreditor": "ANCC",
            "provider": "Sunshine CE",
            "title": "Wound care",
        },
        {
            "provider_number": (HOSTILE_TEXT, ("provider_number",)),
            "course_number": (HOSTILE_TEXT, ("course_number",)),
            "type": (HOSTILE_TEXT, ("credit type",)),
            "hours": (HOSTILE_UNITS, ("--hours",)),
            "accreditor": (HOSTILE_TEXT, ("accreditor",)),
            "provider": (HOSTILE_TEXT, ("provider",)),
            "title": (HOSTILE_TEXT, ("title",)),
        },
        files=lambda w: [w.folder / "courses.csv"],
    ),
]


def fill(world: World, command: Command, values: dict[str, str]) -> dict[str, str]:
    """Ids only the world knows (its licence and credit) in place of empty defaults."""
    out = dict(values)
    if out.get("license") == "":
        out["license"] = world.license_id
    if out.get("credit") == "":
        out["credit"] = world.credit_id
    return out


@st.composite
def cases(draw: st.DrawFn, command: Command) -> tuple[str, str, tuple[str, ...]]:
    """(field, hostile value, words naming the field) for one command."""
    name = draw(st.sampled_from(sorted(command.hostile)))
    strategy, words = command.hostile[name]
    return name, draw(strategy), words


# -- import formats ------------------------------------------------------------------------

CSV_HEADER = (
    "clinician_id,profession,name,npi,credit_type,units,completed_on,provider,accreditor,"
    "activity_id,title,topics,format,designated_units"
)
CSV_VALID = {
    "clinician_id": "md-9",
    "profession": "physician",
    "name": "Eve Fay",
    "npi": "1245319599",
    "credit_type": "ama_pra_1",
    "units": "1",
    "completed_on": "2025-01-10",
    "provider": "Mercy CME",
    "accreditor": "ACCME",
    "activity_id": "A-1",
    "title": "Stroke",
    "topics": "ethics",
    "format": "live",
    "designated_units": "2",
}
PARS_HEADER = (
    "ProviderID\tReportingOrganization\tActivityID\tModuleName\tGivenName\tFamilyName\t"
    "BirthDate\tUniqueID\tUniqueIDDomain\tStatus\tCompletedDateTime\tActivityCertification\t"
    "creditUnit\tNumberOfCredits\tCreditID\tLearnerRecordAction"
)
PARS_VALID = {
    "ProviderID": "12345",
    "ReportingOrganization": "Mercy CME",
    "ActivityID": "123456789",
    "ModuleName": "Sepsis update",
    "GivenName": "Ann",
    "FamilyName": "Able",
    "BirthDate": "1970-02-28",
    "UniqueID": "1245319599",
    "UniqueIDDomain": "NPI",
    "Status": "Completed",
    "CompletedDateTime": "3/5/2025",
    "ActivityCertification": "AMA PRA Category 1 Credit",
    "creditUnit": "Point",
    "NumberOfCredits": "1.5",
    "CreditID": "ccid:mercy:1",
    "LearnerRecordAction": "add",
}
CEBROKER_VALID = {
    "provider": "1234",
    "course": "555",
    "c": "",
    "d": "",
    "license": "RN9999",
    "date": "12/3/2025",
    "state": "State=FL",
    "profession": "Profession=RN",
}

_TEXT_FIELD = (HOSTILE_TEXT, ())
_UNITS_FIELD = (HOSTILE_UNITS, ())
_DATE_FIELD = (HOSTILE_DATE, ())


@dataclass(frozen=True)
class Format:
    """An import format: a one-record file from field values, and the hostile fields."""

    name: str
    suffix: str
    valid: dict[str, Any]
    hostile: dict[str, tuple[st.SearchStrategy[Any], tuple[str, ...]]]
    write: Callable[[dict[str, Any]], str]
    options: tuple[str, ...] = ()


def _csv(values: dict[str, Any]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER.split(","))
    writer.writerow([values[c] for c in CSV_HEADER.split(",")])
    return out.getvalue()


def _tsv(values: dict[str, Any]) -> str:
    return PARS_HEADER + "\n" + "\t".join(str(values[c]) for c in PARS_HEADER.split("\t")) + "\n"


def _roster(values: dict[str, Any]) -> str:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(list(values.values()))
    return out.getvalue()


def _badge(values: dict[str, Any]) -> str:
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:3f1c2b9e-1111-4222-8333-944455556666",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "https://cme.example.org",
            "type": ["Profile"],
            "name": values["issuer"],
            "accreditations": [{"name": "Accreditation Council for Continuing Medical Education"}],
        },
        "validFrom": "2025-04-02T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "ext:NPI",
                    "hashed": False,
                    "identityHash": values["npi"],
                },
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": values["name"],
                },
            ],
            "activityEndDate": values["activityEndDate"],
            "creditsEarned": values["creditsEarned"],
            "achievement": {
                "id": "https://cme.example.org/activities/42",
                "type": ["Achievement"],
                "name": values["title"],
                "criteria": {"narrative": "Complete the course"},
                "humanCode": values["humanCode"],
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "AMA PRA Category 1 Credit™",
                        "targetUrl": "https://www.ama-assn.org",
                    }
                ],
            },
        },
    }
    return json.dumps(document, ensure_ascii=True)


def _passport(values: dict[str, Any]) -> str:
    certificate = {
        "CreditID": "ccid:mercy:9",
        "CreditReceived": {
            "activityCertification": "AMA PRA Category 1 Credit",
            "creditUnit": "Point",
            "numberOfCredits": values["numberOfCredits"],
        },
    }
    module = {
        "ModuleName": {"value": values["ModuleName"], "moduleID": values["moduleID"]},
        "Status": "Completed",
        "CompletedDateTime": values["CompletedDateTime"],
        "CreditCertificate": [certificate],
    }
    activity = {"ProviderOrganization": "0012345", "ReportingOrganization": values["org"]}
    return json.dumps(
        {
            "ACCMETranscripts": [
                {
                    "Member": {
                        "Name": {"GivenName": values["GivenName"], "FamilyName": "Able"},
                        "PersonalInfo": {
                            "Licensure": [{"StateOfLicensure": "CA", "NPI": values["NPI"]}]
                        },
                    },
                    "ActivityTranscript": [{"Activity": activity | {"Module": module}}],
                }
            ]
        },
        ensure_ascii=True,
    )


_JSON_UNITS = st.one_of(
    HOSTILE_UNITS, st.sampled_from([-1, 0, 1e300, float("inf"), True, [1], {"a": 1}, None])
)

FORMATS = [
    Format(
        "csv",
        ".csv",
        CSV_VALID,
        {
            "clinician_id": (st.one_of(HOSTILE_TEXT, st.just("y" * 129)), ("clinician",)),
            "name": (HOSTILE_TEXT, ("name",)),
            "npi": (BAD_NPI, ("npi",)),
            "credit_type": (HOSTILE_TEXT, ("type",)),
            "units": (HOSTILE_UNITS, ("units",)),
            "completed_on": (HOSTILE_DATE, ("completed_on",)),
            "provider": (HOSTILE_TEXT, ("provider",)),
            "activity_id": (HOSTILE_TEXT, ("activity",)),
            "title": (HOSTILE_TEXT, ("title",)),
            "designated_units": (HOSTILE_UNITS.filter(lambda u: u.strip() != ""), ("designated",)),
        },
        _csv,
    ),
    Format(
        "pars",
        ".tsv",
        PARS_VALID,
        {
            "ModuleName": (
                HOSTILE_TEXT.filter(lambda t: "\t" not in t),
                ("module", "activitytitle"),
            ),
            "GivenName": (HOSTILE_TEXT.filter(lambda t: "\t" not in t), ("name",)),
            "UniqueID": (BAD_NPI, ("npi", "uniqueid")),
            "CompletedDateTime": (HOSTILE_DATE, ("completed",)),
            "NumberOfCredits": (HOSTILE_UNITS, ("credits",)),
            "LearnerRecordAction": (st.just("delete"), ("record", "delete")),
        },
        _tsv,
    ),
    Format(
        "openbadges",
        ".json",
        {
            "issuer": "Example CME",
            "npi": "1245319599",
            "name": "Ann Able",
            "activityEndDate": "2025-04-01T17:00:00Z",
            "creditsEarned": 1.5,
            "title": "Opioids",
            "humanCode": "ACT-OB",
        },
        {
            "issuer": (HOSTILE_NON_SPACE, ("issuer", "provider")),
            "npi": (BAD_NPI, ("npi", "identifier")),
            "activityEndDate": (
                st.sampled_from(["9999-12-31", "2099-01-01T00:00:00Z", TOMORROW, "yesterday"]),
                ("activityenddate", "completed_on", "date"),
            ),
            "creditsEarned": (_JSON_UNITS, ("creditsearned", "units")),
            "title": (HOSTILE_NON_SPACE, ("title", "name")),
            "humanCode": (HOSTILE_NON_SPACE, ("activity", "humancode")),
        },
        _badge,
    ),
    Format(
        "cmepassport",
        ".json",
        {
            "numberOfCredits": 1.75,
            "ModuleName": "Sepsis update",
            "moduleID": "123456789",
            "CompletedDateTime": "2025-03-05T09:30:00",
            "org": "Mercy CME",
            "GivenName": "Ann",
            "NPI": "1245319599",
        },
        {
            "numberOfCredits": (_JSON_UNITS, ("numberofcredits", "credits", "units")),
            "ModuleName": (HOSTILE_NON_SPACE, ("module", "title")),
            "moduleID": (HOSTILE_NON_SPACE, ("module", "activity")),
            "CompletedDateTime": (HOSTILE_DATE, ("completed",)),
            "org": (HOSTILE_NON_SPACE, ("organization", "provider")),
            "NPI": (BAD_NPI, ("npi",)),
        },
        _passport,
    ),
    Format(
        "cebroker",
        ".csv",
        CEBROKER_VALID,
        {
            # CE Broker's columns have letters for names (A-J).
            "license": (HOSTILE_TEXT, ("license", "E:")),
            "date": (HOSTILE_DATE, ("date", "F:")),
            "course": (HOSTILE_TEXT, ("course", "B:")),
        },
        _roster,
        options=("--option", "catalogue={folder}/catalogue.csv"),
    ),
]

CATALOGUE = (
    "provider_number,course_number,credit_type,hours,accreditor,provider,title\n"
    "50-1234,20-555,ancc_contact_hour,3,ANCC,Sunshine Nursing CE,Wound care\n"
)


def format_words(fmt: Format, value: object, words: tuple[str, ...]) -> tuple[str, ...]:
    """The words an error about ``value`` in ``fmt`` may use: the field's, and for text
    files the two ways a value can break the file itself."""
    text = str(value)
    if fmt.suffix != ".json" and any("\ud800" <= c <= "\udfff" for c in text):
        words = (*words, "not UTF-8")  # a UTF-8 file cannot hold a lone surrogate
    if fmt.suffix != ".json" and ("\r" in text or "\n" in text):
        words = (*words, "row:")  # a line break splits the row: the row is refused
    return words


@st.composite
def format_cases(draw: st.DrawFn, fmt: Format) -> tuple[str, Any, tuple[str, ...]]:
    name = draw(st.sampled_from(sorted(fmt.hostile)))
    strategy, words = fmt.hostile[name]
    return name, draw(strategy), words


# -- judging one outcome -----------------------------------------------------------------


def judge(
    world: World,
    result: Result,
    before: str,
    words: tuple[str, ...],
    *,
    one_line: bool = True,
    where: str | None = None,
    files: Iterator[tuple[Path, bytes | None]] | None = None,
) -> list[str]:
    """What is wrong with the outcome of one hostile case (empty: exit 1, one clear line
    naming the field, no traceback, nothing written); counted in ``world.outcomes``."""
    world.outcomes["tried"] += 1
    problems = []
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        world.outcomes["tracebacks"] += 1
        problems.append(f"traceback: {result.exception!r}")
    if fingerprint(world.store) != before:
        world.outcomes["wrongly written"] += 1
        problems.append("the store changed")
    for path, content in files or iter(()):
        now = path.read_bytes() if path.exists() else None
        if now != content:
            world.outcomes["wrongly written"] += 1
            problems.append(f"{path.name} changed")
    output = result.output
    lines = output.splitlines()
    clear = (
        result.exit_code == 1
        and bool(lines)
        and lines[0].startswith("Error: ")
        and (not one_line or len(lines) == 1)
        and (not words or any(w.lower() in output.lower() for w in words))
        and (where is None or all(where in line for line in lines[1:]))
        and "\x1b" not in output
        and not any(c in output for c in "\u202e\u2066\u200f\ud800\udfff\x00\x07")
    )
    if clear and not problems:
        world.outcomes["clear errors"] += 1
    elif not problems:
        world.outcomes["unclear errors"] += 1
        problems.append(f"exit {result.exit_code}, output {output[:400]!r} (wanted {words})")
    return problems
