"""Fuzzing the four readers of outside input: bundle reader, directive parser, deadline parser and
the Excel dossier importer. Whatever comes in: no crash, only typed errors (AppError subclasses
with a Vietnamese message), no input that takes more than a second (hypothesis' per-example
deadline; a SIGALRM guard stops a real hang after five).

    python -m pytest tests/proof/test_fuzz.py -q            (PROOF_FUZZ_EXAMPLES=2000 for a longer run)
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from core.directives.deadlines import Deadline, parse_deadline
from core.directives.parser import parse_directive
from core.directives.readers import decode_text, read_directive_file
from core.dossiers.excel_import import import_dossiers
from core.errors import AppError
from core.paths import AppPaths
from core.sync import bundle as bundlemod
from core.sync import keys
from core.workspace import initialise, open_workspace
from db.backup import integrity_problems

EXAMPLES = int(os.environ.get("PROOF_FUZZ_EXAMPLES", "0")) or None
FUZZ = settings(deadline=1000, max_examples=EXAMPLES or 150, derandomize=EXAMPLES is None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@contextmanager
def hard_limit(seconds: int = 5):
    """Hypothesis' deadline only judges an example once it returns; this stops a true hang."""
    if not hasattr(signal, "SIGALRM"):  # Windows: the per-example deadline alone
        yield
        return

    def stop(signum, frame):
        raise TimeoutError(f"input took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def only_typed(fn, *args, **kwargs):
    """Run `fn`; an AppError is fine (returned), anything else fails the example."""
    with hard_limit():
        try:
            return fn(*args, **kwargs)
        except AppError as exc:
            assert exc.message and exc.message.strip(), "typed error without a message"
            return exc


# -- bundle reader ----------------------------------------------------------------------

SIGNER = keys.load_or_create(Path(tempfile.mkdtemp(prefix="fuzz-keys-")))


def _valid_bundle() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        records = [("staff", f"id-{i}", "insert", i + 1, {"id": f"id-{i}", "full_name": f"Cán bộ {i}"})
                   for i in range(20)]
        path, _ = bundlemod.write_bundle(Path(tmp), kind="changes", source="21484", destination=bundlemod.PROVINCE,
                                         signer=SIGNER, records=records, seq_from=1, seq_to=20,
                                         attachments={"a.txt": "tệp đính kèm".encode()})
        return path.read_bytes()


VALID = _valid_bundle()


def _key_for(manifest: dict):
    return SIGNER.public


@st.composite
def mutated_bundles(draw):
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "splice"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            data = data[:pos] + data[pos + draw(st.integers(1, 400)):]
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "splice":
            data[pos:pos + 16] = bytes(16)
    return bytes(data)


@st.composite
def crafted_zips(draw):
    """Zips with the right member names but any content (or odd names): the reader's own checks."""
    out = io.BytesIO()
    names = ["manifest.json", "signature.txt", "records.jsonl", "ack.json", "attachments/a.txt"]
    with zipfile.ZipFile(out, "w", compression=draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))) as zf:
        for _ in range(draw(st.integers(0, 6))):
            name = draw(st.one_of(st.sampled_from(names + ["../evil", "/abs", "a\\b", "manifest.json"]),
                                  st.text(min_size=1, max_size=30)))
            content = draw(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode),
                                     st.just(b'{"format": "motcua-bundle", "format_version": 1}')))
            try:
                zf.writestr(name, content)
            except (ValueError, UnicodeEncodeError, IndexError):  # names zipfile itself cannot write ("\0")
                pass
    return out.getvalue()


@FUZZ
@pytest.mark.filterwarnings("ignore:Duplicate name")
@given(st.one_of(st.binary(max_size=2000), mutated_bundles(), crafted_zips()))
def test_bundle_reader_takes_any_bytes(data):
    result = only_typed(bundlemod.open_bundle_bytes, data, _key_for)
    if not isinstance(result, AppError):  # it opened: then it is the untouched valid bundle's content
        assert result.bundle_id and len(result.records()) == 20


def test_bundle_reader_accepts_the_unmutated_bundle():
    assert len(bundlemod.open_bundle_bytes(VALID, _key_for).records()) == 20


# -- directive parser -------------------------------------------------------------------

LINES = st.one_of(
    st.text(max_size=120),
    st.sampled_from(["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", "Số: 12/UBND-KGVX", "V/v triển khai số hóa",
                     "Kính gửi:", "- UBND các xã, phường;", "Thời gian hoàn thành: trước ngày 31/12/2025",
                     "Thời gian hoàn thành:", "Nhiệm vụ thường xuyên", "I. NHIỆM VỤ", "II.", "a)", "1.", "1.1.",
                     "- ", "+ ", "*", "**Số hóa**", "[1]", "Quảng Ngãi, ngày 05 tháng 01 năm 2026"]),
    st.builds(lambda m, t: f"{m} {t}", st.sampled_from(["1.", "2.", "a)", "b)", "-", "+", "1.1.", "I.", "(1)"]),
              st.text(max_size=80)),
)


