"""The README's developer guide stays true to the package."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_developer_table_lists_every_module() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    table = readme.split("## For developers")[1].split("\n\n")[2]
    assert table.startswith("| stage | module |")
    package = ROOT / "nomodel"
    modules = sorted(
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if path.name != "__init__.py" and "bundled" not in path.parts
    )
    assert modules
    assert [module for module in modules if f"`{module}`" not in table] == []
