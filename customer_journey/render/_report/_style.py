"""The report's stylesheet: laptop-sized screen layout and a print layout.

Plain CSS, inline in the page: system fonts, no web fonts or images to fetch. Printing
starts each section on a new page, drops the navigation and keeps backgrounds light.
"""

from __future__ import annotations

__all__ = ["FRAGMENT_CSS", "PAGE_CSS"]

#: Shared by the whole page and by the notebook fragment (scoped under `.cj-report`).
FRAGMENT_CSS = """
.cj-report { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1f2328; }
.cj-report h2 { font-size: 1.3em; margin: 0 0 .4em; }
.cj-report h3 { font-size: 1.05em; margin: 1em 0 .3em; }
.cj-report p.note { color: #57606a; margin: .3em 0 .8em; max-width: 60em; }
.cj-report table { border-collapse: collapse; margin: .4em 0 1em; }
.cj-report th, .cj-report td { padding: 3px 8px; border-bottom: 1px solid #d8dee4;
  text-align: left; vertical-align: top; }
.cj-report th { font-weight: 600; background: #f6f8fa; }
.cj-report .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.cj-report svg { display: block; max-width: 100%; height: auto; }
.cj-report svg.bar { display: inline-block; vertical-align: middle; }
.cj-report svg .track { fill: #eef1f4; }
.cj-report svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  fill: #1f2328; }
.cj-report .swatch { display: inline-block; width: .8em; height: .8em; margin-right: .3em;
  border-radius: 2px; vertical-align: -1px; }
.cj-report .meta { color: #57606a; }
.cj-report .muted { color: #8c959f; }
"""

#: The stand-alone page: the fragment's rules plus page layout, the map grid and print.
PAGE_CSS = (
    FRAGMENT_CSS
    + """
html { background: #fff; }
body { margin: 0; }
.cj-report > header { padding: 1.2em 2em .8em; border-bottom: 3px solid #4e79a7; }
.cj-report > header h1 { font-size: 1.7em; margin: 0 0 .2em; }
.cj-report > header p { margin: .15em 0; }
.cj-report nav { padding: .5em 2em; border-bottom: 1px solid #d8dee4; position: sticky;
  top: 0; background: #fff; z-index: 1; }
.cj-report nav a { margin-right: 1.2em; color: #0969da; text-decoration: none; }
.cj-report main { padding: 0 2em 2em; max-width: 1400px; }
.cj-report section { padding-top: 1.2em; margin-top: 1em; border-top: 1px solid #eef1f4;
  scroll-margin-top: 2.5em; }
.cj-report .map { width: 100%; table-layout: fixed; }
.cj-report .map th[scope=row] { width: 9em; background: #f6f8fa; }
.cj-report .map td { font-size: .92em; }
.cj-report .map ul { margin: 0; padding-left: 1.1em; }
.cj-report .map .phase { color: #fff; text-align: center; }
.cj-report .map .channel { font-weight: 600; }
.cj-report .friction-cell li { color: #a40e26; }
.cj-report .legend { margin: .4em 0; }
.cj-report .legend span.item { margin-right: 1em; white-space: nowrap; }
.cj-report .group { margin-top: 2.5em; border-top: 3px solid #4e79a7; }
.cj-report .group > h2 { margin: .8em 0 .3em; }
.cj-report p.links a { margin-right: 1.2em; color: #0969da; text-decoration: none; }
.cj-report #groups a { color: #0969da; }
.cj-report svg text.count { paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.cj-report footer { padding: 1em 2em; color: #8c959f; font-size: .85em; }
@media print {
  .cj-report nav { display: none; }
  .cj-report section { break-before: page; border: 0; }
  .cj-report section#map { break-before: auto; }
  .cj-report table, .cj-report svg { break-inside: avoid; }
  .cj-report th { background: #fff; }
  .cj-report .map .phase { color: #000; background: #fff !important;
    border-bottom: 3px solid #4e79a7; }
  .cj-report main { max-width: none; padding: 0; }
}
"""
)
