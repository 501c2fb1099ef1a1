"""The vocabulary of a dossier row: channels, flag values and their Vietnamese labels."""

from __future__ import annotations

# National code "KenhThucHien"; a missing value counts as 1 (in person).
CHANNEL_IN_PERSON, CHANNEL_ONLINE, CHANNEL_POST = 1, 2, 3
CHANNELS = {
    CHANNEL_IN_PERSON: "Trực tiếp",
    CHANNEL_ONLINE: "Trực tuyến",
    CHANNEL_POST: "Bưu chính công ích",
}

RESULT_YES, RESULT_NO, RESULT_NOT_APPLICABLE = "yes", "no", "not_applicable"
RESULT_LABELS = {
    RESULT_YES: "Có",
    RESULT_NO: "Không",
    RESULT_NOT_APPLICABLE: "Không áp dụng",
}

FEE_ONLINE, FEE_OTHER, FEE_NONE = "paid_online", "paid_other", "no_fee"
FEE_LABELS = {
    FEE_ONLINE: "Thanh toán trực tuyến",
    FEE_OTHER: "Thanh toán hình thức khác",
    FEE_NONE: "Không thu phí",
}

# Indicator 2.1 for one finished dossier (QĐ 766): finished by the promised date (the received
# date for a same-day procedure) moved on by the days spent waiting for the citizen's papers,
# and papers requested at most once. date() runs only for the few rows that waited.
ON_TIME_SQL = """(supplement_requests <= 1 AND finished_on <= CASE WHEN supplement_days = 0
    THEN coalesce(promised_on, received_on)
    ELSE date(coalesce(promised_on, received_on), '+' || supplement_days || ' days') END)"""

# Columns a person edits (the rest are sync stamps).
EDITABLE_COLUMNS = (
    "code", "field", "procedure_name", "procedure_code", "received_on", "promised_on",
    "finished_on", "channel", "components_digitised", "result_digitised", "data_reused",
    "vneid_identified", "fee", "supplement_requests", "supplement_days",
)

# What staff read for each column (register list, exports, import headers).
COLUMN_LABELS = {
    "code": "Mã hồ sơ",
    "field": "Lĩnh vực",
    "procedure_name": "Thủ tục",
    "procedure_code": "Mã thủ tục",
    "received_on": "Ngày tiếp nhận",
    "promised_on": "Ngày hẹn trả",
    "finished_on": "Ngày hoàn thành",
    "channel": "Kênh nộp",
    "components_digitised": "Số hóa thành phần",
    "result_digitised": "Số hóa kết quả",
    "data_reused": "Tái sử dụng dữ liệu",
    "vneid_identified": "Xác thực VNeID",
    "fee": "Thanh toán trực tuyến",
    "supplement_requests": "Số lần yêu cầu bổ sung",
    "supplement_days": "Số ngày chờ bổ sung",
}


def yes_no(value) -> str:
    return "Có" if value else "Không"


def fee_as_import_text(fee: str) -> str:
    """The fee as the provincial export writes it: Có / Không / Không thu phí."""
    return {FEE_ONLINE: "Có", FEE_OTHER: "Không", FEE_NONE: "Không thu phí"}[fee]
