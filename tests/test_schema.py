"""One declaration per key (nomodel/model.py): the checks, the README's key tables and the JSON
Schemas that editors use all come from it, so they cannot drift apart."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from nomodel.cli import main
from nomodel.commands.schema import SCHEMAS, model
from nomodel.errors import ContentErrors
from nomodel.frontmatter import YamlFile, read_markdown, read_yaml
from nomodel.schema import key_table, validate

ROOT = Path(__file__).resolve().parent.parent
MARKER = "<!-- nomodel schema {} --markdown -->\n"


def printed(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["schema", *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("which", SCHEMAS)
def test_the_readme_key_tables_are_the_models(
    which: str, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    marker = MARKER.format(which)
    assert readme.count(marker) == 1, f"README.md lacks {marker!r}"
    shown = readme.split(marker)[1].split("\n\n")[0] + "\n"
    assert shown == printed(capsys, which, "--markdown"), (
        f"README.md's table of {which} keys differs from nomodel/model.py:"
        f" paste `nomodel schema {which} --markdown` under {marker!r}"
    )


def seed_files() -> list[tuple[str, Path]]:
    content = ROOT / "content"
    sections = sorted(content.glob("*/_section.md"))
    cards = sorted(set(content.glob("*/*.md")) - set(sections))
    return [
        ("booklet", content / "booklet.yml"),
        *(("section", path) for path in sections),
        *(("card", path) for path in cards),
    ]


@pytest.mark.parametrize(("which", "path"), seed_files(), ids=lambda v: getattr(v, "name", v))
def test_the_json_schemas_accept_the_seed(
    which: str, path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = json.loads(printed(capsys, which))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = read_yaml(path).data if path.suffix == ".yml" else read_markdown(path).data
    jsonschema.validate(data, schema)


CARD = {"number": "00C.001", "title": "Un titre", "date": "2020-05-04"}


def test_an_optional_key_may_be_left_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``summary:`` with nothing after it means no summary, for nomodel and for the editor."""
    blank = {**CARD, "summary": None, "tags": None, "testimonies": [{"name": "A", "role": None}]}
    jsonschema.validate(blank, json.loads(printed(capsys, "card")))
    assert validate(model("card"), _yaml_file(tmp_path, blank)).summary == ""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**CARD, "title": None}, json.loads(printed(capsys, "card")))


# Front matters nomodel refuses; the editor, given the schema, refuses them as well.
REFUSED = {
    "unknown key": {**CARD, "titel": "x"},
    "missing key": {"number": "00C.001", "title": "Un titre"},
    "bad number": {**CARD, "number": "C-1"},
    "number as a number": {**CARD, "title": 12},
    "empty title": {**CARD, "title": ""},
    "tags not a list": {**CARD, "tags": "libre"},
    "link without url": {**CARD, "links": [{"label": "x"}]},
    "link to a file": {**CARD, "links": [{"label": "x", "url": "file:///etc/passwd"}]},
    "testimony key": {**CARD, "testimonies": [{"name": "A", "rol": "B"}]},
}


@pytest.mark.parametrize("case", REFUSED)
def test_the_card_schema_refuses_what_nomodel_refuses(
    case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    schema = json.loads(printed(capsys, "card"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(REFUSED[case], schema)
    with pytest.raises(ContentErrors):
        validate(model("card"), _yaml_file(tmp_path, REFUSED[case]))


@pytest.mark.parametrize("which", SCHEMAS)
def test_every_key_is_described(which: str) -> None:
    """A key without a docstring under it would have no meaning in the README."""
    rows = key_table(model(which)).splitlines()[2:]
    assert rows
    assert not [row for row in rows if row.endswith("| None |")]


def _yaml_file(tmp_path: Path, data: dict[str, object]) -> YamlFile:
    path = tmp_path / "front.yml"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
    return read_yaml(path)
