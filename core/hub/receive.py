"""Opening a commune's bundle at the hub, with records.jsonl read on a second thread.

Up to the signature this is `core.sync.bundle.open_bundle_bytes`, the same functions in the same
order: file size, member names, links, sizes and ratios, manifest, Ed25519 signature, member list;
the small members (acknowledgement, attachments) are read and hash-checked here too.
records.jsonl — tens of MB of JSON Lines for a big bundle — is then inflated, size-capped and
hashed (SHA-256 against the manifest) on a second thread, which hands it over in pieces; the
caller's thread checks each piece as text (UTF-8, no NUL byte), splits it into lines and stages
them into SQLite meanwhile. zlib and hashlib release the GIL on large buffers and sqlite3
releases it while a statement runs, so on two cores the two go on side by side
(docs/PERFORMANCE.md, "Sync (issue 7)").

Nothing can be committed on unverified data: `RecordStream.lines()` raises the verdict (hash,
size, damaged deflate data, then UTF-8, then NUL) instead of ending, so a caller reaches its
COMMIT only after the whole member matched the manifest. When anything else fails while the
member is still being read — a line that is not JSON, a refusal based on the manifest — leaving
`open_upload` lets the reader finish and raises its verdict instead, if it has one: a damaged
member is reported as damaged, as `open_bundle_bytes` reports it, not by the first line the
damage happened to break."""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import queue
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass
from typing import Iterator

from core.sync import bundle as bundlemod
from core.sync.errors import BundleDamaged, BundleRejected, BundleTooLarge

PIECE = 1 << 20  # bytes handed over at a time: big enough for zlib/hashlib to run without the GIL
_UTF8_SLICE = 1 << 16  # validating in small slices stays in the CPU cache: 3x faster than one decode
_QUEUED_PIECES = 8  # the reader runs at most this far ahead of the caller
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)
_NOT_A_BUNDLE = (KeyError, IndexError, TypeError, struct.error, RuntimeError)


@dataclass
class Upload(bundlemod.ManifestFields):
    """A bundle whose manifest is signed and whose small members match it; records still streaming."""

    manifest: dict
    file_sha256: str
    size: int
    members: dict[str, bytes]  # every listed member except records.jsonl, hash-checked
    records: "RecordStream"


@contextlib.contextmanager
def open_upload(data: bytes, key_for: bundlemod.KeyResolver) -> Iterator[Upload]:
    """Check and open an uploaded bundle; raises a BundleRejected subclass with the reason."""
    limits = bundlemod.DEFAULT_LIMITS  # looked up per call: tests lower the limits
    try:
        file_sha, zf = bundlemod.open_zip(data, limits)
    except BundleRejected:
        raise
    except _DAMAGED + _NOT_A_BUNDLE as exc:
        raise BundleDamaged("Tệp không phải gói dữ liệu hoặc đã bị hỏng.", details=repr(exc)) from exc
    with zf:
        try:
            infos, manifest = bundlemod.verify_signed(zf, key_for, limits)
            listed = manifest["members"]
            members = {name: bundlemod.read_listed_member(zf, infos[name], expected, limits)
                       for name, expected in listed.items() if name != bundlemod.RECORDS}
        except BundleRejected:
            raise
        except _DAMAGED + _NOT_A_BUNDLE as exc:
            raise BundleDamaged("Tệp không phải gói dữ liệu hoặc đã bị hỏng.", details=repr(exc)) from exc
        stream = RecordStream(zf, infos.get(bundlemod.RECORDS), listed.get(bundlemod.RECORDS), limits)
        try:
            yield Upload(manifest=manifest, file_sha256=file_sha, size=len(data), members=members, records=stream)
        except BaseException as exc:
            verdict = stream.finish()
            if verdict is not None and verdict is not exc:
                raise verdict from exc
            raise
        else:
            stream.cancel()  # e.g. a duplicate: nothing more to read


class _End:
    """The reader's last word: None when the member matched the manifest, else the refusal."""

    def __init__(self, error: BaseException | None):
        self.error = error


