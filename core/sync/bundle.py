"""Writing and reading bundle files (docs/BUNDLE_FORMAT.md).

A bundle is a zip: `manifest.json` (signed), `signature.ed25519`, `records.jsonl`,
optionally `ack.json` and `attachments/…`. The manifest lists the SHA-256 and size
of every other member, so one Ed25519 signature over the manifest bytes vouches
for the whole file.

Reading is hostile-input code. Before a byte is decompressed: the file size, the
member count, every member's name (no `..`, no absolute or drive paths, no
backslashes, no links, no directories, no encryption), the declared sizes and the
compression ratio are checked. While reading, the actual sizes are capped at what
was declared, so a lying header cannot inflate past the limits either. Only then
the signature and the hashes; only then the records are parsed and shape-checked.
"""

from __future__ import annotations

import base64
import errno
import gc
import hashlib
import io
import json
import os
import re
import stat
import struct
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from core import durable
from core import __version__ as APP_VERSION
from core.clock import utc_iso
from core.fileio import replace_file
from core.sync import keys as keymod
from core.sync.errors import (BundleDamaged, BundleRejected, BundleTooLarge, SignatureInvalid, SyncError,
                              UnsafeMember, UnsupportedFormat)

FORMAT_NAME = "motcua-bundle"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)  # v1: bundles cut before the upgrade, still delivered (docs/BUNDLE_FORMAT.md)
KINDS = ("changes", "province", "ack", "rows")
PROVINCE = "province"  # the source/destination name of the province hub

MANIFEST = "manifest.json"
SIGNATURE = "signature.ed25519"
RECORDS = "records.jsonl"
ACK = "ack.json"
ATTACHMENTS = "attachments/"
_FIXED_MEMBERS = {MANIFEST, SIGNATURE, RECORDS, ACK}

RECORD_OPS = ("insert", "update", "delete", "purge")
TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
ATTACHMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
MAX_ROW_ID = 100
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Limits:
    """What a reader accepts before unpacking anything."""

    max_file_bytes: int = 256 * 1024 * 1024
    max_members: int = 1000
    max_member_bytes: int = 512 * 1024 * 1024
    max_total_bytes: int = 1024 * 1024 * 1024
    # Deflate tops out near 1000:1; real JSON Lines with UUIDs stays under 20:1.
    max_ratio: float = 200.0
    ratio_applies_above: int = 64 * 1024
    max_manifest_bytes: int = 1024 * 1024


DEFAULT_LIMITS = Limits()


class ManifestFields:
    """The manifest's identifying fields, for anything that holds a checked `manifest`."""

    manifest: dict

    @property
    def bundle_id(self) -> str:
        return self.manifest["bundle_id"]

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def source(self) -> str:
        return self.manifest["source"]

    @property
    def destination(self) -> str:
        return self.manifest["destination"]


@dataclass
class Bundle(ManifestFields):
    """A bundle that passed every check: signature, hashes, shapes."""

    path: Path
    manifest: dict
    file_sha256: str
    size: int
    members: dict[str, bytes] = field(repr=False)

    def records(self) -> list[dict]:
        return parse_records(self.members.get(RECORDS, b""), self.manifest)

    def ack(self) -> dict | None:
        raw = self.members.get(ACK)
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise BundleDamaged("Nội dung xác nhận trong gói bị hỏng.", details=repr(exc)) from exc
        if not isinstance(value, dict):
            raise BundleDamaged("Nội dung xác nhận trong gói không đúng dạng.")
        return value

    def attachments(self) -> dict[str, bytes]:
        return {name[len(ATTACHMENTS):]: data for name, data in self.members.items()
                if name.startswith(ATTACHMENTS)}


# -- writing ------------------------------------------------------------------------

def encode_record(table: str, row_id: str, op: str, seq: int, row: dict | None,
                  hlc: int | None = None, dev: str | None = None, base: list | None = None) -> bytes:
    """One records.jsonl line. v2 lines carry the row's version (`hlc`, `dev`) and the version the
    edit was made on top of (`base`, [hlc, dev] or null) (docs/BUNDLE_FORMAT.md)."""
    record = {"t": table, "id": row_id, "op": op, "seq": seq}
    if hlc is not None:
        record["hlc"] = hlc
        record["dev"] = dev
        record["base"] = base
    record["row"] = row
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8") + b"\n"


