"""What the communes' API answers, as the OpenAPI document states it (checked by schemathesis).

Every status a route can answer is listed with its body: 401 for a missing or wrong
request signature, 404, 413 for an upload over the limit, 422 for a refused bundle or a
bad query, 429 for a quota or the request rate, 503 when the upload budget is full. The
upload's body is the zip itself; a province bundle downloads as application/zip; the
signed headers (X-Motcua-Unit / -Time / -Signature) are described on each signed route.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header
from pydantic import BaseModel

from core.sync import auth


class Health(BaseModel):
    service: str
    api: int
    version: str
    province_fingerprint: str


class Refusal(BaseModel):
    """Why a request was refused (`detail` of 401/404/422 on signed routes)."""
    reason: str
    message: str


class RefusalDetail(BaseModel):
    detail: Refusal


class UploadResult(BaseModel):
    status: str  # applied | duplicate | rejected
    bundle_id: str | None = None
    unit: str | None = None
    records: int = 0
    reason: str | None = None
    message: str = ""
    missing: list[list[int]] = []
    applied_through: int = 0
    ack: str | None = None
    ack_signature: str | None = None


class InboxEntry(BaseModel):
    model_config = {"extra": "allow"}
    bundle_id: str


class Inbox(BaseModel):
    unit: str
    bundles: list[dict[str, Any]]
    listing: str | None = None  # with after_seq & nonce: the listing's JSON text, signed by the province
    listing_signature: str | None = None


class Conflicts(BaseModel):
    unit: str
    conflicts: list[dict[str, Any]]


class SignedAck(BaseModel):
    ack: str
    ack_signature: str


class ValidationProblem(BaseModel):
    detail: list[dict[str, Any]] | dict[str, Any] | str


def _signed_headers(
        x_motcua_unit: Annotated[str | None, Header(alias=auth.HEADER_UNIT, description=(
            "Mã đơn vị gửi yêu cầu (5 chữ số)."))] = None,
        x_motcua_time: Annotated[str | None, Header(alias=auth.HEADER_TIME, description=(
            "Thời điểm ký (UTC, ISO 8601); lệch quá vài phút so với máy chủ thì bị từ chối."))] = None,
        x_motcua_signature: Annotated[str | None, Header(alias=auth.HEADER_SIGNATURE, description=(
            "Chữ ký Ed25519 (base64) bằng khóa của đơn vị trên: phương thức, đường dẫn kèm truy vấn, "
            "mã đơn vị và thời điểm (core.sync.auth)."))] = None) -> None:
    """Documents the signed headers; the route itself checks them (401 when wrong)."""
    return None


SignedHeaders = Annotated[None, Depends(_signed_headers)]

_RATE = {429: {"model": Refusal, "description": "Quá nhiều yêu cầu từ một địa chỉ (Retry-After)"}}
_UNSIGNED = {401: {"model": RefusalDetail, "description": "Thiếu chữ ký hoặc chữ ký sai"}}
_BAD_QUERY = {422: {"model": ValidationProblem, "description": "Tham số không hợp lệ"}}

HEALTH_RESPONSES: dict = {200: {"model": Health}, **_RATE}
INBOX_RESPONSES: dict = {200: {"model": Inbox}, **_UNSIGNED, **_BAD_QUERY, **_RATE}
ACK_RESPONSES: dict = {200: {"model": SignedAck}, **_UNSIGNED, **_BAD_QUERY, **_RATE}
BUNDLE_RESPONSES: dict = {
    200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
          "description": "Tệp gói của tỉnh (zip đã ký)"},
    404: {"model": RefusalDetail, "description": "Không có gói này cho đơn vị"},
    **_UNSIGNED, **_BAD_QUERY, **_RATE}
ROWS_RESPONSES: dict = {
    200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
          "description": "Gói `rows` (zip ký bằng khóa tỉnh) các dòng của đơn vị sau số `after`"},
    **_UNSIGNED, **_BAD_QUERY, **_RATE}
CONFLICTS_RESPONSES: dict = {200: {"model": Conflicts}, **_UNSIGNED, **_BAD_QUERY, **_RATE}
UPLOAD_RESPONSES: dict = {
    200: {"model": UploadResult, "description": "Đã nhận (applied) hoặc đã có từ trước (duplicate); kèm xác nhận ký"},
    413: {"model": UploadResult, "description": "Gói quá lớn để gửi qua mạng"},
    422: {"model": UploadResult, "description": "Gói bị từ chối (lý do trong reason/message)"},
    429: {"model": UploadResult, "description": "Vượt hạn mức trong ngày của đơn vị, hoặc quá nhiều yêu cầu"},
    503: {"model": UploadResult, "description": "Máy chủ đang nhận quá nhiều dữ liệu cùng lúc (Retry-After)"},
}
UPLOAD_BODY: dict = {"requestBody": {
    "required": True,
    "description": "Tệp gói (.zip) do phần mềm xã tạo và ký: manifest.json, manifest.sig, records.jsonl …",
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}
