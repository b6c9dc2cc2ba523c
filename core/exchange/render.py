"""Exports people read: transcript as CSV or HTML, the compliance report as HTML.

The HTML is one self-contained file: inline CSS and SVG, no script, no font, no
image fetched from anywhere, so it opens offline, prints, and can be mailed to an
auditor as is. Everything interpolated is escaped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from html import escape

from credtrail.core.domain import ClinicianLedger, CreditState
from credtrail.core.exchange.csvformat import HEADER, spreadsheet_row
from credtrail.core.rules.result import Evaluation, PartResult
from credtrail.core.transcript import Transcript, format_units, transcript_notes


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


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        # No network: forbid every fetch, so the file proves it needs none.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>\n"
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

_BAR_W = 320
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
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_BAR_W + 130}" height="18" '
        f'role="img" aria-label="{escape(part.label)}: {escape(label)}">'
        f'<rect x="0" y="2" width="{_BAR_W}" height="14" rx="3" fill="#e6e9ee"/>'
        f'<rect x="0" y="2" width="{filled}" height="14" rx="3" fill="{colour}"/>'
        f'<text x="{_BAR_W + 8}" y="14" font-size="12" fill="#1d2430">{escape(label)}</text>'
        "</svg>"
    )


def _evaluation_section(ev: Evaluation) -> str:
    status = ev.status.replace("_", " ")
    rows = []
    for p in ev.parts:
        why = f'<div class="cite">{escape(p.why)}</div>' if p.why else ""
        cite = f'<div class="cite">{escape(p.source.describe())}</div>' if p.source else ""
        rows.append(
            f"<tr><td>{escape(p.label)}{why}{cite}</td>"
            f'<td><span class="badge {escape(p.status)}">{escape(p.status)}</span></td>'
            f"<td>{progress_bar(p, ev.status == 'in_progress')}</td>"
            f'<td class="num">{escape(format_units(p.missing))}</td></tr>'
        )
    missing = [(p, u) for p, u in ev.missing]
    labels = {p.part: p.label for p in ev.parts}
    missing_html = (
        '<div class="missing-list"><strong>Missing:</strong> '
        + "; ".join(f"{escape(format_units(u))} {escape(labels.get(p, p))}" for p, u in missing)
        + "</div>"
        if missing
        else ""
    )
    grace = f" · grace until {ev.grace_until}" if ev.grace_until else ""
    notes = "".join(f"<li>{escape(n)}</li>" for n in ev.notes)
    return (
        f"<h3>{escape(ev.authority)} · {escape(ev.requirement)} (version {escape(ev.version)})"
        f' <span class="badge {escape(ev.status)}">{escape(status)}</span></h3>'
        f'<p class="meta">cycle {ev.cycle_start} – {ev.cycle_end}{escape(grace)} · '
        f"licence {escape(ev.license_id)} · counts {escape(ev.counts)} credit · "
        f"evaluated {ev.evaluated_on}</p>"
        f"{missing_html}"
        "<table><thead><tr><th>part</th><th>status</th><th>counted vs required</th>"
        f"<th>missing</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p class="cite">Rule: {escape(ev.source.describe())}'
        + (f" — <span>{escape(ev.source.url)}</span>" if ev.source.url else "")
        + "</p>"
        + (f'<ul class="cite">{notes}</ul>' if notes else "")
    )


def report_html(transcript: Transcript, evaluations: Sequence[Evaluation]) -> str:
    """The compliance report: per requirement and cycle, bars, what is missing, citations."""
    if evaluations:
        summary_rows = "".join(
            f"<tr><td>{escape(ev.authority)}</td><td>{escape(ev.requirement)}</td>"
            f"<td>{ev.cycle_start} – {ev.cycle_end}</td>"
            f'<td><span class="badge {escape(ev.status)}">'
            f"{escape(ev.status.replace('_', ' '))}</span></td>"
            f'<td class="num">{escape(format_units(ev.counted))} / '
            f"{escape(format_units(ev.required))}</td></tr>"
            for ev in evaluations
        )
        compliance = (
            "<table><thead><tr><th>authority</th><th>requirement</th><th>cycle</th>"
            f"<th>status</th><th>counted / required</th></tr></thead><tbody>{summary_rows}"
            "</tbody></table>" + "".join(_evaluation_section(ev) for ev in evaluations)
        )
    else:
        compliance = (
            "<p>No requirement applies: record a licence with "
            "<code>credtrail license add</code> to be evaluated against its board.</p>"
        )
    body = (
        f"<h1>Compliance report — {escape(_who(transcript))}</h1>"
        f'<p class="meta">{escape(transcript.profession)} · generated {date.today()} by '
        "credtrail</p>"
        f"<h2>Requirements</h2>{compliance}"
        f"<h2>Transcript</h2>{_transcript_table(transcript)}"
    )
    return _page(f"Compliance report — {transcript.clinician}", body)
