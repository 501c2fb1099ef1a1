"""Rotating log file in the data folder; unexpected errors always end up here."""

from __future__ import annotations

import logging
from pathlib import Path

LOG_NAME = "motcua.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class DeferredRotatingHandler(logging.Handler):
    """The standard library's RotatingFileHandler, created when the first record arrives.

    `logging.handlers` pulls in socket, pickle and queue (~4 ms); most starts log nothing
    before the window is up, so they do not pay for it then. Records are never dropped:
    the first one opens the file and every one goes through the real handler.
    """

    def __init__(self, log_file: Path, level: int = logging.NOTSET):
        super().__init__(level)
        self.log_file = log_file
        self.target: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        # Handler.handle holds self.lock around emit: the file is opened once, even with threads.
        if self.target is None:
            import logging.handlers

            self.target = logging.handlers.RotatingFileHandler(
                self.log_file, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")
            self.target.setFormatter(logging.Formatter(FORMAT))
        self.target.emit(record)

    def flush(self) -> None:
        if self.target is not None:
            self.target.flush()

    def close(self) -> None:
        if self.target is not None:
            self.target.close()
        super().close()


def setup_logging(logs_dir: Path, level: int = logging.INFO) -> Path:
    logs_dir.mkdir(parents=True, exist_ok=True)
    log_file = logs_dir / LOG_NAME
    log_file.touch(mode=0o600)  # the file staff are told to send is there from the first start
    root = logging.getLogger()
    if not any(isinstance(h, DeferredRotatingHandler) and h.log_file == log_file for h in root.handlers):
        root.addHandler(DeferredRotatingHandler(log_file))
    root.setLevel(level)
    return log_file
