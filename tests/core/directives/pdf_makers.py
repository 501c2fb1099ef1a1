"""Making real PDFs of a directive's text, the ways provinces make them: LibreOffice and Chromium.

Three routes, each from the same .txt sample (with its conversion marks: ``**bold**``,
``[footnoteRef:1]`` and ``[1: footnote body]``):

- ``docx``: a Word-like letter built with python-docx — the two-column header as a borderless
  table (issuer and number on the left, the national motto and place/date on the right),
  justified paragraphs with a first-line indent, page numbers in the footer, NĐ 30 margins —
  then LibreOffice turns it into PDF. Footnote anchors become superscript digits.
- ``lo-html``: HTML in LibreOffice's own footnote markup (real footnotes at the page bottom),
  with a digital-signature stamp on page 1, converted by LibreOffice.
- ``chromium``: HTML printed by headless Chromium; footnotes as small notes at the end.
- ``lo-txt`` / ``chromium-txt``: the .txt itself converted by LibreOffice or printed by Chromium.

A font without Vietnamese letters (Liberation Sans Narrow) makes the tools fall back to
another font for those letters, which is what broke the old reader.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

FONT_WITHOUT_VIETNAMESE = "Liberation Sans Narrow"
_FOOTNOTE_BODY = re.compile(r"\[(\d{1,3}):\s+([^\]]*)\]")
_FOOTNOTE_REF = re.compile(r"\[footnoteRef:(\d{1,3})\]")
_JUNK = re.compile(r"\[bookmark:[^\]]*\]")
_MOTTO = re.compile(r"^(CỘNG H|Độc lập|Dự thảo|-{3,}|[^,]{2,40}, ngày\s)")
SIGNATURE = ("Ký bởi: Ủy ban Nhân dân tỉnh Quảng Ngãi", "Email: ubnd@quangngai.gov.vn",
             "Thời gian ký: 19.09.2022 10:25:12 +07:00")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def split_sample(text: str) -> tuple[list[str], list[str], dict[str, str]]:
    """(header lines, body lines, footnotes) of a sample .txt; marks other than bold removed."""
    notes: dict[str, str] = {}

    def keep(match):
        notes[match.group(1)] = match.group(2).strip()
        return ""

    text = _FOOTNOTE_BODY.sub(keep, text)
    text = _JUNK.sub("", text)
    lines = [re.sub(r"\s+", " ", line.replace("\t", " ")).strip() for line in text.splitlines()]
    lines = [line.lstrip("·• ").strip() if line.startswith(("·", "•")) else line for line in lines]
    header, body = [], []
    in_body = False
    for line in lines:
        if not in_body and re.match(r"^(\*\*)?(Kính gửi|KẾ HOẠCH|BÁO CÁO|QUYẾT ĐỊNH|CHỈ THỊ|CÔNG ĐIỆN|THÔNG BÁO|"
                                    r"Căn cứ|Thực hiện|I\.|\d{1,2}\.\s|Điều\s\d|Chủ tịch)", line):
            in_body = True
        (body if in_body else header).append(line)
    return [h for h in header if h], [b for b in body if b], notes


def _inline_html(line: str, footnote_markup: str) -> str:
    out = html.escape(line)
    out = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", out)
    out = out.replace("**", "")

    def anchor(match):
        n = match.group(1)
        if footnote_markup == "libreoffice":
            return (f'<a class="sdfootnoteanc" name="sdfootnote{n}anc" href="#sdfootnote{n}sym">'
                    f"<sup>{n}</sup></a>")
        return f"<sup>{n}</sup>"

    return _FOOTNOTE_REF.sub(anchor, out)


def sample_html(text: str, font: str, footnote_markup: str, signature: bool = False) -> str:
    header, body, notes = split_sample(text)
    left = [h for h in header if not _MOTTO.match(h.replace("**", ""))]
    right = [h for h in header if _MOTTO.match(h.replace("**", ""))]
    css = (f"body {{ font-family: '{font}'; font-size: 13pt; }} p {{ margin: 0 0 6pt 0; text-align: justify; "
           "text-indent: 1cm; line-height: 1.2; }} td p { text-indent: 0; text-align: center; } "
           ".note { font-size: 9pt; text-indent: 0; } .sig { font-size: 8pt; text-indent: 0; text-align: right; }")
    parts = [f"<html><head><meta charset='utf-8'><style>{css}</style></head><body>"]
    if signature:
        parts.append("".join(f"<p class='sig'>{html.escape(s)}</p>" for s in SIGNATURE))
    parts.append("<table width='100%'><tr><td width='40%' valign='top'>")
    parts.extend(f"<p>{_inline_html(h, footnote_markup)}</p>" for h in left)
    parts.append("</td><td width='60%' valign='top'>")
    parts.extend(f"<p>{_inline_html(h, footnote_markup)}</p>" for h in right)
    parts.append("</td></tr></table>")
    parts.extend(f"<p>{_inline_html(b, footnote_markup)}</p>" for b in body)
    for n, note in notes.items():
        if footnote_markup == "libreoffice":
            parts.append(f'<div id="sdfootnote{n}"><p class="note"><a class="sdfootnotesym" '
                         f'name="sdfootnote{n}sym" href="#sdfootnote{n}anc">{n}</a> {html.escape(note)}</p></div>')
        else:
            parts.append(f"<p class='note'><sup>{n}</sup> {html.escape(note)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def sample_docx(text: str, path: Path, font: str) -> Path:
    """A Word-like letter: two-column header table, justified body, page numbers in the footer."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    header, body, _notes = split_sample(text)
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    style = doc.styles["Normal"]
    style.font.name = font
    style.font.size = Pt(13)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), font)

    def add_runs(paragraph, line):
        for piece in re.split(r"(\*\*.+?\*\*|\[footnoteRef:\d+\])", line):
            if not piece:
                continue
            if piece.startswith("**"):
                run = paragraph.add_run(piece.strip("*"))
                run.bold = True
            elif piece.startswith("[footnoteRef:"):
                run = paragraph.add_run(piece[13:-1])
                run.font.superscript = True
            else:
                paragraph.add_run(piece.replace("**", ""))

    table = doc.add_table(rows=1, cols=2)
    left = [h for h in header if not _MOTTO.match(h.replace("**", ""))]
    right = [h for h in header if _MOTTO.match(h.replace("**", ""))]
    for cell, lines in zip(table.rows[0].cells, (left, right)):
        cell.paragraphs[0].text = ""
        for index, line in enumerate(lines):
            paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            add_runs(paragraph, line)
    for line in body:
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1)
        paragraph.paragraph_format.space_after = Pt(6)
        add_runs(paragraph, line)
    # Page number in the footer: a PAGE field.
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = footer.add_run()
    for kind, text_value in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text_value
        run._r.append(element)
    doc.save(path)
    return path


