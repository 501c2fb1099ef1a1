"""Register export to .xlsx through core.excel (issue 15).

Exporting N dossiers with everything core.excel adds (typed date and number cells with their
formats, borders, wrapped text, fitted widths, row heights, print setup) vs openpyxl's
write-only mode writing the same typed values bare (budget ≤ 2x).

    python -m bench.excel_export [--quick]     (--quick: 10,000 dossiers; full: 100,000)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import report
from bench.dossiers import build_register
from core.dossiers.export import export_register, register_columns, register_values
from core.paths import AppPaths
from core.workspace import initialise, open_workspace


def bare_export(store, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sổ hồ sơ")
    sheet.append([c.title for c in register_columns()])
    for values in register_values(store):
        sheet.append(values)
    book.save(path)


def best_of(n: int, fn) -> float:
    best = float("inf")
    for _ in range(n):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    total = 10_000 if args.quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        store = open_workspace(AppPaths(Path(tmp) / "data").ensure())
        initialise(store, "21484", ["Cán bộ đo"])
        build_register(store, total)
        rows = store.scalar("SELECT count(*) FROM dossiers")
        # The machine is shared: best of two each, the baseline measured before and after.
        baseline = best_of(2, lambda: bare_export(store, Path(tmp) / "bare.xlsx"))
        measured = best_of(2, lambda: export_register(store, Path(tmp) / "so.xlsx"))
        baseline = min(baseline, best_of(1, lambda: bare_export(store, Path(tmp) / "bare.xlsx")))
        report(f"export {rows:,} dossiers to .xlsx (core.excel: typed cells, styles, widths, heights)", measured,
               "s", baseline, "openpyxl write-only, same values, no styles", "≤ 2x")
        store.close()


if __name__ == "__main__":
    main()
