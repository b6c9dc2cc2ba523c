"""Exports people read: transcript as CSV or HTML, the compliance report as HTML or PDF.

The HTML is one self-contained file: inline CSS and SVG, no script, no font, no
image fetched from anywhere, so it opens offline, prints, and can be mailed to an
auditor as is. Everything interpolated is escaped. Its print CSS (``@page``, a page
per requirement) is what headless Chromium prints to PDF (``html_to_pdf``).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Literal

from credtrail.core.domain import ClinicianLedger, CreditState, LicenseState
from credtrail.core.errors import CredtrailError
from credtrail.core.exchange.csvformat import HEADER, spreadsheet_row
from credtrail.core.models import Authority, Citation
from credtrail.core.rules.result import Evaluation, PartResult
from credtrail.core.transcript import (
    Transcript,
    TranscriptCredit,
    format_units,
    transcript_notes,
)


def _credits(ledger: ClinicianLedger) -> list[CreditState]:
    # The transcript's order, so CSV, HTML and the text view list credits alike.
    return sorted(
        ledger.credits.values(), key=lambda c: (c.completed_on, c.recorded_at, c.credit_id)
    )


def transcript_csv(ledger: ClinicianLedger) -> str:
    """The generic ``csv`` import layout, one row per credit, plus export-only columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for c in _credits(ledger):
        claimed = "; ".join(f"{a} {format_units(u)}" for a, u in sorted(c.claims.items()))
        writer.writerow(
            spreadsheet_row(
                [
                    ledger.clinician_id,
                    ledger.profession,
                    ledger.name or "",
                    ledger.npi or "",
                    c.credit_type,
                    format_units(c.units),
                    c.completed_on.isoformat(),
                    c.provider,
                    c.activity_id,
                    c.accreditor or "",
                    c.title or "",
                    ";".join(c.topics),
                    c.format or "",
                    format_units(c.designated_units) if c.designated_units is not None else "",
                    c.credit_id,
                    c.revoked_reason or "revoked" if c.revoked else "",
                    claimed,
                ]
            )
        )
    return out.getvalue()


