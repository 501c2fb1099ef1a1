"""The window's own command line (`--demo`, `--smoke`, `--data-dir DIR`), read without argparse.

Opening the window is what staff do many times a day; importing argparse and building the
parser costs ~3 ms of it. Anything else on the command line (a command, --help, a typo)
returns None and goes to the full, Vietnamese-speaking parser in core.cli.
"""

from __future__ import annotations

from types import SimpleNamespace

_FLAGS = {"--demo": "demo", "--smoke": "smoke"}
_DATA_DIR = "--data-dir"


def parse_window_args(argv: list[str]) -> SimpleNamespace | None:
    """The arguments when `argv` only starts the window, else None (the full parser decides)."""
    args = SimpleNamespace(command=None, data_dir=None, demo=False, smoke=False)
    rest = list(argv)
    while rest:
        word = rest.pop(0)
        if word in _FLAGS:
            setattr(args, _FLAGS[word], True)
        elif word == _DATA_DIR and rest and rest[0] and not rest[0].startswith("-"):
            args.data_dir = rest.pop(0)
        elif word.startswith(_DATA_DIR + "=") and len(word) > len(_DATA_DIR) + 1:
            args.data_dir = word[len(_DATA_DIR) + 1:]
        else:
            return None
    return args