def _run(cmd: list[str], cwd: Path, timeout: int = 180) -> None:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {result.stderr.decode(errors='replace')[-500:]}")


def libreoffice_pdf(source: Path, out_dir: Path) -> Path:
    """Convert a .docx/.html/.txt with LibreOffice (its own profile, so runs do not collide)."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice is not installed")
    with tempfile.TemporaryDirectory() as profile:
        _run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
              "--outdir", str(out_dir), str(source)], out_dir)
    pdf = out_dir / (source.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice made no PDF of {source.name}")
    return pdf


def chromium_pdf(html_path: Path, pdf: Path) -> Path:
    exe = chromium()
    if exe is None:
        raise RuntimeError("Chromium is not installed")
    with tempfile.TemporaryDirectory() as profile:
        _run([exe, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
              "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html_path.as_uri()], pdf.parent)
    if not pdf.exists():
        raise RuntimeError("Chromium made no PDF")
    return pdf


def make_pdf(text: str, route: str, font: str, out_dir: Path, stem: str) -> Path:
    """One PDF of `text` by `route` ("docx", "lo-html", "chromium") in `font`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if route == "docx":
        return libreoffice_pdf(sample_docx(text, out_dir / f"{stem}.docx", font), out_dir)
    if route == "lo-html":
        source = out_dir / f"{stem}.html"
        source.write_text(sample_html(text, font, "libreoffice", signature=True), encoding="utf-8")
        return libreoffice_pdf(source, out_dir)
    if route == "chromium":
        source = out_dir / f"{stem}.html"
        source.write_text(sample_html(text, font, "end"), encoding="utf-8")
        return chromium_pdf(source, out_dir / f"{stem}.pdf")
    if route in ("lo-txt", "chromium-txt"):
        # The .txt printed as it is (LibreOffice's text import in Liberation Mono, which lacks
        # Vietnamese letters; Chromium's plain-text view): ragged lines, no indentation.
        source = out_dir / f"{stem}.txt"
        source.write_text(text, encoding="utf-8")
        if route == "lo-txt":
            return libreoffice_pdf(source, out_dir)
        return chromium_pdf(source, out_dir / f"{stem}.pdf")
    raise ValueError(route)
