"""The window's command line, read without argparse, must agree with the full parser."""

import pytest

from core.cli import _gui_only_parser
from core.gui_args import parse_window_args


@pytest.mark.parametrize("argv", [
    [], ["--demo"], ["--smoke"], ["--smoke", "--demo"], ["--data-dir", "/tmp/Dữ liệu"],
    ["--data-dir=D:\\MotCua\\data", "--smoke"], ["--demo", "--data-dir", "x", "--demo"],
])
def test_window_arguments_match_the_full_parser(argv):
    fast = parse_window_args(argv)
    full = _gui_only_parser().parse_args(argv)
    assert fast is not None
    assert (fast.data_dir, fast.demo, fast.smoke, fast.command) == (full.data_dir, full.demo, full.smoke, None)


@pytest.mark.parametrize("argv", [
    ["check"], ["--help"], ["-h"], ["--data-dir"], ["--data-dir", "--smoke"], ["--data-dir="],
    ["--smok"], ["--demo", "init", "--unit", "21484"], ["--data-dir", ""], ["-"],
])
def test_anything_else_goes_to_the_full_parser(argv):
    assert parse_window_args(argv) is None
