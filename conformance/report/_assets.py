"""The report's stylesheet and script, inlined into report.html (no network, no external fonts)."""

from __future__ import annotations

__all__ = ["CSS", "JS"]

CSS = """
:root {
  --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0969da;
  --pass: #1a7f37; --pass-bg: #d2f4dc; --fail: #cf222e; --fail-bg: #ffd8d3;
  --waive: #8a5a00; --waive-bg: #fff1b8; --skip: #59636e; --skip-bg: #e6eaef;
  --error: #8250df; --error-bg: #efe3ff;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: #fff; line-height: 1.5;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 0 24px 64px; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
code, pre, .mono { font-family: var(--mono); font-size: 13px; }
section, .op-group { scroll-margin-top: 48px; }
h2 { font-size: 20px; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 28px 0 10px; }
h3 code { font-size: 15px; }
.muted { color: var(--muted); }
.small { font-size: 13px; }

header.top { background: #0d1117; color: #f0f6fc; }
header.top .inner { max-width: 1240px; margin: 0 auto; padding: 22px 24px 18px; }
header.top h1 { margin: 0; font-size: 22px; font-weight: 600; }
header.top .target { font-family: var(--mono); font-size: 15px; color: #9fd3ff; margin: 4px 0 14px;
  word-break: break-all; }
dl.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 8px 28px; margin: 0; }
dl.meta div { min-width: 0; }
dl.meta dt { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #9198a1; }
dl.meta dd { margin: 0; font-size: 14px; overflow-wrap: anywhere; }
dl.meta dd code { font-size: 12px; color: #d1d9e0; }
.banner { margin: 16px 0 0; padding: 10px 14px; border-radius: 6px; background: var(--waive-bg);
  color: #4d3800; font-weight: 600; }

nav.toc { position: sticky; top: 0; z-index: 5; background: rgba(255,255,255,.96);
  border-bottom: 1px solid var(--line); }
nav.toc .inner { max-width: 1240px; margin: 0 auto; padding: 8px 24px; display: flex; flex-wrap: wrap; gap: 4px 18px;
  font-size: 14px; }
nav.toc .n { color: var(--muted); }

.verdict { display: flex; align-items: center; gap: 16px; margin: 24px 0 14px; flex-wrap: wrap; }
.verdict .big { font-size: 22px; font-weight: 700; padding: 6px 16px; border-radius: 8px; }
.st-conformant { background: var(--pass-bg); color: var(--pass); }
.st-not-conformant { background: var(--fail-bg); color: var(--fail); }
.st-not-exercised, .st-partially-exercised { background: var(--skip-bg); color: var(--skip); }
.st-incomplete { background: var(--waive-bg); color: var(--waive); }
.apis { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; }
.api { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; border-left-width: 6px; }
.api.st-conformant { border-left-color: var(--pass); background: #fff; color: inherit; }
.api.st-not-conformant { border-left-color: var(--fail); background: #fff; color: inherit; }
.api.st-not-exercised { border-left-color: var(--skip); background: #fff; color: inherit; }
.api.st-incomplete { border-left-color: #d4a72c; background: #fff; color: inherit; }
.api.st-incomplete .status { color: var(--waive); }
.scope { font-size: 16px; margin: 0 0 14px; }
.stale { color: var(--fail); font-weight: 600; }
.api .name { font-weight: 600; }
.api .status { font-weight: 700; font-size: 14px; text-transform: uppercase; letter-spacing: .03em; }
.api.st-conformant .status { color: var(--pass); } .api.st-not-conformant .status { color: var(--fail); }
.api.st-not-exercised .status { color: var(--skip); }
.api .why { font-size: 13px; color: var(--muted); }
.api ul.ops { margin: 6px 0 0; padding: 0; list-style: none; font-family: var(--mono); font-size: 12px;
  color: var(--muted); overflow-wrap: anywhere; }

.bar { display: flex; height: 12px; border-radius: 6px; overflow: hidden; background: var(--soft); margin: 16px 0 6px; }
.bar span { display: block; height: 100%; }
.counts { display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 14px; }
.digest { margin-top: 14px; font-size: 13px; color: var(--muted); overflow-wrap: anywhere; }

.pill { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
  line-height: 20px; white-space: nowrap; }
.o-passed { background: var(--pass-bg); color: var(--pass); }
.o-failed { background: var(--fail-bg); color: var(--fail); }
.o-waived { background: var(--waive-bg); color: var(--waive); }
.o-skipped { background: var(--skip-bg); color: var(--skip); }
.o-error { background: var(--error-bg); color: var(--error); }
.o-inconclusive { background: var(--waive-bg); color: var(--waive); border: 1px dashed var(--waive); }
.o-none { background: #fff; }
.sw-passed { background: var(--pass); } .sw-failed { background: var(--fail); } .sw-waived { background: #d4a72c; }
.sw-skipped { background: #afb8c1; } .sw-error { background: var(--error); }
.sw-inconclusive { background: #eac54f; }
.sev-critical { background: #82071e; color: #fff; } .sev-high { background: var(--fail-bg); color: var(--fail); }
.sev-medium { background: var(--waive-bg); color: var(--waive); }
.sev-low { background: var(--skip-bg); color: var(--skip); }

.legend { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 0 0 10px; font-size: 13px; align-items: center; }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; font-size: 13px; }
table.matrix { width: auto; min-width: 100%; }
table.matrix th.v { text-align: center; font-family: var(--mono); font-weight: 600; white-space: nowrap; }
table.matrix th.op, table.matrix td.op { position: sticky; left: 0; background: #fff; min-width: 240px;
  max-width: 360px;
  font-family: var(--mono); font-size: 13px; border-right: 1px solid var(--line); z-index: 1; }
table.matrix thead th.op { background: var(--soft); }
table.matrix td.c { text-align: center; padding: 4px; min-width: 46px; vertical-align: middle;
  border-left: 1px solid #eef1f4; }
table.matrix td.c a, table.matrix td.c span { display: block; border-radius: 4px; padding: 2px 4px; font-size: 13px;
  font-weight: 600; white-space: nowrap; color: inherit; }
table.matrix td.c a:hover { text-decoration: none; outline: 2px solid var(--accent); }

.op-group { margin-top: 26px; }
.finding { border: 1px solid var(--line); border-radius: 8px; margin: 12px 0 18px; overflow: hidden; }
.finding > .head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; padding: 10px 14px;
  background: var(--soft); border-bottom: 1px solid var(--line); }
.finding > .head .check { font-family: var(--mono); font-weight: 700; font-size: 13px; }
.finding > .head .title { font-weight: 600; flex: 1 1 400px; overflow-wrap: anywhere; }
.finding > .body { padding: 10px 14px 14px; }
.finding.waived { border-color: #e9d48c; }
.finding.waived > .head { background: #fffbe6; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0 0 10px; }
dl.kv dt { color: var(--muted); font-size: 13px; padding-top: 1px; }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }
blockquote { margin: 6px 0 12px; padding: 6px 12px; border-left: 4px solid #8c959f; background: var(--soft);
  color: #31363c; font-style: italic; }
blockquote cite { display: block; font-style: normal; font-family: var(--mono); font-size: 12px; color: var(--muted);
  margin-top: 2px; }
.waiver { background: #fffbe6; border: 1px solid #e9d48c; border-radius: 6px; padding: 8px 12px; margin: 8px 0 12px; }
.exchange { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; margin: 10px 0; }
.http h4 { margin: 0 0 4px; font-size: 13px; color: var(--muted); font-weight: 600; text-transform: uppercase;
  letter-spacing: .04em; }
pre { margin: 0; padding: 10px 12px; background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px;
  overflow: auto; max-height: 600px; white-space: pre-wrap; overflow-wrap: anywhere; }
pre .hl { font-weight: 700; }
details > summary { cursor: pointer; color: var(--accent); font-size: 13px; margin: 6px 0; }
details.body pre { margin-top: 4px; }
.curl { position: relative; margin-top: 10px; }
.curl h4 { margin: 0 0 4px; font-size: 13px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.curl pre { background: #0d1117; color: #e6edf3; border-color: #0d1117; padding-right: 72px; }
.curl button { position: absolute; right: 8px; top: 26px; font: inherit; font-size: 12px; padding: 2px 10px;
  border: 1px solid #57606a; border-radius: 5px; background: #21262d; color: #e6edf3; cursor: pointer; }
.tests-list { margin: 4px 0 0; padding-left: 20px; font-family: var(--mono); font-size: 12px; }
.empty { padding: 12px 14px; border: 1px dashed var(--line); border-radius: 8px; color: var(--muted); }
.meter { width: 180px; height: 10px; background: var(--soft); border-radius: 5px; overflow: hidden;
  display: inline-block; vertical-align: middle; border: 1px solid var(--line); }
.meter span { display: block; height: 100%; background: var(--pass); }
input.filter { font: inherit; font-size: 14px; padding: 6px 10px; width: min(420px, 100%); margin: 6px 0 10px;
  border: 1px solid var(--line); border-radius: 6px; }
table.tests td { font-size: 13px; }
table.reasons td:first-child { width: 60%; }
td details > summary { margin: 0; }
.http h4 .muted { text-transform: none; letter-spacing: 0; font-weight: 400; }
table.tests td.id { font-family: var(--mono); font-size: 12px; overflow-wrap: anywhere; }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 10px; }
@media print { nav.toc { position: static; } pre { max-height: none; } }
"""

JS = """
(function () {
  "use strict";
  function copyText(text, button) {
    function done() { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 1500); }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { button.textContent = "Select and copy"; });
      return;
    }
    var area = document.createElement("textarea");
    area.value = text; document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); done(); } catch (e) { button.textContent = "Select and copy"; }
    document.body.removeChild(area);
  }
  document.querySelectorAll(".curl button").forEach(function (button) {
    button.addEventListener("click", function () {
      var pre = button.parentNode.querySelector("pre");
      if (pre) { copyText(pre.textContent, button); }
    });
  });
  var filter = document.getElementById("test-filter");
  if (filter) {
    var rows = document.querySelectorAll("table.tests tbody tr");
    filter.addEventListener("input", function () {
      var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        row.hidden = !words.every(function (word) { return text.indexOf(word) !== -1; });
      });
    });
  }
  document.documentElement.setAttribute("data-ready", "1");
})();
"""
