"""The command line: exit codes, messages with file and line, previous output untouched."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import WriteContent
from samples import CARD, SECTION

from nomodel import pipeline
from nomodel.cli import main

ROOT = Path(__file__).resolve().parent.parent
PREVIOUS = b"%PDF-1.7 the previous, good booklet"

# One broken card per class of content error: (card text, line, message fragment).
BROKEN = {
    "missing key": (CARD.replace("date: 2020-05-04\n", ""), 1, 'missing required key "date"'),
    "bad number": (CARD.replace("00C.001", "C-1", 1), 2, '"number" must look like 00C.001'),
    "series": (CARD.replace("00C.001", "00A.001", 1), 2, 'series "C"'),
    "unreal date": (CARD.replace("2020-05-04", "2020-02-30"), 4, "2020-02-30"),
    "unknown key": (CARD.replace("title:", "titel:"), 3, 'did you mean "title"?'),
    "yaml syntax": (CARD.replace("title: Programme", "title: [Programme"), 4, "invalid YAML"),
    "unclosed": (CARD.replace("---\nDans", "Dans"), 1, "never closed"),
    "empty": ("", 1, "empty"),
}


def broken_folder(write_content: WriteContent, card: str | bytes) -> Path:
    return write_content(
        {
            "booklet.yml": "title: Essai\n",
            "nos-cousins/_section.md": SECTION,
            "nos-cousins/00C.001-programme.md": card,
        }
    )


@pytest.mark.parametrize("case", BROKEN)
def test_content_error_names_file_and_line_and_keeps_previous_pdf(
    case: str, write_content: WriteContent, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card, line, fragment = BROKEN[case]
    content = broken_folder(write_content, card)
    output = tmp_path / "output"
    output.mkdir()
    (output / "booklet.pdf").write_bytes(PREVIOUS)

    assert main(["build", "--content", str(content), "--output", str(output)]) == 1

    *problems, total = capsys.readouterr().err.splitlines()
    assert total.endswith("nothing was written")
    (problem,) = [problem for problem in problems if fragment in problem]
    path, reported_line, _ = problem.split(":", 2)
    assert Path(path).resolve() == (content / "nos-cousins/00C.001-programme.md").resolve()
    assert int(reported_line) == line
    assert (output / "booklet.pdf").read_bytes() == PREVIOUS
    assert sorted(p.name for p in output.iterdir()) == ["booklet.pdf"]  # no leftovers


def test_not_utf8_is_reported_with_its_line(
    write_content: WriteContent, capsys: pytest.CaptureFixture[str]
) -> None:
    card = CARD.replace("Programme labo PIA", "Programme labo PIA é").encode("cp1252")
    content = broken_folder(write_content, card)
    assert main(["check", "--content", str(content)]) == 1
    assert "00C.001-programme.md:3: " in capsys.readouterr().err


def test_duplicate_numbers_name_both_files(
    write_content: WriteContent, capsys: pytest.CaptureFixture[str]
) -> None:
    content = broken_folder(write_content, CARD)
    write_content({"nos-cousins/00C.001-copie.md": CARD})
    assert main(["check", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert "00C.001-copie.md" in err and "00C.001-programme.md" in err
    assert "already used" in err


def test_every_problem_of_the_folder_is_reported_at_once(
    write_content: WriteContent, capsys: pytest.CaptureFixture[str]
) -> None:
    content = broken_folder(write_content, BROKEN["unreal date"][0])
    write_content({"nos-cousins/00C.002-autre.md": BROKEN["yaml syntax"][0].replace("001", "002")})
    assert main(["check", "--content", str(content)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0].rsplit("/", 1)[-1] for line in err[:-1]] == [
        "00C.001-programme.md",
        "00C.002-autre.md",
    ]
    assert err[-1] == "2 problems: nothing was written"


def test_build_prints_a_summary_and_check_passes(
    small_content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--content", str(small_content)]) == 0
    assert main(["--content", str(small_content), "--output", str(tmp_path / "out")]) == 0
    summary = capsys.readouterr().out.splitlines()[-1]
    assert summary.startswith("8 pages, 2 cards, ")
    assert summary.endswith(f" s → {tmp_path / 'out' / 'booklet.pdf'}")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_build_py_reports_content_errors_without_traceback(
    write_content: WriteContent,
) -> None:
    content = broken_folder(write_content, BROKEN["unknown key"][0])
    result = run("check", "--content", str(content))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert 'unknown key "titel"' in result.stderr


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--help"], 0),
        (["build", "--help"], 0),
        (["check", "--help"], 0),
        (["--no-such-option"], 2),
        (["build", "--content", "no/such/folder"], 2),
    ],
)
def test_usage(args: list[str], code: int) -> None:
    result = run(*args)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    if code == 0:
        assert "usage: nomodel" in result.stdout


@pytest.mark.parametrize("command", ["build", "watch", "check"])
@pytest.mark.parametrize("value", ["yesterday", "", "-1"])
def test_a_wrong_source_date_epoch_is_a_usage_error(
    command: str,
    value: str,
    small_content: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Read once, before anything runs: a watch does not fail at every build."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(SystemExit) as stopped:
        main([command, "--content", str(small_content)])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.endswith("error: SOURCE_DATE_EPOCH must be a number of seconds since 1970\n")


def test_quiet_silences_weasyprint_for_its_build_only(
    small_content: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    logger = logging.getLogger("weasyprint")
    before = logger.level
    levels = []
    build = pipeline.build

    def recording(*args: Any, **kwargs: Any) -> list[pipeline.BuildResult]:
        levels.append(logger.getEffectiveLevel())
        return build(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build", recording)
    args = ["build", "--quiet", "--content", str(small_content), "--output", str(tmp_path)]
    assert main(args) == 0
    assert capsys.readouterr().out == ""
    assert levels == [logging.CRITICAL]
    assert logger.level == before  # later builds in this process show WeasyPrint's warnings


def test_the_command_line_is_read_before_anything_heavy_is_imported() -> None:
    """``build`` starts its workers (commands/build.py) and ``--help`` answers before
    WeasyPrint, pydantic, pikepdf or markdown-it are imported (0.5 s)."""
    heavy = ("weasyprint", "pydantic", "pikepdf", "markdown_it", "jinja2", "fontTools")
    code = (
        "import sys, nomodel.cli, nomodel.commands.build;"
        f" print([name for name in {heavy!r} if name in sys.modules])"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.stdout.strip() == "[]", found.stderr
