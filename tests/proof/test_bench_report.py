"""bench/report.py: budget verdicts from the budget texts, and the summary block written at the
top of docs/PERFORMANCE.md without touching the sections below it."""

from __future__ import annotations

from bench.report import END, START, budget_status, render, write_into


def fig(value, unit, budget, ratio=None, **extra):
    return {"bench": "sync", "name": "x", "value": value, "unit": unit, "baseline": None, "baseline_name": "",
            "ratio": ratio, "budget": budget, **extra}


def test_budget_verdicts():
    assert budget_status(fig(12.5, "s", "< 60 s")) == "within"
    assert budget_status(fig(61, "s", "< 60 s")) == "**over budget**"
    assert budget_status(fig(23.6, "ms", "100 ms and <= 1.5x", ratio=1.12)) == "within"
    assert budget_status(fig(23.6, "ms", "100 ms and <= 1.5x", ratio=1.6)) == "**over budget**"
    assert budget_status(fig(0.23, "s", "< 1.5 s")) == "within"
    assert budget_status(fig(1600, "ms", "< 1.5 s")) == "**over budget**"
    assert budget_status(fig(159, "MB", "< 150 MB")) == "**over budget**"
    assert budget_status(fig(1.0, "s", "≤ 3x", ratio=5.1)) == "**over budget**"
    assert budget_status(fig(1.0, "s", "")) == "for information"


def summary():
    machine = {"cpu": "AMD EPYC", "cores": 2, "ram_gib": 23.5, "os": "Linux", "python": "3.11.7",
               "qt": "PySide6 6.11.3, Qt 6.11.3", "sqlite": "3.40.1", "load_at_start": 1.0}
    growth = [{"bench": "growth", "kind": "growth", "operation": "hub apply", "rows": n, "value": v, "unit": "s",
               "name": "g", **({"note": "refused (too_large)"} if v is None else {})}
              for n, v in ((1000, 0.01), (1_000_000, None))]
    return {"mode": "full", "started_at": "2026-11-24T06:25:00+00:00", "seconds": 500, "machine": machine,
            "runs": [{"name": "sync", "status": "ok", "seconds": 70}, {"name": "tasks", "status": "timeout",
                                                                      "seconds": 1800}],
            "figures": [fig(12.5, "s", "< 60 s", ratio=None, name="96-unit simulation | HTTP")] + growth}


def test_block_goes_on_top_and_keeps_the_sections(tmp_path):
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text("# Performance\n\nIntro.\n\n## Tasks (issue 3)\n\nOwn figures.\n", encoding="utf-8")
    write_into(doc, render(summary()))
    text = doc.read_text(encoding="utf-8")
    assert text.index("Intro.") < text.index(START) < text.index(END) < text.index("## Tasks (issue 3)")
    assert "AMD EPYC, 2 cores, 23.5 GiB RAM" in text and "PySide6 6.11.3" in text
    assert "96-unit simulation \\| HTTP" in text and "| within |" in text
    assert "`bench.tasks` timeout" in text
    assert "refused (too_large)" in text and "1,000,000 rows" in text
    write_into(doc, render(summary()))  # a second run replaces the block, does not add one
    assert doc.read_text(encoding="utf-8").count(START) == 1
    assert doc.read_text(encoding="utf-8").endswith("Own figures.\n")