def write_bundle(dest_dir: Path, *, kind: str, source: str, destination: str, signer: keymod.KeyPair,
                 records: Iterable[tuple] = (),
                 seq_from: int | None = None, seq_to: int | None = None,
                 schema_version: int | None = None, ack: dict | None = None,
                 attachments: dict[str, bytes] | None = None, extra: dict | None = None,
                 bundle_id: str | None = None) -> tuple[Path, dict]:
    """Write a signed bundle atomically into `dest_dir`; returns (path, manifest).

    The file appears under its final name only once complete and fsynced, so a
    crash leaves at most a `.tmp` file that no listing shows.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if schema_version is None:  # the schema of this app version (a workspace is migrated when opened)
        from db.migrations import latest_version

        schema_version = latest_version()
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    bundle_id = bundle_id or str(uuid.uuid4())
    created = utc_iso()
    final = dest_dir / bundle_file_name(kind, source, destination, created, bundle_id)
    tmp = final.with_name(final.name + ".tmp")
    counts: dict[str, int] = {}
    members: dict[str, dict] = {}
    try:
        with durable.open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC) as raw, zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            digest, size = hashlib.sha256(), 0
            with zf.open(RECORDS, "w", force_zip64=True) as out:
                buffer = []
                for record in records:
                    table = record[0]
                    line = encode_record(*record)
                    counts[table] = counts.get(table, 0) + 1
                    buffer.append(line)
                    if len(buffer) >= 2000:
                        chunk = b"".join(buffer)
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                        buffer.clear()
                chunk = b"".join(buffer)
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            members[RECORDS] = {"sha256": digest.hexdigest(), "size": size}
            if ack is not None:
                data = json.dumps(ack, ensure_ascii=False, sort_keys=True).encode("utf-8")
                zf.writestr(ACK, data)
                members[ACK] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in sorted((attachments or {}).items()):
                if not ATTACHMENT_NAME.match(name):
                    raise ValueError(f"attachment name not allowed: {name!r}")
                zf.writestr(ATTACHMENTS + name, data)
                members[ATTACHMENTS + name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            manifest = {
                "format": FORMAT_NAME,
                "format_version": _version_for(kind, extra),
                "bundle_id": bundle_id,
                "kind": kind,
                "source": source,
                "destination": destination,
                "seq_from": seq_from,
                "seq_to": seq_to,
                "created_at": created,
                "app_version": APP_VERSION,
                "schema_version": schema_version,
                "record_count": sum(counts.values()),
                "counts": counts,
                "members": members,
                "signer_fingerprint": signer.fingerprint,
                **(extra or {}),
            }
            manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
            zf.writestr(MANIFEST, manifest_bytes)
            zf.writestr(SIGNATURE, base64.b64encode(signer.sign(manifest_bytes)) + b"\n")
            zf.close()
            raw.flush()
            os.fsync(raw.fileno())
        replace_file(tmp, final)
        durable.fsync_dir(dest_dir)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_failed(dest_dir, exc) from exc
        raise
    return final, manifest


def _version_for(kind: str, extra: dict | None) -> int:
    """Version 2 where the new fields are: `changes` from a device (device, device_seq, versioned
    records) and `rows`. Province and ack bundles did not change shape: they stay version 1, so
    a commune that has not upgraded yet still reads them."""
    if kind == "rows" or (kind == "changes" and extra and "device" in extra):
        return FORMAT_VERSION
    return 1


def _write_failed(dest_dir: Path, exc: OSError) -> SyncError:
    """A full disk or a folder that refuses writes: a message staff can act on, not an OSError."""
    if exc.errno == errno.ENOSPC:
        message = (f"Ổ đĩa đã đầy: chưa ghi được gói dữ liệu vào “{dest_dir}”. Hãy giải phóng bớt dung lượng "
                   "rồi thử lại; các thay đổi vẫn được giữ để gửi lần sau.")
    else:
        message = f"Không ghi được gói dữ liệu vào thư mục “{dest_dir}”."
    return SyncError(message, details=repr(exc), reason="write_failed")


def bundle_file_name(kind: str, source: str, destination: str, created: str, bundle_id: str) -> str:
    stamp = re.sub(r"[^0-9]", "", created)[:14]
    return f"{kind}-{_safe(source)}-{_safe(destination)}-{stamp}-{bundle_id[:8]}.zip"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text or "")[:20] or "x"


# -- reading ------------------------------------------------------------------------

KeyResolver = Callable[[dict], Ed25519PublicKey]


def open_bundle(path: Path | str, key_for: KeyResolver, *, limits: Limits = DEFAULT_LIMITS) -> Bundle:
    """Check and open a bundle file. Raises a BundleRejected subclass with the reason.

    `key_for(manifest)` returns the public key that must have signed it (or raises
    UnknownSender); it only sees a manifest that is well-formed but not yet trusted.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BundleDamaged(f"Không đọc được tệp gói “{path.name}”.", details=repr(exc)) from exc
    if size > limits.max_file_bytes:
        raise BundleTooLarge(f"Tệp gói quá lớn ({size // (1024 * 1024)} MB, tối đa "
                             f"{limits.max_file_bytes // (1024 * 1024)} MB).")
    with open(path, "rb") as f:
        data = f.read()
    return open_bundle_bytes(data, key_for, limits=limits, path=path)


