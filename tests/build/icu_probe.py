"""Ask Qt for what it takes from ICU, in Vietnamese, with a given ICU data library.

`run_probe(library)` runs this file in a child process with LD_PRELOAD pointing at an ICU data
library (the frozen build's trimmed one): the preloaded library then serves every ICU lookup of
the child's Qt, and `assert_vietnamese_works` checks the answers: Vietnamese collation, case
mapping, number and date formats, the windows-1258 converter and a zone's Vietnamese name.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

WORDS = ["âm", "ba", "ăn", "an", "Đà", "da", "dê", "đi", "em", "ơn", "o", "ô", "ưa", "uống"]
# Vietnamese order: ă and â are letters of their own after a, đ after d, ô and ơ after o, ư after u.
# ICU's root collation (what a missing Vietnamese tailoring falls back to) puts "âm" before "an".
VI_ORDER = ["an", "ăn", "âm", "ba", "da", "dê", "Đà", "đi", "em", "o", "ô", "ơn", "uống", "ưa"]


def run_probe(icudata: Path) -> dict:
    env = dict(os.environ, LD_PRELOAD=str(icudata), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, __file__], capture_output=True, encoding="utf-8", env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def assert_vietnamese_works(answers: dict, icudata: Path) -> None:
    assert answers["icudata"] == [str(icudata.resolve())]  # the preloaded library, not the wheel's
    assert answers["vi_sorted"] == VI_ORDER  # the Vietnamese tailoring, not root's order
    assert answers["vi_compare"] < 0  # "ăn" before "âm"
    assert answers["upper"] == "ĐƯỜNG HỒ CHÍ MINH"
    assert answers["number"] == "1.234.567,5"
    assert "tháng 3" in answers["date"] and "2025" in answers["date"]
    assert answers["windows_1258"] is True
    assert answers["zone_name"] == "Giờ Đông Dương"


def main() -> None:
    from PySide6.QtCore import QCollator, QCoreApplication, QDate, QLocale, QStringDecoder, QTimeZone

    app = QCoreApplication(sys.argv)  # noqa: F841 (Qt wants an application for locale services)
    with open("/proc/self/maps", encoding="utf-8") as maps:
        loaded = sorted({line.split()[-1] for line in maps if "libicudata" in line})
    vi = QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)
    collator = QCollator(vi)
    zone = QTimeZone(b"Asia/Ho_Chi_Minh")
    print(json.dumps({
        "icudata": loaded,
        "vi_sorted": sorted(WORDS, key=collator.sortKey),
        "vi_compare": collator.compare("ăn", "âm"),
        "upper": vi.toUpper("đường hồ chí minh"),
        "number": vi.toString(1234567.5, "f", 1),
        "date": vi.toString(QDate(2025, 3, 5), QLocale.FormatType.LongFormat),
        "windows_1258": QStringDecoder("windows-1258").isValid(),
        "zone_name": zone.displayName(QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, vi),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
