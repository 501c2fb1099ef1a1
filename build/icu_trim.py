"""Linux builds: ship a trimmed ICU data library instead of the 31 MB one in Qt's wheels.

Qt's Linux wheels link ICU (libicuuc, libicui18n, libicudata.so.73), so the libraries cannot be
dropped. libicudata holds nothing but one symbol, `icudt73_dat`: ICU's common data package (the
.dat format, stable across ICU releases) with locale data for ~900 locales in every tree,
collation tailorings, break-iterator dictionaries for Chinese, Japanese, Thai, Khmer, Lao and
Burmese, transliterators and ~190 legacy character-set converters.

What Qt asks ICU for (libQt6Core's ICU imports): collation (QCollator, locale-aware sorting),
case mapping (QLocale::toUpper), time-zone names and character-set converters by name
(QStringConverter). Qt formats numbers and dates from its own CLDR tables, not from ICU.
So the trimmed package keeps every item that is not a locale's data (character properties,
normalisation, the collation base table, zone rules, likely subtags, supplemental data…), the
locale data of root, Vietnamese and English (en_US_POSIX is the "C" locale's), the single-byte
converters (windows-1258, windows-1252, the ISO-8859 family…; UTF-8/16/32, Latin-1 and ASCII are
built into libicuuc) and the break rules. It drops the other locales, the transliterators, the
multi-byte (CJK) converters and the dictionaries: a locale without data falls back to root, as
ICU does for any locale it does not know.

Tools, Linux only: objcopy, as and ld (binutils) and icupkg (Debian's icu-devtools; its ICU 72
rewrites the 73 package fine). Windows Qt uses the system's ICU: nothing to do there.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

KEPT_LOCALES = frozenset({"root", "vi", "vi_VN", "en", "en_US", "en_US_POSIX"})
DROPPED_TREES = frozenset({"translit"})  # Transliterator: Qt never opens one
TOOLS = ("objcopy", "as", "ld", "icupkg")

# A locale's resource bundle in any tree: language of 2-3 letters, then script/region/variant.
_LOCALE_ITEM = re.compile(r"^[a-z]{2,3}(?:_[A-Za-z0-9]*)*\.res$")
_NOT_A_LOCALE = frozenset({"res_index.res"})  # matches the pattern but is each tree's index
_LIBRARY = re.compile(r"^libicudata\.so\.(\d+)$")
_COMMON_DATA_MAGIC = b"\xda\x27"  # bytes 2-3 of every ICU data header (magic1, magic2)
_COMMON_DATA_FORMAT = b"CmnD"


class IcuTrimError(RuntimeError):
    pass


def converter_is_single_byte(data: bytes) -> bool:
    """True for a .cnv whose characters are one byte each (read from UConverterStaticData).

    After the data header (its size is the first uint16): structSize (4), name (60), codepage (4),
    platform (1), conversionType (1), minBytesPerChar (1), maxBytesPerChar (1).
    """
    header_size = struct.unpack_from("<H", data, 0)[0]
    return data[header_size + 71] == 1


def dropped_items(items: list[str], read_item) -> list[str]:
    """The package items (`tree/name` or `name`) a Vietnamese office app does without.

    `read_item(name) -> bytes` is asked for converters only (to tell single- from multi-byte).
    """
    dropped = []
    for item in items:
        tree, _, name = item.rpartition("/")
        if tree in DROPPED_TREES or name.endswith(".dict"):
            dropped.append(item)
        elif name.endswith(".cnv"):
            if not converter_is_single_byte(read_item(item)):
                dropped.append(item)
        elif (_LOCALE_ITEM.match(name) and name not in _NOT_A_LOCALE
              and name[: -len(".res")] not in KEPT_LOCALES):
            dropped.append(item)
    return dropped


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def _run(command: list, cwd: Path) -> str:
    done = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise IcuTrimError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return done.stdout


def _list_items(package: Path, cwd: Path) -> list[str]:
    return _run(["icupkg", "--ignore-deps", "--auto_toc_prefix", "-l", package.name], cwd).split()


def trimmed_library(library: Path, workdir: Path) -> tuple[Path, dict]:
    """Build `<workdir>/icu/libicudataNN` with the trimmed package; returns it and a few figures."""
    match = _LIBRARY.match(library.name)
    if not match:
        raise IcuTrimError(f"not an ICU data library: {library.name}")
    missing = missing_tools()
    if missing:
        raise IcuTrimError("missing build tools: " + ", ".join(missing)
                           + " (apt-get install binutils icu-devtools)")
    symbol = f"icudt{match.group(1)}_dat"
    work = workdir / "icu"
    shutil.rmtree(work, ignore_errors=True)
    (work / "items").mkdir(parents=True)

    # The library's only section with contents is .rodata, which is exactly the symbol's data.
    _run(["objcopy", "-O", "binary", "--only-section=.rodata", library, work / "full.dat"], work)
    head = (work / "full.dat").read_bytes()[:16]
    if head[2:4] != _COMMON_DATA_MAGIC or head[12:16] != _COMMON_DATA_FORMAT:
        raise IcuTrimError(f"{library} holds no ICU common data package in .rodata")
    items = _list_items(work / "full.dat", work)
    _run(["icupkg", "--auto_toc_prefix", "-d", "items", "-x", "*.cnv", "full.dat"], work)
    dropped = dropped_items(items, lambda item: (work / "items" / item).read_bytes())
    (work / "dropped.txt").write_text("\n".join(dropped) + "\n", encoding="ascii")
    # --ignore-deps: brkitr/root.res names the dictionaries dropped here; ICU then segments
    # those scripts without a dictionary. --auto_toc_prefix: the items keep their "icudtNNl/"
    # prefix, whatever the file is called (icupkg otherwise wants it to match the file name).
    _run(["icupkg", "--ignore-deps", "--auto_toc_prefix", "-r", "dropped.txt", "full.dat", "trimmed.dat"], work)
    kept = _list_items(work / "trimmed.dat", work)
    if sorted(kept) != sorted(set(items) - set(dropped)):
        raise IcuTrimError("icupkg's trimmed package does not hold the expected items")

    # A library with the same soname exporting the same symbol; 16-byte aligned like ICU's own.
    (work / "icudata.s").write_text(
        "    .section .rodata\n"
        f"    .globl {symbol}\n"
        f"    .type {symbol}, @object\n"
        "    .balign 16\n"
        f"{symbol}:\n"
        '    .incbin "trimmed.dat"\n'
        f"    .size {symbol}, . - {symbol}\n"
        '    .section .note.GNU-stack,"",@progbits\n', encoding="ascii")
    _run(["as", "-o", "icudata.o", "icudata.s"], work)
    out = work / library.name
    _run(["ld", "-shared", "-soname", library.name, "-z", "noexecstack", "-o", out.name, "icudata.o"], work)
    figures = {"items": len(items), "kept": len(kept), "full_bytes": (work / "full.dat").stat().st_size,
               "trimmed_bytes": (work / "trimmed.dat").stat().st_size}
    return out, figures


def use_trimmed_icudata(binaries, workdir: Path, log=print):
    """The spec's binaries with every libicudata.so.NN taken from a trimmed build.

    When the tools are missing the full library stays (and the build says so): the frozen
    tests then fail on its size, not on a broken app.
    """
    result = []
    for dest, src, typecode in binaries:
        if typecode != "SYMLINK" and _LIBRARY.match(dest.replace("\\", "/").rsplit("/", 1)[-1]):
            try:
                path, figures = trimmed_library(Path(src), Path(workdir))
            except IcuTrimError as exc:
                log(f"WARNING: ICU data not trimmed, the full library is bundled: {exc}")
            else:
                log(f"ICU data trimmed: {figures['full_bytes'] / 2**20:.1f} MB -> "
                    f"{figures['trimmed_bytes'] / 2**20:.1f} MB ({figures['kept']} of {figures['items']} items kept)")
                src = str(path)
        result.append((dest, src, typecode))
    return result
