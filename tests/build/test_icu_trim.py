"""The trimmed ICU data library of Linux builds (build/icu_trim.py).

The choice of items is checked on names alone; then, where the tools are installed, the library
of the installed PySide6 is trimmed for real and preloaded into a child Qt process that must
still sort, upper-case and name zones in Vietnamese (a few seconds, no PyInstaller run).
"""

import struct
import sys
from pathlib import Path

import pytest

from tests.build.helpers import load_build_module
from tests.build.icu_probe import assert_vietnamese_works, run_probe

icu_trim = load_build_module("icu_trim")


def _converter(max_bytes_per_char: int) -> bytes:
    header = struct.pack("<H", 32) + b"\xda\x27" + bytes(28)
    static = (struct.pack("<I", 100) + b"ibm-test".ljust(60, b"\0")
              + struct.pack("<ibbbb", 1, 0, 2, 1, max_bytes_per_char))  # codepage, platform, type, min, max
    return header + static + bytes(32)


def test_keeps_vietnamese_english_root_and_shared_data_drops_the_rest():
    items = ["root.res", "vi.res", "en_US_POSIX.res", "fr.res", "zh_Hant_TW.res", "pool.res", "res_index.res",
             "likelySubtags.res", "supplementalData.res", "zoneinfo64.res", "cnvalias.icu", "uprops.icu",
             "coll/ucadata.icu", "coll/root.res", "coll/vi.res", "coll/zh.res", "coll/res_index.res",
             "zone/vi.res", "zone/en.res", "zone/ja.res", "zone/tzdbNames.res", "zone/pool.res",
             "brkitr/word.brk", "brkitr/cjdict.dict", "brkitr/thaidict.dict", "brkitr/root.res",
             "translit/root.res", "translit/Hira_Kata.res",
             "ibm-5354_P100-1998.cnv", "gb18030.cnv"]
    converters = {"ibm-5354_P100-1998.cnv": _converter(1), "gb18030.cnv": _converter(4)}
    dropped = icu_trim.dropped_items(items, converters.__getitem__)
    assert sorted(dropped) == sorted(["fr.res", "zh_Hant_TW.res", "coll/zh.res", "zone/ja.res",
                                      "brkitr/cjdict.dict", "brkitr/thaidict.dict", "translit/root.res",
                                      "translit/Hira_Kata.res", "gb18030.cnv"])


def test_other_libraries_are_left_alone():
    binaries = [("libicuuc.so.73", "/x/libicuuc.so.73", "BINARY"),
                ("libicudata.so.73", "PySide6/Qt/lib/libicudata.so.73", "SYMLINK")]
    assert icu_trim.use_trimmed_icudata(binaries, Path("/nonexistent"), log=lambda _: None) == binaries


def _installed_icudata() -> Path | None:
    try:
        import PySide6
    except ImportError:
        return None
    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    return found[0] if found else None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="only Linux builds bundle Qt's ICU")
def test_trimmed_library_still_serves_vietnamese(tmp_path):
    library = _installed_icudata()
    if library is None:
        pytest.skip("this PySide6 does not bundle ICU")
    if icu_trim.missing_tools():
        pytest.skip("missing " + ", ".join(icu_trim.missing_tools()) + " (apt-get install binutils icu-devtools)")
    trimmed, figures = icu_trim.trimmed_library(library, tmp_path)
    assert trimmed.stat().st_size < library.stat().st_size / 4
    assert figures["kept"] < figures["items"] / 4
    assert_vietnamese_works(run_probe(trimmed), trimmed)
