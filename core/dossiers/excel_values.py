"""Reading one cell of a provincial dossier export: headers, dates, yes/no, channels, fees.

Headers and values are compared folded (accents, case and punctuation ignored), so
"NGÀY TIẾP NHẬN", "Ngày tiếp nhận" and "ngay tiep nhan" are the same column.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from openpyxl.utils.datetime import from_excel

from core.clock import parse_date_vn
from core.dossiers.model import (CHANNEL_IN_PERSON, CHANNEL_ONLINE, CHANNEL_POST, FEE_NONE, FEE_ONLINE,
                                 FEE_OTHER, RESULT_NO, RESULT_NOT_APPLICABLE, RESULT_YES)
from core.textfold import fold_words

# Column key -> folded header names the provincial systems use.
HEADER_ALIASES = {
    "code": ["ma ho so", "so ho so", "ma hs", "so hs", "ma so ho so"],
    "field": ["linh vuc", "ten linh vuc", "linh vuc thu tuc"],
    "procedure_name": ["thu tuc", "ten thu tuc", "thu tuc hanh chinh", "ten thu tuc hanh chinh", "ten tthc"],
    "procedure_code": ["ma thu tuc", "ma tthc", "ma thu tuc hanh chinh"],
    "received_on": ["ngay tiep nhan", "ngay nhan", "ngay nhan ho so", "ngay tiep nhan ho so"],
    "promised_on": ["ngay hen tra", "ngay hen tra ket qua", "han giai quyet", "han xu ly"],
    "finished_on": ["ngay hoan thanh", "ngay tra ket qua", "ngay co ket qua", "ngay ket thuc",
                    "ngay hoan thanh xu ly"],
    "channel": ["kenh nop", "hinh thuc nop", "kenh tiep nhan", "hinh thuc tiep nhan", "kenh thuc hien"],
    "components_digitised": ["so hoa thanh phan", "so hoa tphs", "so hoa thanh phan ho so"],
    "result_digitised": ["so hoa ket qua", "ket qua dien tu", "so hoa kq"],
    "data_reused": ["tai su dung du lieu", "tai su dung", "tai su dung du lieu so hoa"],
    "vneid_identified": ["xac thuc vneid", "dinh danh vneid", "vneid", "gan dinh danh", "xac thuc dinh danh"],
    "fee": ["thanh toan truc tuyen", "thanh toan", "thanh toan phi le phi", "thanh toan phi"],
    "supplement_requests": ["so lan yeu cau bo sung", "so lan bo sung", "yeu cau bo sung", "so lan bo sung ho so"],
    "supplement_days": ["so ngay cho bo sung", "thoi gian cho bo sung", "so ngay tam dung", "so ngay bo sung"],
}
REQUIRED = ("code", "received_on")
_ALIAS_TO_KEY = {alias: key for key, aliases in HEADER_ALIASES.items() for alias in aliases}


def fold_key(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _fold_text(value)
    return " ".join(fold_words(str(value)))


@lru_cache(maxsize=4096)
def _fold_text(text: str) -> str:
    # An export repeats a handful of values ("Có", "Trực tuyến", field names) 100,000 times.
    return " ".join(fold_words(text))


def header_key(header) -> str | None:
    return _ALIAS_TO_KEY.get(fold_key(header))


class CellError(ValueError):
    """A cell that cannot be read; the message is the Vietnamese reason."""


def read_date(value, label: str) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel serial day numbers up to 9999-12-31
            moment = from_excel(value)
            return moment.date() if isinstance(moment, dt.datetime) else moment
        raise CellError(f"{label} “{value}” không phải ngày.")
    day = _date_text(str(value).strip())
    if day is None:
        raise CellError(f"{label} “{str(value).strip()}” không phải ngày có thật.")
    return day


@lru_cache(maxsize=8192)
def _date_text(text: str) -> dt.date | None:
    # A file repeats each day's date hundreds of times: parse each text once.
    try:
        return parse_date_vn(text.split(" ")[0].split("T")[0])
    except ValueError:
        return None


def read_count(value, label: str) -> int:
    """A whole number of times or days; an empty cell is 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CellError(f"{label}: “{value}” không phải số nguyên không âm.")
    return value


_YES = {"co", "x", "1", "true", "yes", "da", "da so hoa", "co so hoa", "dung"}
_NO = {"khong", "0", "false", "no", "chua", "chua so hoa", "khong so hoa", ""}
_NOT_APPLICABLE = {"khong ap dung", "k ap dung", "kad", "n a", "na", "khong tra ket qua giay",
                   "khong co ket qua giay"}


def read_flag(value, label: str) -> int:
    if isinstance(value, bool):
        return int(value)
    key = fold_key(value)
    if key in _YES:
        return 1
    if key in _NO:
        return 0
    raise CellError(f"{label}: “{value}” không hiểu (cần Có/Không).")


def read_result(value) -> str:
    key = fold_key(value)
    if key in _NOT_APPLICABLE:
        return RESULT_NOT_APPLICABLE
    if key in _YES:
        return RESULT_YES
    if key in _NO:
        return RESULT_NO
    raise CellError(f"Số hóa kết quả: “{value}” không hiểu (cần Có/Không/Không áp dụng).")


_CHANNELS = {
    "": CHANNEL_IN_PERSON, "1": CHANNEL_IN_PERSON, "truc tiep": CHANNEL_IN_PERSON,
    "nop truc tiep": CHANNEL_IN_PERSON, "tai bo phan mot cua": CHANNEL_IN_PERSON,
    "2": CHANNEL_ONLINE, "truc tuyen": CHANNEL_ONLINE, "nop truc tuyen": CHANNEL_ONLINE,
    "dich vu cong truc tuyen": CHANNEL_ONLINE, "dvc truc tuyen": CHANNEL_ONLINE, "dvctt": CHANNEL_ONLINE,
    "qua mang": CHANNEL_ONLINE,
    "3": CHANNEL_POST, "buu chinh": CHANNEL_POST, "buu chinh cong ich": CHANNEL_POST,
    "qua buu chinh": CHANNEL_POST, "bcci": CHANNEL_POST,
}


def read_channel(value) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    channel = _CHANNELS.get(fold_key(value))
    if channel is None:
        raise CellError(f"Kênh nộp “{value}” không rõ (cần Trực tiếp / Trực tuyến / Bưu chính).")
    return channel


_FEES = {
    "co": FEE_ONLINE, "da thanh toan truc tuyen": FEE_ONLINE, "truc tuyen": FEE_ONLINE, "x": FEE_ONLINE,
    "1": FEE_ONLINE,
    "khong": FEE_OTHER, "truc tiep": FEE_OTHER, "tien mat": FEE_OTHER, "hinh thuc khac": FEE_OTHER,
    "0": FEE_OTHER,
    "": FEE_NONE, "khong thu phi": FEE_NONE, "mien phi": FEE_NONE, "khong co phi": FEE_NONE,
    "khong ap dung": FEE_NONE, "mien phi le phi": FEE_NONE,
}


def read_fee(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    fee = _FEES.get(fold_key(value))
    if fee is None:
        raise CellError(f"Thanh toán trực tuyến: “{value}” không hiểu (cần Có/Không/Không thu phí).")
    return fee
