"""Windows version information for the executable (Explorer › Properties › Details).

Written from `core.__version__` at build time so the file never drifts from the app.
"""

from __future__ import annotations

from pathlib import Path

from core import APP_NAME, __version__

COMPANY = "Dự án Một Cửa Xã — tỉnh Quảng Ngãi"
PRODUCT = APP_NAME
DESCRIPTION = f"{APP_NAME} — phần mềm Bộ phận Một cửa cấp xã"
EXE_NAME = "MotCuaXa.exe"


def version_tuple(version: str = __version__) -> tuple[int, int, int, int]:
    numbers = [int(part) for part in version.split("+")[0].split(".") if part.isdigit()]
    return tuple((numbers + [0, 0, 0, 0])[:4])  # type: ignore[return-value]


def version_text(version: str = __version__) -> str:
    v = version_tuple(version)
    dotted = ".".join(str(n) for n in v)
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": DESCRIPTION,
        "FileVersion": dotted,
        "InternalName": "MotCuaXa",
        "LegalCopyright": f"© {COMPANY}",
        "OriginalFilename": EXE_NAME,
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    entries = ",\n".join(f"          StringStruct({k!r}, {v!r})" for k, v in strings.items())
    # 0x042A = Vietnamese, 1200 = Unicode code page.
    return f"""# -*- coding: utf-8 -*-
VSVersionInfo(
  ffi=FixedFileInfo(filevers={v}, prodvers={v}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([
      StringTable('042A04B0', [
{entries}
      ])
    ]),
    VarFileInfo([VarStruct('Translation', [0x042A, 1200])])
  ]
)
"""


def write_version_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(version_text(), encoding="utf-8")
    return path
