"""A FUSE file system kept in memory that forgets, at a power cut, every write not made durable.

    python -m tests.proof.powercut.memfs MOUNTPOINT BASELINE_DIR OUT_DIR [--cut-at-op N]

Two states are kept for everything, as a disk with a volatile write cache would hold them:
- what programs see (the page cache): every write, truncate, create, rename, unlink at once;
- what a power cut leaves (the platter): a file's bytes and size only as of its last
  `fsync`/`fdatasync`; a folder's entries (names → files, so creations, renames and
  deletions) only as of the last `fsync` of that folder. This is POSIX's promise and no
  more: a renamed file whose folder was never fsynced may come back under its old name,
  or not at all; a new file whose folder was never fsynced does not exist.

With `--eager-names` the other classic outcome is modelled instead: every name (creation,
rename, deletion) survives as it was at the cut, as if the file system journaled metadata at
once, while a file's bytes still survive only as of its last fsync — the "renamed file is
empty after the crash" case that a rename without a prior fsync of the file leads to.

The cut happens just before the N-th mutating operation (write, truncate, create, mkdir,
rename, unlink, rmdir, link, fsync, fsyncdir): what would survive is written out to
OUT_DIR as a plain folder, `OUT_DIR.cut` records the op number, and from then on every
operation fails with EIO (the disk is gone), so the program cannot complete anything
more; the test then kills it. Without `--cut-at-op` the file system runs until unmounted
and writes the surviving state when it is (used to count operations).

The starting state (BASELINE_DIR, copied in) is entirely durable. Everything runs under
one lock: operations are atomic with respect to the cut.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import stat
import sys
import threading
import time
from pathlib import Path

import mfusepy as fuse

MUTATING = {"write", "truncate", "create", "mkdir", "rename", "unlink", "rmdir", "link", "fsync", "fsyncdir"}


class Node:
    __slots__ = ("is_dir", "mode", "data", "durable", "entries", "durable_entries", "mtime", "nlink")

    def __init__(self, is_dir: bool, mode: int):
        self.is_dir = is_dir
        self.mode = mode
        self.data = bytearray()
        self.durable = b""  # a file's bytes as of its last fsync
        self.entries: dict[str, Node] = {}
        self.durable_entries: dict[str, Node] = {}  # a folder's names as of its last fsync
        self.mtime = time.time()
        self.nlink = 1


class PowerCutFS(fuse.Operations):
    use_ns = True
    lock = None  # leave POSIX locks to the kernel (SQLite needs them, within one machine)
    ioctl = None
    bmap = None

    def __init__(self, baseline: Path, out_dir: Path, cut_at: int | None, eager_names: bool = False):
        self.root = Node(True, 0o755)
        self.eager_names = eager_names
        self.out_dir = out_dir
        self.cut_at = cut_at
        self.ops = 0
        self.cut_done = False
        self.mutex = threading.RLock()
        self.handles: dict[int, Node] = {}
        self.next_fh = 1
        self.counts: dict[str, int] = {}
        if baseline.exists():
            self._load(baseline, self.root)

    # -- starting state and the cut ------------------------------------------------
    def _load(self, folder: Path, node: Node) -> None:
        for child in sorted(folder.iterdir()):
            if child.is_dir():
                sub = Node(True, 0o700)
                self._load(child, sub)
            else:
                sub = Node(False, stat.S_IMODE(child.stat().st_mode))
                sub.data = bytearray(child.read_bytes())
                sub.durable = bytes(sub.data)
            node.entries[child.name] = sub
        node.durable_entries = dict(node.entries)

    def _dump(self, node: Node, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        entries = node.entries if self.eager_names else node.durable_entries
        for name, child in entries.items():
            if child.is_dir:
                self._dump(child, folder / name)
            else:
                (folder / name).write_bytes(child.durable)

    def _cut(self) -> None:
        self._dump(self.root, self.out_dir)
        Path(str(self.out_dir) + ".cut").write_text(json.dumps({"op": self.ops, "counts": self.counts}))
        self.cut_done = True

    def _step(self, kind: str) -> None:
        """Called under the lock at the start of every operation."""
        if self.cut_done:
            raise fuse.FuseOSError(errno.EIO)
        if kind in MUTATING:
            self.ops += 1
            self.counts[kind] = self.counts.get(kind, 0) + 1
            if self.cut_at is not None and self.ops >= self.cut_at:
                self._cut()
                raise fuse.FuseOSError(errno.EIO)

    def destroy(self, path):
        with self.mutex:
            if not self.cut_done:
                self._dump(self.root, self.out_dir)
                Path(str(self.out_dir) + ".ops").write_text(json.dumps({"op": self.ops, "counts": self.counts}))

    # -- lookups -------------------------------------------------------------------
    def _find(self, path: str) -> Node:
        node = self.root
        for part in path.strip("/").split("/"):
            if not part:
                continue
            if not node.is_dir or part not in node.entries:
                raise fuse.FuseOSError(errno.ENOENT)
            node = node.entries[part]
        return node

    def _parent(self, path: str) -> tuple[Node, str]:
        head, _, name = path.rstrip("/").rpartition("/")
        parent = self._find(head or "/")
        if not parent.is_dir:
            raise fuse.FuseOSError(errno.ENOTDIR)
        return parent, name

    def _handle(self, node: Node) -> int:
        fh = self.next_fh
        self.next_fh += 1
        self.handles[fh] = node
        return fh

    def _node(self, path: str, fh) -> Node:
        if fh and fh in self.handles:
            return self.handles[fh]
        return self._find(path)

    # -- reading -------------------------------------------------------------------
    def getattr(self, path, fh=None):
        with self.mutex:
            self._step("getattr")
            node = self._node(path, fh)
            ns = int(node.mtime * 1e9)
            kind = stat.S_IFDIR if node.is_dir else stat.S_IFREG
            return {"st_mode": kind | node.mode, "st_nlink": 2 if node.is_dir else node.nlink,
                    "st_size": 4096 if node.is_dir else len(node.data), "st_uid": os.getuid(),
                    "st_gid": os.getgid(), "st_atime": ns, "st_mtime": ns, "st_ctime": ns,
                    "st_blocks": (len(node.data) + 511) // 512}

    def readdir(self, path, fh):
        with self.mutex:
            self._step("readdir")
            return [".", "..", *self._find(path).entries]

    def open(self, path, flags):
        with self.mutex:
            self._step("open")
            node = self._find(path)
            if flags & os.O_TRUNC:
                self._step("truncate")
                node.data = bytearray()
            return self._handle(node)

    def opendir(self, path):
        with self.mutex:
            self._step("opendir")
            self._find(path)
            return 0

    def read(self, path, size, offset, fh):
        with self.mutex:
            self._step("read")
            return bytes(self._node(path, fh).data[offset:offset + size])

    def statfs(self, path):
        return {"f_bsize": 4096, "f_frsize": 4096, "f_blocks": 1 << 20, "f_bfree": 1 << 19,
                "f_bavail": 1 << 19, "f_files": 1 << 16, "f_ffree": 1 << 15, "f_favail": 1 << 15,
                "f_namemax": 255}

    def access(self, path, amode):
        with self.mutex:
            self._step("access")
            self._find(path)
            return 0

    # -- writing (volatile until synced) ----------------------------------------------
    def create(self, path, mode, fi=None):
        with self.mutex:
            self._step("create")
            parent, name = self._parent(path)
            node = parent.entries.get(name)
            if node is None:
                node = Node(False, stat.S_IMODE(mode))
                parent.entries[name] = node
            else:
                node.data = bytearray()
            parent.mtime = time.time()
            return self._handle(node)

    def write(self, path, data, offset, fh):
        with self.mutex:
            self._step("write")
            node = self._node(path, fh)
            end = offset + len(data)
            if len(node.data) < offset:
                node.data.extend(b"\0" * (offset - len(node.data)))
            node.data[offset:end] = data
            node.mtime = time.time()
            return len(data)

    def truncate(self, path, length, fh=None):
        with self.mutex:
            self._step("truncate")
            node = self._node(path, fh)
            if length < len(node.data):
                del node.data[length:]
            else:
                node.data.extend(b"\0" * (length - len(node.data)))
            node.mtime = time.time()
            return 0

    def mkdir(self, path, mode):
        with self.mutex:
            self._step("mkdir")
            parent, name = self._parent(path)
            if name in parent.entries:
                raise fuse.FuseOSError(errno.EEXIST)
            parent.entries[name] = Node(True, stat.S_IMODE(mode))
            return 0

    def rmdir(self, path):
        with self.mutex:
            self._step("rmdir")
            parent, name = self._parent(path)
            node = self._find(path)
            if node.entries:
                raise fuse.FuseOSError(errno.ENOTEMPTY)
            del parent.entries[name]
            return 0

    def unlink(self, path):
        with self.mutex:
            self._step("unlink")
            parent, name = self._parent(path)
            node = self._find(path)
            node.nlink -= 1
            del parent.entries[name]
            return 0

    def link(self, target, source):
        with self.mutex:
            self._step("link")
            node = self._find(source)
            parent, name = self._parent(target)
            if name in parent.entries:
                raise fuse.FuseOSError(errno.EEXIST)
            parent.entries[name] = node
            node.nlink += 1
            return 0

    def rename(self, old, new):
        with self.mutex:
            self._step("rename")
            old_parent, old_name = self._parent(old)
            new_parent, new_name = self._parent(new)
            node = self._find(old)
            existing = new_parent.entries.get(new_name)
            if existing is not None and existing.is_dir and existing.entries:
                raise fuse.FuseOSError(errno.ENOTEMPTY)
            del old_parent.entries[old_name]
            new_parent.entries[new_name] = node
            return 0

    def chmod(self, path, mode):
        with self.mutex:
            self._step("chmod")
            self._find(path).mode = stat.S_IMODE(mode)
            return 0

    def chown(self, path, uid, gid):
        return 0

    def utimens(self, path, times=None):
        with self.mutex:
            self._step("utimens")
            self._find(path).mtime = (times[1] / 1e9) if times else time.time()
            return 0

    # -- durability ---------------------------------------------------------------------
    def fsync(self, path, datasync, fh):
        with self.mutex:
            self._step("fsync")
            node = self._node(path, fh)
            if node.is_dir:
                node.durable_entries = dict(node.entries)
            else:
                node.durable = bytes(node.data)
            return 0

    def fsyncdir(self, path, datasync, fh):
        with self.mutex:
            self._step("fsyncdir")
            node = self._find(path)
            node.durable_entries = dict(node.entries)
            return 0

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        with self.mutex:
            self.handles.pop(fh, None)
            return 0

    def releasedir(self, path, fh):
        return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mountpoint")
    parser.add_argument("baseline", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--cut-at-op", type=int)
    parser.add_argument("--eager-names", action="store_true",
                        help="names survive as they are at the cut (metadata journaled at once), bytes only if synced")
    args = parser.parse_args(argv)
    fs = PowerCutFS(args.baseline, args.out_dir, args.cut_at_op, args.eager_names)
    # No writeback cache (the default): every write() reaches this process before it returns,
    # so the volatile state here is exactly what the program wrote.
    fuse.FUSE(fs, args.mountpoint, foreground=True, nothreads=False, default_permissions=True,
              fsname="powercut", allow_other=False)
    sys.exit(0)


if __name__ == "__main__":
    main()