@FUZZ
@given(st.lists(LINES, max_size=40), st.booleans())
def test_directive_parser_takes_any_text(lines, require_tasks):
    only_typed(parse_directive, "\n".join(lines), require_tasks=require_tasks)


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from([".txt", ".docx", ".pdf", ".doc", ""]))
def test_directive_file_reader_takes_any_bytes(data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"cong_van{suffix}"
        path.write_bytes(data)
        text = only_typed(read_directive_file, path)
        if isinstance(text, str):
            only_typed(parse_directive, text, require_tasks=False)
    only_typed(decode_text, data)


# -- deadline parser --------------------------------------------------------------------

PHRASES = st.one_of(
    st.text(max_size=100),
    st.builds(lambda a, d, m, y: f"{a} {d}/{m}/{y}", st.sampled_from(["trước ngày", "ngày", "đến", "hạn", ""]),
              st.integers(-5, 40), st.integers(-2, 14), st.integers(0, 10000)),
    st.builds(lambda q, y: f"trong Quý {q} năm {y}", st.sampled_from(["I", "II", "III", "IV", "V", "0", "4"]),
              st.integers(0, 99999)),
    st.builds(lambda m, y: f"trong tháng {m}/{y}", st.integers(-1, 13), st.integers(-1, 99999)),
    st.sampled_from(["Nhiệm vụ thường xuyên", "hằng tháng", "6 tháng đầu năm", "hết năm 2025", "Quý IV/2025"]),
)


@settings(FUZZ, max_examples=(EXAMPLES or 300))
@given(st.one_of(st.none(), PHRASES), st.one_of(st.none(), st.integers(-10, 20000)), st.booleans())
def test_deadline_parser_never_raises(text, default_year, label_context):
    with hard_limit():
        result = parse_deadline(text, default_year=default_year, label_context=label_context)
    assert isinstance(result, Deadline)
    if result.due is not None:
        assert isinstance(result.due, dt.date)


# -- Excel dossier importer -------------------------------------------------------------

HEADERS = ["STT", "MÃ HỒ SƠ", "Lĩnh vực", "Thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả",
           "Hình thức nộp", "Số hóa thành phần", "Số hóa kết quả", "Tái sử dụng dữ liệu", "Xác thực VNeID",
           "Thanh toán trực tuyến"]
# Text a worksheet can hold (openpyxl refuses control characters before the importer sees them).
SHEET_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)
CELLS = st.one_of(
    st.none(), SHEET_TEXT, st.integers(-10**12, 10**12), st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from(["000.00.53.H48-250601-0001", "Hộ tịch", "Có", "Không", "Trực tuyến", "Trực tiếp",
                     "01/06/2025", "31/02/2025", "2025-06-01", "=1/0", "Không thu phí"]),
)


@pytest.fixture(scope="module")
def import_store(tmp_path_factory):
    paths = AppPaths(tmp_path_factory.mktemp("fuzz-import") / "data").ensure()
    store = open_workspace(paths)
    initialise(store, "21484", ["Cán bộ một cửa"])
    yield store
    store.close()


@settings(FUZZ, max_examples=(EXAMPLES or 40))
@given(headers=st.one_of(st.just(HEADERS), st.lists(st.one_of(st.sampled_from(HEADERS), SHEET_TEXT),
                                                   max_size=15)),
       title_rows=st.integers(0, 3), rows=st.lists(st.lists(CELLS, max_size=15), max_size=12),
       commit=st.booleans())
def test_excel_importer_takes_any_sheet(import_store, headers, title_rows, rows, commit):
    wb = Workbook()
    ws = wb.active
    for _ in range(title_rows):
        ws.append(["BÁO CÁO HỒ SƠ"])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ho_so.xlsx"
        wb.save(path)
        before = import_store.scalar("SELECT count(*) FROM dossiers")
        result = only_typed(import_dossiers, import_store, path, dry_run=not commit)
        after = import_store.scalar("SELECT count(*) FROM dossiers")
    if isinstance(result, AppError) or not commit:
        assert after == before, "a refused or dry-run import wrote rows"
    assert not import_store.conn.in_transaction


@FUZZ
@given(st.one_of(st.binary(max_size=3000), mutated_bundles()), st.sampled_from([".xlsx", ".xls", ".csv", ""]))
def test_excel_importer_takes_any_file(import_store, data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"ho_so{suffix}"
        path.write_bytes(data)
        only_typed(import_dossiers, import_store, path, dry_run=True)


def test_importer_store_still_sound(import_store):
    assert integrity_problems(import_store.path) == []


# -- atheris (coverage-guided), when it is installed ------------------------------------

ATHERIS_TARGETS = Path(__file__).with_name("atheris_targets.py")


@pytest.mark.parametrize("target", ["bundle", "directive", "deadline", "excel"])
def test_atheris_finds_no_crash_or_hang(target, tmp_path):
    pytest.importorskip("atheris", reason="atheris is optional (pip install atheris)")
    import subprocess
    import sys

    runs = os.environ.get("PROOF_ATHERIS_RUNS", "3000")
    done = subprocess.run([sys.executable, str(ATHERIS_TARGETS), target, f"-runs={runs}", "-timeout=1",
                           "-max_total_time=30", f"-artifact_prefix={tmp_path}/", "-seed=9"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Done" in done.stderr
