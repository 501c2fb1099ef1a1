"""Make the monthly digitisation report (PDF) and open it in the system viewer."""

from __future__ import annotations

from core.clock import today_local


def report_path(ctx, month: str):
    return ctx.paths.reports_dir / f"bao-cao-so-hoa-ho-so-{month}.pdf"


def print_month_report(parent, ctx, period, *, open_when_done: bool = True) -> None:
    """The report of the month the period starts in (the counters page's period)."""
    month = period.start.strftime("%Y-%m")
    out = report_path(ctx, month)
    today = today_local()

    def build(store):
        from core.dossiers.report_pdf import build_month_report

        out.parent.mkdir(parents=True, exist_ok=True)
        return build_month_report(store, month, out, today=today)

    def done(built):
        if hasattr(parent, "_said"):
            parent._said(f"Đã tạo báo cáo tháng {month[5:]}/{month[:4]} ({built.pages} trang): {out}")
        if open_when_done:
            from ui.pdf_output import open_pdf

            open_pdf(out)

    ctx.bg.db(build, done)
