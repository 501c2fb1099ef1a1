"""Budgets of the readiness checklists (issue 5).

- Opening a run with 100 items (< 100 ms): load the run from the database (items, answers,
  corrections, incidents, staff names) and show it in the run panel (model, first item, live
  verdict). Baseline in the same run: a bare SELECT of the same 100 item rows shown in a
  QStandardItemModel/QTableView.
- Printing a completed sheet (< 1 s): the 100-item run and a 23-item run (the shipped template)
  written as PDF. Baseline in the same run: bare reportlab, a LongTable of the same 100 rows in the
  same font, no header, check boxes or page furniture.

    python -m bench.checklists [--quick]
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.common import median_time, report  # noqa: E402


def _workspace(tmp: Path):
    from core.checklists import runs, templates
    from core.checklists.model import Item
    from core.paths import AppPaths
    from core.workspace import initialise, open_workspace

    store = open_workspace(AppPaths(tmp / "data").ensure())
    initialise(store, "21484", ["Nguyễn Thị Hồng Nhung", "Trần Văn Đức"], "Nguyễn Thị Hồng Nhung")
    shipped = list(templates.builtin_template().items)
    items = [Item(f"Nhóm {n // 10 + 1}", f"{shipped[n % len(shipped)].text} (lần {n + 1})", shipped[n % len(shipped)].kind,
                  shipped[n % len(shipped)].threshold, shipped[n % len(shipped)].unit, critical=n % 3 == 0,
                  guidance=shipped[n % len(shipped)].guidance) for n in range(100)]
    copy = templates.make_local_copy(store, templates.BUILTIN_REF, "Phiếu 100 mục")
    copy = templates.save_local_template(store, copy.ref, items)
    big = runs.create_run(store, title="Hội nghị trực tuyến kiểm tra 100 mục", host="province",
                          meeting_date="10/03/2026", start_time="08:00", template_ref=copy.ref,
                          leader_name="Phạm Văn Hùng")
    small = runs.create_run(store, title="Hội nghị trực tuyến giao ban", host="government",
                            meeting_date="11/03/2026", start_time="14:00", template_ref=templates.BUILTIN_REF)
    for run_id in (big, small):
        for n, item in enumerate(runs.load_run(store, run_id).items):
            if item.kind == "number":
                runs.record_answer(store, run_id, item.id, number=str((item.threshold or 1) * 1.5), note="Đo thử")
            elif item.kind == "text":
                runs.record_answer(store, run_id, item.id, text="Đã ghi nhật ký")
            else:
                runs.record_answer(store, run_id, item.id, status="fail" if n % 17 == 5 else "pass")
        runs.add_incident(store, run_id, time_text="09:10", what="Mất tiếng từ điểm cầu tỉnh", fix="Đổi micro")
        runs.close_run(store, run_id, attendance=18)
    return store, big, small


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    repeat = 5 if args.quick else 21

    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView

    from core.checklists import runs, sheet
    from core.units import find_unit
    from ui.background import Background
    from ui.pages.base import AppSignals, UiContext
    from ui.pages.conference.run_panel import RunPanel

    from ui import refcount_guard

    app = QApplication.instance() or QApplication([])
    refcount_guard.install()  # PySide6 6.12 / Python 3.11 drops references to None (see the module)
    with tempfile.TemporaryDirectory() as tmp:
        store, big, small = _workspace(Path(tmp))
        from core.workspace import identity
        ctx = UiContext(Background(lambda: store), None, AppSignals(), identity(store))
        panel = RunPanel(ctx)
        panel.resize(900, 700)
        panel.show()

        def open_run():
            run = runs.load_run(store, big)
            panel.show_run(run, keep_row=False)
            app.processEvents()

        view = QTableView()
        view.resize(900, 700)
        view.show()

        def bare_open():
            rows = store.query("SELECT position, category, text, kind, threshold, unit FROM checklist_run_items "
                               "WHERE run_id = ? ORDER BY position", (big,))
            model = QStandardItemModel(len(rows), 6, view)  # owned by the view: freed with it
            for r, row in enumerate(rows):
                for c, value in enumerate(row.values()):
                    model.setItem(r, c, QStandardItem("" if value is None else str(value)))
            view.setModel(model)
            view.selectRow(0)
            app.processEvents()

        open_run()
        bare_open()
        assert len(panel.run.items) == 100
        report("checklists: open a run with 100 items (load + show in run panel), median", median_time(open_run, repeat) * 1000,
               "ms", median_time(bare_open, repeat) * 1000, "bare SELECT + QStandardItemModel table", "< 100 ms")

        unit = find_unit("21484")
        big_run, small_run = runs.load_run(store, big), runs.load_run(store, small)

        def print_big():
            sheet.write_run_sheet(unit, big_run, io.BytesIO())

        def print_small():
            sheet.write_run_sheet(unit, small_run, io.BytesIO())

        def bare_print():
            from reportlab.lib.pagesizes import A4
            from reportlab.platypus import LongTable, SimpleDocTemplate

            from core.printing import fonts
            fonts.register_fonts()
            data = [["STT", "Nội dung kiểm tra", "Đạt", "Không đạt", "KAD", "Kết quả", "Ghi chú"]]
            for n, item in enumerate(big_run.items, 1):
                answer = big_run.answers.get(item.id)
                data.append([str(n), item.text[:60], "x" if answer and answer.status == "pass" else "",
                             "x" if answer and answer.status == "fail" else "", "", "", (answer.note or "") if answer else ""])
            table = LongTable(data, repeatRows=1)
            table.setStyle([("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR), ("GRID", (0, 0), (-1, -1), 0.5, "black")])
            SimpleDocTemplate(io.BytesIO(), pagesize=A4, initialFontName=fonts.REGULAR).build([table])

        print_big()
        bare_print()
        report("checklists: print completed sheet, 100 items, median", median_time(print_big, repeat), "s",
               median_time(bare_print, repeat), "bare reportlab LongTable of the same rows", "< 1 s")
        report("checklists: print completed sheet, 23 items (shipped template), median", median_time(print_small, repeat),
               "s", median_time(bare_print, repeat), "bare reportlab LongTable of the 100 rows", "< 1 s")
        ctx.bg.close()
        panel.close()
        view.close()
        panel.deleteLater()
        view.deleteLater()
        app.processEvents()
        store.close()


if __name__ == "__main__":
    main()
