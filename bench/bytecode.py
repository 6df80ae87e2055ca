"""nomodel's modules compiled to bytecode before a benchmark times them, as pip compiles an
installed package's: this machine's shell sets PYTHONDONTWRITEBYTECODE, with which every
process of a checkout compiled nomodel's 60 modules again (0.065 s in the build's own
process, as much in each worker's), which no installed nomodel does."""

from __future__ import annotations

import compileall
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "nomodel"


def compile_package() -> None:
    if not compileall.compile_dir(PACKAGE, quiet=1):
        raise SystemExit(f"{PACKAGE} does not compile")