def open_bundle_bytes(data: bytes, key_for: KeyResolver, *, limits: Limits = DEFAULT_LIMITS,
                      path: Path | None = None) -> Bundle:
    try:
        return _open(data, key_for, limits, path)
    except BundleRejected:
        raise
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, ValueError, KeyError,
            IndexError, TypeError, struct.error, RuntimeError) as exc:
        # Whatever a damaged or crafted file makes the zip reader raise, it is the same answer.
        raise BundleDamaged("Tệp không phải gói dữ liệu hoặc đã bị hỏng.", details=repr(exc)) from exc


def _open(data: bytes, key_for: KeyResolver, limits: Limits, path: Path | None) -> Bundle:
    file_sha, zf = open_zip(data, limits)
    with zf:
        infos, manifest = verify_signed(zf, key_for, limits)
        members = {name: read_listed_member(zf, infos[name], expected, limits)
                   for name, expected in manifest["members"].items()}
    return Bundle(path=path or Path(""), manifest=manifest, file_sha256=file_sha, size=len(data), members=members)


def open_zip(data: bytes, limits: Limits) -> tuple[str, zipfile.ZipFile]:
    """(SHA-256 of the file, the zip over it): the file size checked, nothing decompressed yet."""
    if len(data) > limits.max_file_bytes:
        raise BundleTooLarge("Tệp gói quá lớn.", details=f"{len(data)} bytes")
    file_sha = hashlib.sha256(data).hexdigest()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise BundleDamaged("Tệp không phải gói dữ liệu hoặc đã bị hỏng (có thể bị cắt cụt khi chép).",
                            details=repr(exc)) from exc
    return file_sha, zf


def verify_signed(zf: zipfile.ZipFile, key_for: KeyResolver,
                  limits: Limits) -> tuple[dict[str, zipfile.ZipInfo], dict]:
    """(members by name, manifest): names, sizes and ratios checked, the manifest's signature
    verified and its member list matching the zip's exactly. Member contents are not read:
    each must still be checked against its hash (`read_listed_member`)."""
    infos = _check_members(zf, limits)
    manifest_bytes = _read_member(zf, infos[MANIFEST], limits.max_manifest_bytes)
    manifest = parse_manifest(manifest_bytes)
    if SIGNATURE not in infos:
        raise SignatureInvalid("Gói dữ liệu không có chữ ký: không thể biết ai đã tạo ra nó.")
    signature_text = _read_member(zf, infos[SIGNATURE], 1024)
    try:
        signature = base64.b64decode(signature_text.strip(), validate=True)
    except ValueError as exc:
        raise SignatureInvalid("Chữ ký của gói dữ liệu bị hỏng.", details=repr(exc)) from exc
    keymod.verify(key_for(manifest), signature, manifest_bytes)
    # From here the manifest is the signer's word; the members must match it exactly.
    listed = manifest["members"]
    present = set(infos) - {MANIFEST, SIGNATURE}
    if present != set(listed):
        extra = sorted(present - set(listed))
        missing = sorted(set(listed) - present)
        raise BundleDamaged("Thành phần của gói không khớp với bản kê: "
                            + (f"thừa {', '.join(extra)}" if extra else f"thiếu {', '.join(missing)}") + ".")
    return infos, manifest


def read_listed_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, expected: dict, limits: Limits) -> bytes:
    """A member's content, refused unless its size and SHA-256 are the manifest's."""
    content = _read_member(zf, info, listed_member_cap(expected, limits))
    if len(content) != expected["size"] or hashlib.sha256(content).hexdigest() != expected["sha256"]:
        raise member_changed(info.filename)
    return content


def listed_member_cap(expected: dict, limits: Limits) -> int:
    return min(int(expected["size"]), limits.max_member_bytes)