class RecordStream:
    """records.jsonl inflated and hashed on a second thread; iterate `lines()` once, to the end.

    The text checks (UTF-8, NUL) and the split into lines run on the caller's thread as it takes
    each piece: the reader thread only runs code that releases the GIL (inflate, CRC, SHA-256).
    Decoding there too made the caller's thread, which releases the GIL for every line it
    stages, wait to get it back (0.1 s per 100,000 lines).
    """

    def __init__(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo | None, expected: dict | None,
                 limits: bundlemod.Limits):
        self._queue: queue.Queue = queue.Queue(maxsize=_QUEUED_PIECES)
        self._cancelled = threading.Event()
        self._end: _End | None = None
        self._text = _Text()
        if info is None:  # no records member listed (e.g. a bundle of attachments only)
            self._queue.put(_End(None))
            self._thread = None
        else:
            self._thread = threading.Thread(target=self._read, args=(zf, info, expected, limits),
                                            name="bundle-records", daemon=True)
            self._thread.start()

    def lines(self) -> Iterator[list[bytes]]:
        """The member's lines (without their newlines) in batches, checked as text; raises the
        refusal instead of ending. One record per line and no blank line: the writer never makes
        one, so a blank line is passed on, to be refused as not JSON."""
        for piece in self._received():
            lines = self._text.take(piece)
            if lines is None:
                break
            if lines:
                yield lines
        error = self.finish()
        if error is not None:
            raise error
        last = self._text.last_line()
        if last:
            yield [last]

    def finish(self) -> BaseException | None:
        """Let the reader check the whole member, text-checking what the caller did not take;
        the refusal, in the order of `_check_member`, or None."""
        for piece in self._received():
            if not self._cancelled.is_set():
                self._text.take(piece)
        if self._thread is not None:
            self._thread.join()
        if self._cancelled.is_set():
            return None
        return self._end.error or self._text.verdict()

    @property
    def escapes_seen(self) -> bool:
        """Whether any line taken so far holds a `\\u` escape (app-written lines never do: UTF-8 as is)."""
        return self._text.escapes

    def cancel(self) -> None:
        """Stop reading: the caller needs no more of the member (and learns nothing about it)."""
        self._cancelled.set()
        self.finish()

    def _received(self) -> Iterator[bytes]:
        while self._end is None:
            item = self._queue.get()
            if isinstance(item, _End):
                self._end = item
            else:
                yield item

    def _read(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, expected: dict, limits: bundlemod.Limits) -> None:
        try:
            self._check_member(zf, info, expected, limits)
            error = None
        except BundleRejected as exc:
            error = exc
        except _DAMAGED as exc:
            error = BundleDamaged(f"Thành phần “{info.filename}” của gói bị hỏng.", details=repr(exc))
        except _NOT_A_BUNDLE as exc:
            error = BundleDamaged("Tệp không phải gói dữ liệu hoặc đã bị hỏng.", details=repr(exc))
        except BaseException as exc:  # a bug, not a bundle problem: the caller raises it as it is
            error = exc
        self._queue.put(_End(error))

    def _check_member(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, expected: dict,
                      limits: bundlemod.Limits) -> None:
        """What `read_listed_member` refuses: a member larger than listed, or not matching its hash.
        (These come before any text problem, as when the whole member is read first.)"""
        cap = bundlemod.listed_member_cap(expected, limits)
        if info.file_size > cap:
            raise BundleTooLarge(f"Thành phần “{info.filename}” lớn hơn mức cho phép.")
        digest, size = hashlib.sha256(), 0
        with zf.open(info) as member:
            while not self._cancelled.is_set():
                piece = member.read(PIECE)
                if not piece:
                    break
                size += len(piece)
                if size > cap:
                    raise BundleTooLarge(f"Thành phần “{info.filename}” lớn hơn kích thước khai báo.")
                digest.update(piece)
                self._queue.put(piece)
        if not self._cancelled.is_set() and (size != expected["size"] or digest.hexdigest() != expected["sha256"]):
            raise bundlemod.member_changed(info.filename)


class _Text:
    """JSON Lines in pieces: split into lines, UTF-8 throughout, and no NUL byte (SQLite's JSON
    parser stops at a NUL, so whatever followed it in a line would be stored without ever having
    been checked). Not UTF-8 is named before a NUL, as when the whole text is checked first."""

    def __init__(self):
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._utf8_error: BundleDamaged | None = None
        self._nul_error: BundleDamaged | None = None
        self._lines = 0  # complete lines before `_tail`
        self._tail = b""  # the start of a line that a later piece ends
        self.escapes = False  # a `\u` was seen: the lines may hold what PostgreSQL cannot (core.hub.portable_json)

    def take(self, piece: bytes) -> list[bytes] | None:
        """The lines this piece completes, or None once a problem is found (later pieces still
        go through here: one of them can turn a NUL into a UTF-8 refusal)."""
        if self._utf8_error is None:
            view = memoryview(piece)
            try:
                for start in range(0, len(view), _UTF8_SLICE):
                    self._decoder.decode(view[start:start + _UTF8_SLICE])
            except UnicodeDecodeError as exc:
                self._utf8_error = BundleDamaged("Dữ liệu trong gói không phải văn bản UTF-8.", details=repr(exc))
            finally:
                view.release()
        if self._nul_error is not None or self._utf8_error is not None:
            return None
        text = self._tail + piece if self._tail else piece
        if not self.escapes and b"\\u" in text:  # one fast scan of the piece; real lines have none
            self.escapes = True
        nul = piece.find(b"\x00")
        if nul >= 0:
            line = self._lines + text.count(b"\n", 0, len(self._tail) + nul) + 1
            self._nul_error = BundleDamaged(f"Dòng dữ liệu số {line} trong gói không hợp lệ: có ký tự NUL.")
            return None
        lines = text.split(b"\n")
        self._tail = lines.pop()  # b"" when the piece ends with a newline
        self._lines += len(lines)
        return lines

    def last_line(self) -> bytes:
        """A last line without its newline (b"" if the text ended with one)."""
        return self._tail

    def verdict(self) -> BundleDamaged | None:
        """The refusal for the whole text, once every piece went through `take`."""
        if self._utf8_error is None:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                self._utf8_error = BundleDamaged("Dữ liệu trong gói không phải văn bản UTF-8.", details=repr(exc))
        return self._utf8_error or self._nul_error
