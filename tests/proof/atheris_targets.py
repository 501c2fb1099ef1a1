"""Coverage-guided fuzzing with atheris (libFuzzer) of the four readers of outside input.

    python tests/proof/atheris_targets.py bundle|directive|deadline|excel -runs=5000 -timeout=1

An AppError is a fine answer; any other exception is a crash (libFuzzer stops and saves the
input as crash-*), an input that takes more than `-timeout` seconds is a hang.
tests/proof/test_fuzz.py runs each target briefly when atheris is installed.
"""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import atheris  # noqa: E402

with atheris.instrument_imports(include=["core"]):
    from core.directives.deadlines import parse_deadline
    from core.directives.parser import parse_directive
    from core.directives.readers import decode_text
    from core.dossiers.excel_import import import_dossiers
    from core.errors import AppError
    from core.sync import bundle as bundlemod
    from core.sync import keys

TMP = Path(tempfile.mkdtemp(prefix="atheris-"))
SIGNER = keys.load_or_create(TMP / "keys")


def bundle(data: bytes) -> None:
    bundlemod.open_bundle_bytes(data, lambda manifest: SIGNER.public)


def directive(data: bytes) -> None:
    text = decode_text(data)
    parse_directive(text, require_tasks=len(data) % 2 == 0)


def deadline(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    year = fdp.ConsumeIntInRange(1990, 2100) if fdp.ConsumeBool() else None
    parse_deadline(fdp.ConsumeUnicodeNoSurrogates(200), default_year=year, label_context=fdp.ConsumeBool())


_STORE = None


def excel(data: bytes) -> None:
    global _STORE
    if _STORE is None:
        from core.paths import AppPaths
        from core.workspace import initialise, open_workspace

        paths = AppPaths(TMP / "data").ensure()
        _STORE = open_workspace(paths)
        initialise(_STORE, "21484", ["Cán bộ một cửa"])
    path = TMP / "ho_so.xlsx"
    path.write_bytes(data)
    import_dossiers(_STORE, path, dry_run=True)


TARGETS = {"bundle": bundle, "directive": directive, "deadline": deadline, "excel": excel}


def seed_corpus(name: str) -> list[str]:
    """A valid input to start from, so mutations reach past the first check (zip magic, header row)."""
    folder = TMP / f"corpus-{name}"
    folder.mkdir()
    if name == "bundle":
        records = [("staff", f"id-{i}", "insert", i + 1, {"id": f"id-{i}", "full_name": f"Cán bộ {i}"})
                   for i in range(5)]
        path, _ = bundlemod.write_bundle(TMP / "out", kind="changes", source="21484", destination=bundlemod.PROVINCE,
                                         signer=SIGNER, records=records, seq_from=1, seq_to=5)
        (folder / "valid").write_bytes(path.read_bytes())
    elif name == "excel":
        from openpyxl import Workbook

        wb = Workbook()
        wb.active.append(["STT", "MÃ HỒ SƠ", "Lĩnh vực", "Ngày tiếp nhận", "Hình thức nộp"])
        wb.active.append([1, "000.00.53.H48-250601-0001", "Hộ tịch", "01/06/2025", "Trực tuyến"])
        wb.save(folder / "valid.xlsx")
    elif name == "directive":
        (folder / "valid.txt").write_text(
            "ỦY BAN NHÂN DÂN\nSố: 12/UBND\n1. UBND các xã: số hóa hồ sơ, hoàn thành trước ngày 31/01/2026.\n"
            "a) Báo cáo kết quả.\nThời gian hoàn thành: Quý I/2026\n", encoding="utf-8")
    return [str(folder)]


def main() -> None:
    target = TARGETS[sys.argv[1]]
    args = sys.argv[2:]
    if not any(not a.startswith("-") for a in args):
        args += seed_corpus(sys.argv[1]) if sys.argv[1] != "deadline" else []

    def one_input(data: bytes) -> None:
        try:
            target(data)
        except AppError:
            pass

    atheris.Setup([sys.argv[0]] + args, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
