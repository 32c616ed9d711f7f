"""Tables of figures as aligned text (the terminal) and as Markdown (the results files).

Every benchmark report is a plain dict whose tables are views of it; every benchmark (HTTP,
database, tasks) lays its tables out the same way: the first two columns name the row and are
left aligned, the figures are right aligned, and the last two columns (target, result) are words.
The verdicts' summary under the tables is worded the same way too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = [
    "CLOSE",
    "Table",
    "close_line",
    "number",
    "render_markdown_report",
    "render_markdown_tables",
    "render_text_report",
    "render_text_tables",
    "report_views",
    "status",
    "summarize",
    "summary_lines",
]

CLOSE = 0.05
"""A ratio within this fraction of its threshold is called close: inside run-to-run noise."""

Table = tuple[str, list[str], list[list[str]]]
"""(title, headers, rows): one table, every cell already a string."""

Report = dict[str, Any]


def number(value: float | None, digits: int = 0, suffix: str = "") -> str:
    """`value` with thousands separators and `digits` decimals, or `-` when there is none."""
    return "-" if value is None else f"{value:,.{digits}f}{suffix}"


def status(ok: bool | None) -> str:
    """A verdict: PASS, FAIL, or n/a when there was nothing to judge."""
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def render_text_tables(tables: Sequence[Table]) -> list[str]:
    """The tables as aligned text lines, each followed by an empty line."""
    out: list[str] = []
    for title, headers, rows in tables:
        widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]
        out.append(title)
        out.append("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
        out.append("  ".join("-" * w for w in widths))
        for row in rows:
            cells = [
                c.ljust(w) if i < 2 or i >= len(row) - 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ]
            out.append("  ".join(cells).rstrip())
        out.append("")
    return out


def render_markdown_tables(tables: Sequence[Table]) -> list[str]:
    """The tables as Markdown sections (`## title`), each followed by an empty line."""
    out: list[str] = []
    for title, headers, rows in tables:
        out += [f"## {title}", "", "| " + " | ".join(headers) + " |"]
        out.append("|" + "|".join("---" if i < 2 else "---:" for i in range(len(headers))) + "|")
        out += ["| " + " | ".join(row) + " |" for row in rows]
        out.append("")
    return out


def close_line(close: Sequence[str]) -> list[str]:
    """The summary line naming verdicts within CLOSE of their threshold (none when there are
    none): a ratio that near its target can flip on the next run."""
    if not close:
        return []
    return [
        f"Close to the threshold (within {CLOSE:.0%}, inside this machine's run-to-run "
        f"noise; run again before trusting the verdict): {'; '.join(close)}"
    ]


def render_text_report(
    setup: Sequence[str], tables: Sequence[Table], summary: Sequence[str], errors: dict[str, str]
) -> str:
    """A whole report for the terminal: setup lines, tables, summary, then any errors."""
    out = [*setup, ""]
    out += render_text_tables(tables)
    out += summary
    for name, error in errors.items():
        out.append(f"ERROR {name}: {error}")
    return "\n".join(out) + "\n"


def render_markdown_report(
    title: str,
    setup: Sequence[str],
    tables: Sequence[Table],
    summary: Sequence[str],
    errors: dict[str, str],
) -> str:
    """The same report as Markdown, the file committed under benchmarks/results/."""
    out = [f"# {title}", "", *[f"- {line}" for line in setup], ""]
    out += render_markdown_tables(tables)
    out += [f"**{line}**\n" for line in summary]
    for name, error in errors.items():
        out += ["", f"ERROR {name}:", "", "```", error, "```"]
    return "\n".join(out) + "\n"


def summarize(
    targets: Sequence[Mapping[str, Any]],
    rounds: Sequence[Mapping[str, Any]],
    noise_limit: float,
    measured: Mapping[str, Mapping[str, Any]],
) -> Report:
    """A report's `summary`: the verdicts counted, the noisy rounds among `rounds`, and the
    error of each of the `measured` runs that stopped."""
    results = [t["result"] for t in targets]
    return {
        "noisy_rounds": sum((r["background_cores"] or 0) > noise_limit for r in rounds),
        "rounds": len(rounds),
        "passed": results.count("PASS"),
        "failed": results.count("FAIL"),
        "not_measured": results.count("n/a"),
        "errors": {name: run["error"] for name, run in measured.items() if run["error"]},
    }


def summary_lines(
    report: Report, close: Sequence[str], *, absent: str = "peer", unit: str = "rounds"
) -> list[str]:
    """The lines under the tables: the verdicts counted (what was not measured because the
    `absent` thing was not in the run), the ones `close` to their threshold, and how many of
    the `unit` (rounds, measurements) ran on a noisy machine."""
    summary = report["summary"]
    line = f"Targets: {summary['passed']} PASS, {summary['failed']} FAIL"
    if summary["not_measured"]:
        line += f", {summary['not_measured']} not measured ({absent} not in this run)"
    lines = [line, *close_line(close)]
    if summary["noisy_rounds"]:
        lines.append(
            f"Noise: {summary['noisy_rounds']} of {summary['rounds']} {unit} ran while the rest "
            f"of the machine used more than {report['meta']['noise_limit_cores']} cores; "
            "their figures are likely low (see the noise column)"
        )
    return lines


def report_views(
    title: str,
    setup: Callable[[Report], list[str]],
    tables: Callable[[Report], list[Table]],
    summary: Callable[[Report], list[str]],
) -> tuple[Callable[[Report], str], Callable[[Report], str]]:
    """(render_text, render_markdown) of a benchmark's reports, made from its `setup` lines
    (given the report's meta), its `tables` and its `summary` lines; the Markdown is headed
    `title`."""

    def render_text(report: Report) -> str:
        return render_text_report(
            setup(report["meta"]), tables(report), summary(report), report["summary"]["errors"]
        )

    def render_markdown(report: Report) -> str:
        return render_markdown_report(
            title,
            setup(report["meta"]),
            tables(report),
            summary(report),
            report["summary"]["errors"],
        )

    return render_text, render_markdown