def member_changed(name: str) -> BundleDamaged:
    return BundleDamaged(f"Thành phần “{name}” của gói đã bị thay đổi (mã băm không khớp).")


def _check_members(zf: zipfile.ZipFile, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise BundleTooLarge(f"Gói có quá nhiều thành phần ({len(infos)}, tối đa {limits.max_members}).")
    by_name: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        _check_name(name, info)
        if name in by_name:
            raise UnsafeMember(f"Gói có hai thành phần cùng tên “{name}”.")
        by_name[name] = info
        if info.file_size > limits.max_member_bytes:
            raise BundleTooLarge(f"Thành phần “{name}” quá lớn khi giải nén.", details=f"{info.file_size} bytes")
        total += info.file_size
        if total > limits.max_total_bytes:
            raise BundleTooLarge("Gói quá lớn khi giải nén.", details=f">{total} bytes")
        if info.file_size > limits.ratio_applies_above and \
                info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise BundleTooLarge(f"Thành phần “{name}” có tỉ lệ nén bất thường (nghi là “bom zip”).",
                                 details=f"{info.file_size}/{info.compress_size}")
    if MANIFEST not in by_name:
        raise BundleDamaged("Tệp không phải gói dữ liệu: thiếu bản kê manifest.json.")
    return by_name


def _check_name(name: str, info: zipfile.ZipInfo) -> None:
    unsafe = (not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name
              or re.match(r"^[A-Za-z]:", name) is not None
              or any(part in ("", ".", "..") for part in name.split("/")))
    if unsafe:
        raise UnsafeMember(f"Gói chứa đường dẫn không an toàn “{name[:80]}” (trỏ ra ngoài gói). Gói bị từ chối.")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode) or info.is_dir():
        raise UnsafeMember(f"Gói chứa liên kết hoặc thư mục “{name[:80]}”, không được phép. Gói bị từ chối.")
    if info.flag_bits & 0x1:
        raise UnsafeMember(f"Thành phần “{name[:80]}” bị mã hóa, không đọc được. Gói bị từ chối.")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnsafeMember(f"Thành phần “{name[:80]}” dùng kiểu nén không hỗ trợ.")
    if name not in _FIXED_MEMBERS:
        if not name.startswith(ATTACHMENTS) or not ATTACHMENT_NAME.match(name[len(ATTACHMENTS):]):
            raise UnsafeMember(f"Gói chứa thành phần lạ “{name[:80]}”. Gói bị từ chối.")


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """Read at most `cap` bytes (and the declared size); more than that means the header lied."""
    if info.file_size > cap:
        raise BundleTooLarge(f"Thành phần “{info.filename}” lớn hơn mức cho phép.")
    out = bytearray()
    try:
        with zf.open(info) as member:
            while True:
                chunk = member.read(_CHUNK)
                if not chunk:
                    break
                out += chunk
                if len(out) > cap:
                    raise BundleTooLarge(f"Thành phần “{info.filename}” lớn hơn kích thước khai báo.")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise BundleDamaged(f"Thành phần “{info.filename}” của gói bị hỏng.", details=repr(exc)) from exc
    return bytes(out)


_MANIFEST_TYPES: dict[str, tuple[type, ...]] = {
    "format": (str,), "format_version": (int,), "bundle_id": (str,), "kind": (str,), "source": (str,),
    "destination": (str,), "created_at": (str,), "app_version": (str,), "schema_version": (int,),
    "record_count": (int,), "counts": (dict,), "members": (dict,),
}


