"""Turn a `python -m bench` summary (JSON) into the one-page table at the top of docs/PERFORMANCE.md.

    python bench/report.py [bench/results/full.json] [--doc docs/PERFORMANCE.md] [--print]

The table sits between two marker comments; everything else in the document (the sections
each capability wrote about its own figures) is left as it is.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: `python bench/report.py`
    sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402

START = "<!-- bench-summary:start (written by bench/report.py; edit the benchmarks, not this block) -->"
END = "<!-- bench-summary:end -->"
CAPABILITY = {
    "startup": "Foundation (2)", "tasks": "Tasks (3)", "dossiers": "Dossiers (4)", "checklists": "Checklists (5)",
    "printing": "Printing (6)", "sync": "Sync (7)", "frozen_startup": "Frozen build (8)",
    "growth": "Growth (9)", "hub_load": "Hub under load (9)", "sync_chaos": "Sync chaos (9)",
}
ORDER = list(CAPABILITY)
UNIT_SCALE = {"ms": 0.001, "s": 1.0, "MB": 1.0, "req/s": 1.0}
SIZES = [1_000, 10_000, 100_000, 1_000_000]


def budget_status(figure: dict) -> str:
    """'within' / 'over budget' from the budget text ("< 60 s", "100 ms and <= 1.5x", "≤ 3x")."""
    budget = figure.get("budget") or ""
    if not budget:
        return "for information"
    checks = []
    for limit in re.findall(r"(\d+(?:\.\d+)?)\s*x\b", budget):
        if figure.get("ratio") is not None:
            checks.append(figure["ratio"] <= float(limit))
    for limit, unit in re.findall(r"(\d+(?:\.\d+)?)\s*(ms|s|MB)\b", budget):
        mine = figure.get("unit")
        if mine in UNIT_SCALE and unit in UNIT_SCALE and (mine == "MB") == (unit == "MB"):
            checks.append(figure["value"] * UNIT_SCALE[mine] <= float(limit) * UNIT_SCALE[unit])
    if not checks:
        return "see budget"
    return "within" if all(checks) else "**over budget**"


def _num(value: float, unit: str) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    return f"{text} {unit}"


def _cell(text: str) -> str:
    return (text or "").replace("|", "\\|").replace("<=", "≤")


def budget_table(summary: dict) -> list[str]:
    figures = [f for f in summary["figures"] if f.get("kind") != "growth"]
    figures.sort(key=lambda f: ORDER.index(f["bench"]) if f["bench"] in ORDER else len(ORDER))
    lines = ["| capability (issue) | figure | measured | baseline (same run) | ratio | budget | status |",
             "|---|---|---|---|---|---|---|"]
    for f in figures:
        baseline = f"{_num(f['baseline'], f['unit'])} {f['baseline_name']}" if f.get("baseline") is not None else "—"
        ratio = f"{f['ratio']:.2f}x" if f.get("ratio") is not None else "—"
        lines.append(f"| {CAPABILITY.get(f['bench'], f['bench'])} | {_cell(f['name'])} | {_num(f['value'], f['unit'])} "
                     f"| {_cell(baseline)} | {ratio} | {_cell(f.get('budget') or '—')} | {budget_status(f)} |")
    return lines


def growth_table(summary: dict) -> list[str]:
    growth = [f for f in summary["figures"] if f.get("kind") == "growth"]
    if not growth:
        return []
    operations: dict[str, dict[int, dict]] = {}
    for f in growth:
        operations.setdefault(f["operation"], {})[f["rows"]] = f
    sizes = sorted({f["rows"] for f in growth})
    lines = ["| operation | " + " | ".join(f"{s:,} rows" for s in sizes) + " |",
             "|---|" + "---|" * len(sizes)]
    for operation, by_size in operations.items():
        cells = [(_num(by_size[s]["value"], by_size[s]["unit"]) if by_size[s]["value"] is not None
                  else by_size[s].get("note", "—")) if s in by_size else "—" for s in sizes]
        lines.append(f"| {_cell(operation)} | " + " | ".join(cells) + " |")
    return lines


def render(summary: dict, plot: str | None = None) -> str:
    runs = summary["runs"]
    lines = [START, "", f"## Summary: every budget, one run (`python -m bench{' --quick' if summary['mode'] == 'quick' else ''}`)", "",
             f"Run {summary['started_at']} UTC, {summary['mode']} mode, {summary['seconds'] / 60:.1f} minutes. "
             f"Machine: {describe(summary['machine'])}. "
             "Every figure beside a baseline measured in the same run; ratios are what the budgets compare, "
             "absolute times follow the load of this shared machine (load average "
             f"{summary['machine'].get('load_at_start') or 0:.1f} at the start).", ""]
    lines += budget_table(summary)
    not_ok = [r for r in runs if r["status"] != "ok"]
    if not_ok:
        lines += ["", "Benchmarks without figures in this run: " +
                  "; ".join(f"`bench.{r['name']}` {r['status']}" for r in not_ok) + "."]
    for note in summary.get("notes", []):
        lines += ["", note]
    growth = growth_table(summary)
    if growth:
        lines += ["", "### Growth with data size (`python -m bench.growth`)", "",
                  "Each operation on a workspace or hub holding that many rows, fresh databases for each "
                  "size, same run; indicators and search are medians of 9 (5 with --quick) after a warm-up, "
                  "export and apply one run each. "
                  "Dossier indicators: a year's indicators over a register of N dossiers; task search: a "
                  "folded two-word search over N tasks (1,000-row cap); bundle export: cutting N changed "
                  "dossier rows into signed bundles (at most 50,000 changes each); hub apply: the hub "
                  "ingesting them.", ""]
        lines += growth
        if plot:
            lines += ["", f"![Time against rows, log-log: the four operations above]({plot})"]
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write_into(doc: Path, block: str) -> None:
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + block.rstrip("\n") + after
    else:
        # Right after the document's opening paragraph, before the per-capability sections.
        match = re.search(r"\n## ", text)
        cut = match.start() + 1 if match else len(text)
        text = text[:cut] + block + "\n" + text[cut:]
    doc.write_text(text, encoding="utf-8")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("summary", nargs="?", type=Path, default=ROOT / "bench" / "results" / "full.json")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    parser.add_argument("--print", action="store_true", help="print the block instead of writing the document")
    args = parser.parse_args(argv)
    summary = json.loads(args.summary.read_text(encoding="utf-8"))
    if args.print:
        print(render(summary))
        return
    plot = None
    if summary["mode"] == "full":
        from bench.growth_plot import draw

        if draw(summary, args.doc.parent / "growth.png"):
            plot = "growth.png"
    write_into(args.doc, render(summary, plot))
    print(f"{args.doc}: summary table from {args.summary}" + (f", plot {args.doc.parent / plot}" if plot else ""))


if __name__ == "__main__":
    main()
