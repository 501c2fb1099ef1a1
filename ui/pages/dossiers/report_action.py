"""Make the monthly digitisation report — PDF to print and sign, or Word (.docx) to edit first —
where the person chose in the save dialog; a PDF is opened in the system viewer."""

from __future__ import annotations

from pathlib import Path

from core.clock import today_local

REPORT_SUFFIXES = (".pdf", ".docx")


def report_path(ctx, month: str, suffix: str = ".pdf"):
    return ctx.paths.reports_dir / f"bao-cao-so-hoa-ho-so-{month}{suffix}"


def ask_month_report(parent, ctx, period) -> None:
    """The save dialog (PDF or Word; the type chosen decides the file), then the report."""
    from ui.save_file import ask_save_path

    month = period.start.strftime("%Y-%m")
    ctx.paths.reports_dir.mkdir(parents=True, exist_ok=True)
    ask_save_path(parent, f"Lưu báo cáo tháng {month[5:]}/{month[:4]}", report_path(ctx, month),
                  REPORT_SUFFIXES, lambda out: print_month_report(parent, ctx, period, out=out))


def print_month_report(parent, ctx, period, *, out: Path | None = None, open_when_done: bool = True) -> None:
    """The report of the month the period starts in (the counters page's period), written to `out`
    (.pdf or .docx; the reports folder's PDF when not given)."""
    month = period.start.strftime("%Y-%m")
    out = Path(out) if out is not None else report_path(ctx, month)
    today = today_local()

    def build(store):
        from core.dossiers.report_pdf import build_month_report

        out.parent.mkdir(parents=True, exist_ok=True)
        return build_month_report(store, month, out, today=today)

    def done(built):
        pages = f" ({built.pages} trang)" if built.pages else ""
        if hasattr(parent, "_said"):
            parent._said(f"Đã tạo báo cáo tháng {month[5:]}/{month[:4]}{pages}: {out}")
        if open_when_done and out.suffix.lower() == ".pdf":
            from ui.pdf_output import open_pdf

            open_pdf(out)

    ctx.bg.db(build, done)
