"""The tool as users get it: the wheel, installed in a fresh virtual environment outside the
repository, makes a booklet project and builds it (the way Pelican tests that its themes
ship). 20 to 30 s: ``pytest -m "not install"`` leaves it out."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from pdf_helpers import fonts, letters, page_texts

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "nomodel", "templates", "styles")

pytestmark = pytest.mark.install


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel CI built ($NOMODEL_WHEEL), else one built from a copy of the sources: an
    in-tree build/ folder could slip stale files into it."""
    if os.environ.get("NOMODEL_WHEEL"):
        return Path(os.environ["NOMODEL_WHEEL"])
    sources, wheels = tmp_path_factory.mktemp("sources"), tmp_path_factory.mktemp("wheels")
    for name in SOURCES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, sources / name)
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels)]
    subprocess.run([*pip, str(sources)], check=True)
    (built,) = wheels.glob("nomodel-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding the wheel; returns its ``bin/``.

    The wheel is installed as pip installs it; its dependencies are this test's own
    (a .pth file names their folder), so that the test needs no network and takes seconds.
    .ci/run installs the wheel with its dependencies from the package index too."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    subprocess.run([*pip, "--no-deps", str(wheel)], check=True)
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    (Path(purelib) / "dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    return venv / "bin"


def run(command: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def test_the_wheel_carries_the_theme(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (ROOT / "templates").glob("*.j2"):
        assert f"nomodel/bundled/templates/{path.name}" in names
    for path in (ROOT / "styles").rglob("*"):
        if path.is_file():
            assert f"nomodel/bundled/styles/{path.relative_to(ROOT / 'styles')}" in names


def test_an_installed_nomodel_makes_and_builds_a_project_outside_the_repository(
    installed: Path, tmp_path: Path
) -> None:
    where = run([installed / "python", "-c", "import nomodel; print(nomodel.__file__)"], tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(installed.parent)  # not the checkout

    made = run([installed / "nomodel", "init", "mon-livret"], tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "mon-livret"
    built = run([installed / "nomodel"], project)
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    assert built.stdout.startswith("8 pages, 1 card")

    booklet = project / "output" / "booklet.pdf"
    texts = page_texts(booklet)
    assert len(texts) == 8
    assert letters("Une fiche d’exemple") in letters(" ".join(texts))
    used = fonts(booklet)
    assert any("Old-Standard" in name for name in used) and all(used.values())

    themed = run([installed / "nomodel", "init", "--with-theme", "mon-livret"], tmp_path)
    assert themed.returncode == 0, themed.stderr
    assert (project / "styles" / "fonts" / "Symbola.ttf").is_file()
    assert (project / "templates" / "base.html.j2").is_file()