_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;
margin:2rem auto;max-width:62rem;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:2rem 0 .5rem;
border-bottom:1px solid #d5dbe3;padding-bottom:.25rem}h3{font-size:1rem;margin:1.25rem 0 .25rem}
.meta{color:#5b6677}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e6e9ee;vertical-align:top}
th{background:#f3f5f8;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.revoked td{color:#8a93a3;text-decoration:line-through}.badge{display:inline-block;
padding:.05rem .45rem;border-radius:.6rem;font-size:.8rem;font-weight:600}
.compliant,.met,.cured{background:#dff3e4;color:#17612c}.in_progress,.not-due{background:#e8eefb;
color:#24448f}.deficient,.missing{background:#fde5e2;color:#8f1f13}.exempt,.not-applicable{
background:#eef0f3;color:#4b5563}.cite{color:#5b6677;font-size:.85rem}
.missing-list{background:#fff6e5;border-left:4px solid #e0a100;padding:.5rem .75rem}
@media print{body{margin:0}h2{break-after:avoid}}
"""


def _page(title: str, body: str, style: str = _STYLE) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        # No network: forbid every fetch, so the file proves it needs none.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)}</title><style>{style}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )


def _who(transcript: Transcript) -> str:
    name = f" — {transcript.name}" if transcript.name else ""
    return f"{transcript.clinician}{name}"


def _transcript_table(transcript: Transcript) -> str:
    if not transcript.credits:
        return "<p>No credits recorded yet.</p>"
    rows = []
    for c in transcript.credits:
        claimed = ", ".join(f"{a} {format_units(u)}" for a, u in sorted(c.claimed.items()))
        status = f"revoked: {c.revoked_reason}" if c.revoked else claimed
        cls = ' class="revoked"' if c.revoked else ""
        rows.append(
            f"<tr{cls}><td>{escape(c.date.isoformat())}</td><td>{escape(c.type)}</td>"
            f'<td class="num">{escape(format_units(c.units))}</td>'
            f'<td>{escape(c.title or c.activity)}<br><span class="cite">'
            f"{escape(c.provider)} · {escape(c.activity)}</span></td>"
            f"<td>{escape(c.accreditor or '—')}</td><td>{escape(', '.join(c.topics))}</td>"
            f'<td>{escape(status)}</td><td class="cite">{escape(c.credit_id)}</td></tr>'
        )
    totals = ", ".join(f"{t} {format_units(u)}" for t, u in sorted(transcript.totals.items()))
    return (
        "<table><thead><tr><th>date</th><th>type</th><th>units</th><th>activity</th>"
        "<th>accreditor</th><th>topics</th><th>claimed / status</th><th>credit</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
        f"<p><strong>Totals (unrevoked):</strong> {escape(totals or 'none')}</p>"
        + _notes(transcript)
    )


def _notes(transcript: Transcript) -> str:
    """Amendments and certificates (kept in the store by SHA-256), one line each."""
    lines = transcript_notes(transcript)
    if not lines:
        return ""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return f'<h3>Corrections and certificates</h3><ul class="cite">{items}</ul>'


def transcript_html(transcript: Transcript) -> str:
    body = (
        f"<h1>Transcript of {escape(_who(transcript))}</h1>"
        f'<p class="meta">{escape(transcript.profession)} · generated {date.today()}</p>'
        + _transcript_table(transcript)
    )
    return _page(f"Transcript — {transcript.clinician}", body)


# --------------------------------------------------------------------------- report

_BAR_W = 200
_COLOURS = {
    "met": "#2f9e55",
    "missing": "#d0452f",
    "not-due": "#4a6fd1",
    "not-applicable": "#9aa3b0",
    "exempt": "#9aa3b0",
    "attested": "#2f9e55",
    "met-late": "#c98a1b",
    "overdue": "#d0452f",
}

Paper = Literal["letter", "a4"]

_KIND_LABEL = {
    "licence": "Licence",
    "certification": "Certification",
    "award": "Award",
    "registration": "Registration",
}
_STATUS_TEXT = {
    "compliant": "Requirements met",
    "cured": "Met (cured in the grace period)",
    "in_progress": "In progress",
    "deficient": "Not met",
    "exempt": "Exempt this cycle",
}
_PART_TEXT = {
    "met": "met",
    "missing": "missing",
    "exempt": "exempt",
    "attested": "attested (completed before these records)",
    "met-late": "met late",
    "overdue": "overdue",
}
# Parts a renewal does not ask for: listed apart, never as missing.
_NOT_THIS_RENEWAL = ("not-due", "not-applicable")

_REPORT_STYLE = """
:root{--ink:#1d2430;--muted:#5b6677;--rule:#d5dbe3}
body{font:10.5pt/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:var(--ink);margin:2rem auto;max-width:56rem;padding:0 1rem}
h1{font-size:1.45rem;margin:0 0 .2rem}h2{font-size:1.2rem;margin:0 0 .2rem}
h3{font-size:1rem;margin:1.1rem 0 .35rem;border-bottom:1px solid var(--rule);padding-bottom:.15rem}
.meta{color:var(--muted);margin:.1rem 0}.kind{font-size:.75rem;font-weight:700;
letter-spacing:.06em;text-transform:uppercase;color:#24448f}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.6rem 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;font-weight:600}
table{border-collapse:collapse;width:100%;margin:.35rem 0}
th,td{text-align:left;padding:.25rem .45rem;border-bottom:1px solid #e6e9ee;vertical-align:top}
th{background:#f3f5f8;font-weight:600}td.num,th.num{text-align:right;
font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:.6rem;font-size:.8rem;
font-weight:600;white-space:nowrap}
.compliant,.met,.cured,.attested{background:#dff3e4;color:#17612c}
.in_progress{background:#e8eefb;color:#24448f}.met-late{background:#fff1d6;color:#7a4d00}
.deficient,.missing,.overdue{background:#fde5e2;color:#8f1f13}
.exempt{background:#eef0f3;color:#4b5563}
.open .missing{background:#fff1d6;color:#7a4d00}
.cite{color:var(--muted);font-size:.85rem}.nowrap{white-space:nowrap}.small{font-size:.85rem}
.verdict{font-size:1.05rem;font-weight:700;margin:.5rem 0}
.attest{margin-top:1.2rem;border:1px solid var(--ink);padding:.6rem .9rem;break-inside:avoid}
.attest h3{border:0;margin-top:0}.sign{display:grid;grid-template-columns:2fr 1fr;gap:2rem;
margin-top:2.2rem}.sign div{border-top:1px solid var(--ink);padding-top:.2rem;
font-size:.85rem;color:var(--muted)}
section.page{margin-top:2.5rem}
@page{size:PAPER;margin:16mm 14mm 16mm 14mm}
@media print{body{margin:0;max-width:none;padding:0}section.page{margin-top:0;
break-before:page}tr,.bar{break-inside:avoid}svg.bar{width:9.5rem;height:auto}thead{display:table-header-group}
h3{break-after:avoid}}
"""


def progress_bar(part: PartResult, cycle_open: bool = False) -> str:
    """An inline SVG bar of counted vs required (full when met, empty when nothing).

    A part still missing in a cycle that is not over is amber, not red: there is
    time left to earn it.
    """
    required, counted = part.required, part.counted
    ratio = Decimal(1) if required <= 0 else min(counted / required, Decimal(1))
    filled = int((ratio * _BAR_W).to_integral_value())
    colour = _COLOURS.get(part.status, "#4a6fd1")
    if cycle_open and part.status == "missing":
        colour = "#e0a100"
    label = f"{format_units(counted)} of {format_units(required)}"
    return (
        f'<svg class="bar" xmlns="http://www.w3.org/2000/svg" width="{_BAR_W + 130}" '
        f'height="18" viewBox="0 0 {_BAR_W + 130} 18" role="img" '
        f'aria-label="{escape(part.label)}: {escape(label)}">'
        f'<rect x="0" y="2" width="{_BAR_W}" height="14" rx="3" fill="#e6e9ee"/>'
        f'<rect x="0" y="2" width="{filled}" height="14" rx="3" fill="{colour}"/>'
        f'<text x="{_BAR_W + 8}" y="14" font-size="12" fill="#1d2430">{escape(label)}</text>'
        "</svg>"
    )


@dataclass(frozen=True)
class Holding:
    """One requirement a report covers: the engine's verdict, the licence (or
    certification, award) it is judged for, and the authority's own names."""

    evaluation: Evaluation
    licence: LicenseState
    authority: Authority | None = None
    title: str | None = None
    """The requirement's title in its rule data."""
    rolling: bool = False
    """The cycle is a window ending on the day judged (an award): no renewal date."""

    @property
    def kind(self) -> str:
        return self.authority.credential_kind if self.authority else "licence"

    @property
    def display_name(self) -> str:
        """The authority's own name for the licence ("Texas Medical Board — Physician (MD/DO)
        licence"), else the rule's authority as recorded."""
        if self.authority is not None:
            return self.authority.display_name
        return self.evaluation.authority


@dataclass(frozen=True)
class ReportFacts:
    """Everything a board-ready report shows about one clinician on one day."""

    transcript: Transcript
    holdings: Sequence[Holding]
    on: date
    npi: str | None = None
    credit_types: Mapping[str, str] = field(default_factory=dict)
    """Credit type code -> its label ("AMA PRA Category 1 Credit™")."""


def _days(ev: Evaluation, on: date, rolling: bool = False) -> str:
    if rolling:
        return "no fixed date"
    left = (ev.cycle_end - on).days
    if left > 0:
        return f"{left} days left"
    if left == 0:
        return "due today"
    grace = f"; grace period to {ev.grace_until}" if ev.grace_until and ev.grace_until >= on else ""
    return f"ended {-left} days ago{grace}"


def _status_text(holding: Holding) -> str:
    status = holding.evaluation.status
    if holding.kind == "award" and status in ("in_progress", "deficient"):
        return "Not yet earned"
    return _STATUS_TEXT.get(status, status)


def _type(facts: ReportFacts, code: str) -> str:
    return facts.credit_types.get(code, code)


def _part_rows(ev: Evaluation) -> str:
    rows = []
    for p in ev.parts:
        if p.status in _NOT_THIS_RENEWAL:
            continue
        word = _PART_TEXT.get(p.status, p.status)
        if p.status == "missing":
            word = f"missing {format_units(p.missing)}"
        elif p.status == "overdue" and p.due_by is not None:
            word = f"overdue (was due by {p.due_by})"
        rows.append(
            f"<tr><td>{escape(p.label)}</td>"
            f'<td class="num">{escape(format_units(p.required))}</td>'
            f'<td class="num">{escape(format_units(p.counted))}</td>'
            f'<td><span class="badge {escape(p.status)}">{escape(word)}</span></td>'
            f"<td>{progress_bar(p, ev.status == 'in_progress')}</td></tr>"
        )
    return (
        '<table><thead><tr><th style="width:38%">requirement</th><th class=num>required</th>'
        "<th class=num>counted</th><th>status</th><th>progress</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _not_this_renewal(ev: Evaluation) -> str:
    items = []
    for p in ev.parts:
        if p.status not in _NOT_THIS_RENEWAL:
            continue
        if p.due_by is not None:
            why = f"one-time requirement, due by {p.due_by}"
        elif p.status == "not-applicable" and (
            "the licence has" in (p.why or "") or p.schedule == "every cycle"
        ):
            why = "does not apply to this licence"
        else:
            why = f"required at other renewals ({p.schedule})"
        items.append(f"<li>{escape(p.label)} — {escape(why)}</li>")
    if not items:
        return ""
    return f'<h3>Not required at this renewal</h3><ul class="small">{"".join(items)}</ul>'


def _credit_line(facts: ReportFacts, credit_id: str) -> tuple[str, str, str]:
    """(date, activity with provider, type) of a credit, as the transcript knows it."""
    c = facts_credit(facts, credit_id)
    if c is None:
        return ("", escape(credit_id), "")
    activity = (
        f"{escape(c.title or c.activity)}<div class=cite>{escape(c.provider)}"
        + (f" · {escape(c.accreditor)}" if c.accreditor else "")
        + f" · activity {escape(c.activity)}</div>"
    )
    return (c.date.isoformat(), activity, escape(_type(facts, c.type)))


def facts_credit(facts: ReportFacts, credit_id: str) -> TranscriptCredit | None:
    for c in facts.transcript.credits:
        if c.credit_id == credit_id:
            return c
    return None


def _counted(facts: ReportFacts, ev: Evaluation) -> str:
    labels = {p.part: p.label for p in ev.parts}
    per_credit: dict[str, list[str]] = {}
    units: dict[str, Decimal] = {}
    for a in ev.allocation:
        per_credit.setdefault(a.credit_id, []).append(
            f"{format_units(a.units)} toward {labels.get(a.part, a.part)}"
        )
        units[a.credit_id] = max(units.get(a.credit_id, Decimal(0)), a.units)
    if not per_credit:
        return "<h3>Credits counted</h3><p>No credit counts toward this cycle yet.</p>"
    rows = []
    for credit_id in sorted(per_credit, key=lambda k: (_when(facts, k), k)):
        if credit_id.startswith("carry-over:"):
            day, activity, kind = "", "Carried over from the previous cycle", ""
        else:
            day, activity, kind = _credit_line(facts, credit_id)
        rows.append(
            f"<tr><td>{day}</td><td>{activity}</td><td>{kind}</td>"
            f'<td class="num">{escape(format_units(units[credit_id]))}</td>'
            f"<td class=small>{escape('; '.join(per_credit[credit_id]))}</td></tr>"
        )
    return (
        "<h3>Credits counted</h3><table><thead><tr><th>completed</th><th>activity</th>"
        "<th>credit type</th><th class=num>units</th><th>counted toward</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _when(facts: ReportFacts, credit_id: str) -> date:
    c = facts_credit(facts, credit_id)
    return c.date if c is not None else date.min


def _not_counted(facts: ReportFacts, ev: Evaluation) -> str:
    rows = []
    outside = 0
    for x in ev.excluded:
        c = facts_credit(facts, x.credit_id)
        if x.rule == "outside-cycle" and c is not None and c.date < ev.cycle_start:
            outside += 1  # earlier cycles' credit: not this renewal's business
            continue
        rows.append((x.credit_id, x.units, _plain(facts, ev, x.reason)))
    rows += [(u.credit_id, u.units, _plain(facts, ev, u.reason)) for u in ev.unused]
    if not rows and not outside:
        return ""
    body = []
    for credit_id, amount, reason in sorted(rows, key=lambda r: (_when(facts, r[0]), r[0])):
        day, activity, kind = _credit_line(facts, credit_id)
        body.append(
            f"<tr><td>{day}</td><td>{activity}</td><td>{kind}</td>"
            f'<td class="num">{escape(format_units(amount))}</td>'
            f"<td class=small>{escape(reason)}</td></tr>"
        )
    table = (
        "<table><thead><tr><th>completed</th><th>activity</th><th>credit type</th>"
        f"<th class=num>units</th><th>why not</th></tr></thead><tbody>{''.join(body)}"
        "</tbody></table>"
        if body
        else ""
    )
    more = (
        f'<p class="cite">{outside} credit(s) completed before this cycle are not listed.</p>'
        if outside
        else ""
    )
    return f"<h3>Credits not counted</h3>{table}{more}"


def _plain(facts: ReportFacts, ev: Evaluation, reason: str) -> str:
    """The engine's reason in the board's words: credit types by label, not code."""
    for code in sorted(facts.credit_types, key=len, reverse=True):
        reason = re.sub(rf"\b{re.escape(code)}\b", facts.credit_types[code], reason)
    return reason.replace(ev.requirement, "this requirement")


def _citation(source: Citation) -> str:
    section = f" {source.section}" if source.section else ""
    return f"{source.authority}, {source.document}{section}"


def _citations(ev: Evaluation) -> str:
    seen: list[Citation] = [ev.source]
    for p in ev.parts:
        if p.source is not None and p.source not in seen and p.status not in _NOT_THIS_RENEWAL:
            seen.append(p.source)
    items = "".join(
        f"<li>{escape(_citation(c))}"
        + (f' — <span class="cite">{escape(c.url)}</span>' if c.url else "")
        + "</li>"
        for c in seen
    )
    return f'<h3>Rules applied</h3><ul class="small">{items}</ul>'


def _attestation(facts: ReportFacts, holding: Holding) -> str:
    name = facts.transcript.name or facts.transcript.clinician
    number = holding.licence.number
    label = _KIND_LABEL.get(holding.kind, "Licence").lower()
    held = f"{label} number {number}" if number else f"this {label}"
    return (
        '<div class="attest"><h3>Attestation</h3>'
        f"<p>I, {escape(name)}, attest that I completed the continuing education "
        f"listed above for {escape(held)}, and that this report is true and complete "
        "to the best of my knowledge.</p>"
        '<div class="sign"><div>Signature</div><div>Date</div></div>'
        f'<p class="cite">Name: {escape(name)}'
        + (f" · NPI {escape(facts.npi)}" if facts.npi else "")
        + "</p></div>"
    )


def _requirement_page(facts: ReportFacts, holding: Holding) -> str:
    ev, lic = holding.evaluation, holding.licence
    kind = _KIND_LABEL.get(holding.kind, "Licence")
    rows = [
        ("Name", facts.transcript.name or facts.transcript.clinician),
        ("NPI", facts.npi or "not recorded"),
        (f"{kind} number", lic.number or "not recorded"),
        ("Cycle", f"{ev.cycle_start} to {ev.cycle_end} (renewal {ev.renewal_number})"),
        ("Renewal due", f"{ev.cycle_end} ({_days(ev, facts.on)})"),
    ]
    if holding.rolling:
        rows[-2:] = [("Window", f"{ev.cycle_start} to {ev.cycle_end} (credit earned in it counts)")]
    if holding.title:
        rows.insert(3, ("Requirement", holding.title))
    facts_html = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    missing = [p for p in ev.parts if p.missing > 0 and p.status not in _NOT_THIS_RENEWAL]
    verdict = ""
    if missing and ev.status in ("in_progress", "deficient"):
        verdict = "Still needed: " + "; ".join(
            f"{format_units(p.missing)} {p.label}" for p in missing
        )
    opened = " open" if ev.status == "in_progress" else ""
    return (
        f'<section class="page requirement{opened}">'
        f'<div class="kind">{escape(kind)}</div>'
        f"<h2>{escape(holding.display_name)}</h2>"
        f'<dl class="facts">{facts_html}</dl>'
        f'<p class="verdict"><span class="badge {escape(ev.status)}">'
        f"{escape(_status_text(holding))}</span> {escape(verdict)}</p>"
        f"{_part_rows(ev)}{_not_this_renewal(ev)}{_counted(facts, ev)}"
        f"{_not_counted(facts, ev)}{_citations(ev)}{_attestation(facts, holding)}</section>"
    )


def _summary(facts: ReportFacts) -> str:
    if not facts.holdings:
        return (
            "<p>No requirement applies on this day: record a licence with "
            "<code>credtrail license add</code> to be judged against its board.</p>"
        )
    rows = "".join(
        f"<tr><td>{escape(_KIND_LABEL.get(h.kind, 'Licence'))}</td>"
        f"<td>{escape(h.display_name)}</td>"
        f'<td class="nowrap">{escape(h.licence.number or "—")}</td>'
        f"<td>{h.evaluation.cycle_start} to {h.evaluation.cycle_end}</td>"
        f"<td>{escape(_days(h.evaluation, facts.on, h.rolling))}</td>"
        f'<td><span class="badge {escape(h.evaluation.status)}">'
        f"{escape(_status_text(h))}</span></td></tr>"
        for h in facts.holdings
    )
    return (
        "<table><thead><tr><th>kind</th><th>held with</th><th>number</th><th>cycle</th>"
        f"<th>renewal</th><th>status</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _appendix(facts: ReportFacts) -> str:
    """How credtrail judged: rule ids and versions, the engine's notes, part by part."""
    blocks = []
    for h in facts.holdings:
        ev = h.evaluation
        lines = [
            f"requirement {ev.requirement} version {ev.version} (effective {ev.effective_from}); "
            f"licence record {h.licence.license_id}; counts {ev.counts} credit; "
            f"judged on {ev.evaluated_on}",
            f"rule source: {ev.source.describe()}, confidence {ev.source.confidence}",
        ]
        if h.licence.attributes:
            facts_text = ", ".join(f"{k} = {v}" for k, v in sorted(h.licence.attributes.items()))
            lines.append(f"licence facts recorded: {facts_text}")
        if ev.version_why:
            lines.append(f"version: {ev.version_why}")
        if ev.pathway:
            lines.append(f"pathway taken: {ev.pathway}")
        if ev.carry_in or ev.carry_out:
            lines.append(
                f"carried in {format_units(ev.carry_in)}, carries out {format_units(ev.carry_out)}"
            )
        for p in ev.parts:
            detail = f"part {p.part} ({p.schedule}): {p.status}"
            if p.why:
                detail += f" — {p.why}"
            if p.note:
                detail += f" — note: {p.note}"
            lines.append(detail)
        lines += [f"note: {n}" for n in ev.notes]
        items = "".join(f"<li>{escape(line)}</li>" for line in lines)
        blocks.append(f"<h3>{escape(h.display_name)}</h3><ul class=small>{items}</ul>")
    return (
        '<section class="page appendix"><h2>Appendix A: how credtrail judged</h2>'
        '<p class="cite">For the clinician and credtrail operators; not part of the '
        "submission to a board.</p>"
        f"{''.join(blocks)}</section>"
    )


def report_html(facts: ReportFacts, *, paper: Paper = "letter") -> str:
    """The board-ready compliance report: a summary page, then one page per requirement
    (the licence's number, the cycle and days left, each part, the credits counted and not,
    citations and an attestation to sign), then the engine's notes in an appendix.

    ``paper``: the page size Chromium prints to (``letter`` or ``a4``).
    """
    t = facts.transcript
    who = t.name or t.clinician
    npi = f" · NPI {facts.npi}" if facts.npi else ""
    body = (
        f'<section class="cover"><h1>Continuing education report — {escape(who)}</h1>'
        f'<p class="meta">{escape(t.profession)}{escape(npi)} · as of {facts.on}</p>'
        f"{_summary(facts)}</section>"
        + "".join(_requirement_page(facts, h) for h in facts.holdings)
        + _appendix(facts)
        + '<section class="page"><h2>Appendix B: transcript</h2>'
        f"{_transcript_table(t)}</section>"
    )
    style = _REPORT_STYLE.replace("PAPER", "A4" if paper == "a4" else "letter")
    return _page(f"Continuing education report — {who}", body, style)


# ----------------------------------------------------------------------------- PDF


class ChromiumMissingError(CredtrailError):
    """Raised when a PDF is asked for and no Chromium is installed to print it."""


class PrintError(CredtrailError):
    """Raised when Chromium could not print the report to PDF."""


def chromium() -> str | None:
    """The Chromium executable on PATH (Debian's ``chromium``), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def html_to_pdf(html: str) -> bytes:
    """Print ``html`` to PDF with headless Chromium (its @page size, no header/footer)."""
    binary = chromium()
    if binary is None:
        raise ChromiumMissingError(
            "--format pdf needs Chromium: install it (Debian: apt-get install chromium), "
            "or write --format html and print that from a browser"
        )
    with tempfile.TemporaryDirectory(prefix="credtrail-pdf-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(html, encoding="utf-8")
        pdf = Path(folder) / "report.pdf"
        done = subprocess.run(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={Path(folder) / 'profile'}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if done.returncode != 0 or not pdf.exists():
            tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
            raise PrintError(f"Chromium could not print the report: {tail[0]}")
        return pdf.read_bytes()