def parse_manifest(raw: bytes) -> dict:
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BundleDamaged("Bản kê manifest.json của gói bị hỏng.", details=repr(exc)) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise BundleDamaged("Tệp không phải gói dữ liệu của phần mềm Một Cửa Xã.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleDamaged("Bản kê của gói không ghi phiên bản định dạng hợp lệ.")
    if version not in READABLE_VERSIONS:
        raise UnsupportedFormat(
            f"Gói dùng định dạng phiên bản {version}, phần mềm này chỉ đọc được phiên bản 1 hoặc phiên bản "
            f"{FORMAT_VERSION}. "
            f"Cần cập nhật phần mềm lên bản đọc được định dạng gói phiên bản {version}.",
            details=f"format_version={version}, supported={FORMAT_VERSION}")
    for key, types in _MANIFEST_TYPES.items():
        value = manifest.get(key)
        if not isinstance(value, types) or isinstance(value, bool):
            raise BundleDamaged(f"Bản kê của gói thiếu hoặc sai trường “{key}”.")
    for key in ("seq_from", "seq_to"):
        value = manifest.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise BundleDamaged(f"Bản kê của gói có trường “{key}” không hợp lệ.")
    if version >= 2 and manifest["kind"] == "changes":
        device, device_seq = manifest.get("device"), manifest.get("device_seq")
        if type(device) is not str or not 1 <= len(device) <= MAX_ROW_ID:
            raise BundleDamaged("Bản kê của gói thiếu hoặc sai trường “device”.")
        if type(device_seq) is not int or device_seq < 1:
            raise BundleDamaged("Bản kê của gói thiếu hoặc sai trường “device_seq”.")
    if manifest["kind"] not in KINDS:
        raise BundleDamaged(f"Loại gói “{manifest['kind'][:30]}” không được hỗ trợ.")
    try:
        uuid.UUID(manifest["bundle_id"])
    except ValueError as exc:
        raise BundleDamaged("Mã gói trong bản kê không hợp lệ.") from exc
    for name, entry in manifest["members"].items():
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str) \
                or not isinstance(entry.get("size"), int) or entry["size"] < 0:
            raise BundleDamaged(f"Bản kê ghi sai thông tin thành phần “{str(name)[:80]}”.")
    return manifest


def parse_records(raw: bytes, manifest: dict) -> list[dict]:
    """Parse and shape-check records.jsonl; counts must match the manifest.

    NaN and Infinity are refused: they are not JSON, and SQLite's JSON functions reject them.
    """
    records: list[dict] = []
    counts: dict[str, int] = {}
    decoder = json.JSONDecoder(parse_constant=_refuse_constant)
    decode = decoder.decode
    checked_columns: set = set()  # table names and column sets already checked: each checked once
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleDamaged("Dữ liệu trong gói không phải văn bản UTF-8.", details=repr(exc)) from exc
    append = records.append
    gc_was_enabled = gc.isenabled()
    gc.disable()  # tens of thousands of small dicts: the cycle collector would only slow this down
    try:
        for number, line in enumerate(text.split("\n"), start=1):
            if not line or line.isspace():
                continue
            try:
                record = decode(line)
            except ValueError as exc:
                raise BundleDamaged(f"Dòng dữ liệu số {number} trong gói bị hỏng.", details=repr(exc)) from exc
            problem = _record_problem(record, checked_columns)
            if problem:
                raise BundleDamaged(f"Dòng dữ liệu số {number} trong gói không hợp lệ: {problem}.")
            table = record["t"]
            counts[table] = counts.get(table, 0) + 1
            append(record)
    finally:
        if gc_was_enabled:
            gc.enable()
    if counts != manifest["counts"] or len(records) != manifest["record_count"]:
        raise BundleDamaged("Số bản ghi trong gói không khớp với bản kê.")
    return records


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def _record_problem(record: Any, checked: set) -> str | None:
    """Why a parsed line is not a record, or None. Hot loop: cheap checks first, names cached."""
    if type(record) is not dict:
        return "không phải một bản ghi"
    get = record.get
    table, row_id, op, seq, row = get("t"), get("id"), get("op"), get("seq"), get("row")
    if type(table) is not str:
        return "tên bảng sai"
    if table not in checked:
        if not TABLE_NAME.match(table):
            return "tên bảng sai"
        checked.add(table)
    if type(row_id) is not str or not row_id or len(row_id) > MAX_ROW_ID:
        return "mã bản ghi sai"
    if op not in RECORD_OPS:
        return "thao tác sai"
    if type(seq) is not int or seq < 0:
        return "số thứ tự thay đổi sai"
    if op == "purge":
        if row is not None:
            return "bản ghi đã xóa hẳn không được kèm nội dung"
    elif type(row) is not dict or row.get("id") != row_id:
        return "nội dung bản ghi sai"
    else:
        columns = tuple(row)
        if columns not in checked:
            if any(not TABLE_NAME.match(k) for k in columns):
                return "tên cột sai"
            checked.add(columns)
    if len(record) != 5:
        hlc, dev, base = get("hlc"), get("dev"), get("base", 0)
        if len(record) != 8 or type(hlc) is not int or hlc < 0 or type(dev) is not str or not dev \
                or len(dev) > MAX_ROW_ID:
            return "có trường lạ"
        if base is not None and (type(base) is not list or len(base) != 2 or type(base[0]) is not int
                                 or type(base[1]) is not str):
            return "phiên bản gốc sai"
    return None
