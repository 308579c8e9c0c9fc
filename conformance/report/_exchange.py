"""One finding as HTML: its check, the api-ref words, the request and response, and the curl."""

from __future__ import annotations

import json
from html import escape

from conformance.report.views import NO_VERSION, FindingGroup
from conformance.target.exchange import Exchange, redact_headers

__all__ = ["finding_html"]

FOLD_CHARS = 1500
"""Bodies longer than this (or than FOLD_LINES) are folded in a <details>."""
FOLD_LINES = 34


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _pretty(text: str, content_type: str | None) -> str:
    if not text.strip():
        return ""
    if content_type is None or "json" in content_type or text.lstrip()[:1] in "{[":
        try:
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except (ValueError, RecursionError):  # not JSON, or nested too deeply to read: shown as it came
            pass
    return text


def _size(count: int) -> str:
    return f"{count} bytes" if count < 1024 else f"{count / 1024:.1f} KiB"


def _message(first_line: str, headers: tuple[tuple[str, str], ...], body: bytes | None) -> str:
    """An HTTP message as a <pre>: the first line, the headers (secrets masked again), the body, folded when large."""
    lines = [f'<span class="hl">{_e(first_line)}</span>']
    content_type = None
    for name, value in redact_headers(headers):
        if name.lower() == "content-type":
            content_type = value
        lines.append(f"{_e(name)}: {_e(value)}")
    head = "\n".join(lines)
    text = _pretty(body.decode("utf-8", "replace"), content_type) if body else ""
    if not text:
        return f"<pre>{head}</pre>"
    if len(text) <= FOLD_CHARS and text.count("\n") < FOLD_LINES:
        return f"<pre>{head}\n\n{_e(text)}</pre>"
    summary = f"Body: {_size(len(body or b''))}, {text.count(chr(10)) + 1} lines"
    return (f'<pre>{head}</pre><details class="body"><summary>{_e(summary)}</summary>'
            f"<pre>{_e(text)}</pre></details>")


def exchange_html(exchange: Exchange) -> str:
    request, response = exchange.request, exchange.response
    role = f' <span class="muted">(as {_e(request.role)})</span>' if request.role else ""
    elapsed = f' <span class="muted">{response.elapsed * 1000:.0f} ms</span>' if response.elapsed else ""
    return (
        '<div class="exchange">'
        f'<div class="http"><h4>Request{role}</h4>'
        f"{_message(f'{request.method} {request.url}', request.headers, request.body)}</div>"
        f'<div class="http"><h4>Response{elapsed}</h4>'
        f"{_message(f'HTTP {response.status}', response.headers, response.body)}</div>"
        "</div>"
        '<div class="curl"><h4>Reproduce with <span class="muted">(export OS_TOKEN first)</span></h4>'
        f'<pre>{_e(exchange.curl())}</pre><button type="button">Copy</button></div>'
    )


def finding_html(group: FindingGroup) -> str:
    """A finding card; waived findings carry their waiver's reason."""
    finding = group.finding
    versions = ", ".join("no version header" if v == NO_VERSION else v for v in group.microversions)
    rows = [("Received", _e(finding.received)), ("Documented", _e(finding.documented))]
    if versions:
        rows.append(("Microversion", f'<span class="mono">{_e(versions)}</span>'))
    if len(group.nodeids) == 1:
        rows.append(("Test", f'<span class="mono small">{_e(group.nodeids[0])}</span>'))
    else:
        items = "".join(f"<li>{_e(nodeid)}</li>" for nodeid in group.nodeids)
        rows.append(("Tests", f"<details><summary>found by {len(group.nodeids)} tests</summary>"
                              f'<ul class="tests-list">{items}</ul></details>'))
    parts = ['<dl class="kv">', *(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows), "</dl>"]
    if finding.requirement or finding.source:
        quote = f"&ldquo;{_e(finding.requirement)}&rdquo;" if finding.requirement else "(no words quoted)"
        cite = f"<cite>api-ref {_e(finding.source)}</cite>" if finding.source else ""
        parts.append(f"<blockquote>{quote}{cite}</blockquote>")
    if finding.waiver:
        parts.append(f'<div class="waiver"><strong>Waived:</strong> {_e(finding.waiver)}</div>')
    if finding.exchange is not None:
        parts.append(exchange_html(finding.exchange))
    css = "finding waived" if finding.waiver else "finding"
    where = f'<span class="mono small">api-ref {_e(finding.source)}</span>' if finding.source else ""
    return (f'<article class="{css}"><div class="head">'
            f'<span class="pill sev-{_e(finding.severity.value)}">{_e(finding.severity.value)}</span>'
            f'<span class="check">{_e(finding.check)}</span><span class="title">{_e(finding.title)}</span>'
            f"{where}"
            f'</div><div class="body">{"".join(parts)}</div></article>')
