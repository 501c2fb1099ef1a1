"""Load the scripts in build/ (not a package: PyInstaller runs them by path)."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_build_module(name: str):
    path = ROOT / "build" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"motcua_build_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
