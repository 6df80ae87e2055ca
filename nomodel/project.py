"""Where a build's look comes from: the booklet project's own ``templates/`` and ``styles/``,
file by file over the theme bundled with nomodel.

A booklet project is the folder that holds ``content/`` (the parent of ``--content``). A file
of its ``templates/`` or ``styles/`` (``styles/fonts/``, ``styles/color/``) replaces the
bundled file of the same name; every other file comes from the package, as MkDocs'
``custom_dir`` and Pelican's themes do."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

STYLESHEET = "booklet.css"
BASE_TEMPLATE = "base.html.j2"
KINDS = ("templates", "styles")
# What a bundled file that cannot be found means.
INCOMPLETE = "is missing: nomodel is incompletely installed (pip install --force-reinstall nomodel)"


def bundled_root() -> Path:
    """The folder holding the bundled ``templates/`` and ``styles/``.

    An installed wheel carries them inside the package, as ``nomodel/bundled/`` (see
    pyproject.toml); an editable install or a checkout has them at the repository's top
    level, next to the package. pip and pipx install packages as files, never zipped, which
    WeasyPrint (file URLs) and Jinja (a folder loader) need."""
    package = Path(str(files("nomodel")))
    installed = package / "bundled"
    return installed if installed.is_dir() else package.parent


@dataclass(frozen=True)
class Theme:
    """The look of one booklet project: its own files first, then the bundled ones."""

    project: Path  # the booklet project: the folder holding content/
    bundled: Path  # see bundled_root()

    @classmethod
    def of(cls, content_dir: Path) -> Theme:
        """The theme of the project whose content folder is ``content_dir``."""
        return cls(content_dir.resolve().parent, bundled_root())

    @classmethod
    def bundled_only(cls) -> Theme:
        """nomodel's own look, without a project's files."""
        return cls(bundled_root(), bundled_root())

    def folders(self, kind: str) -> list[Path]:
        """Where ``kind`` (templates or styles) files are looked for, first found wins."""
        return list(dict.fromkeys((self.project / kind, self.bundled / kind)))

    def roots(self) -> tuple[Path, ...]:
        """Every folder a theme file may come from, existing or not."""
        return tuple(folder for kind in KINDS for folder in self.folders(kind))

    def file(self, kind: str, name: str) -> Path:
        """The project's ``kind/name`` if it has one, else the bundled one (which may be
        missing when nomodel is incompletely installed)."""
        found = [folder / name for folder in self.folders(kind)]
        return next((path for path in found if path.is_file()), found[-1])

    def templates(self) -> tuple[Path, ...]:
        """The template files in use, the project's over the bundled ones."""
        folders = self.folders("templates")
        names = sorted({path.name for folder in folders for path in folder.glob("*.j2")})
        return tuple(self.file("templates", name) for name in names)

    def stylesheet(self) -> Path:
        return self.file("styles", STYLESHEET)

    def resolve(self, path: Path) -> Path:
        """A path inside a theme folder, pointed at the file that wins for its name."""
        for kind in KINDS:
            for folder in self.folders(kind):
                if path.is_relative_to(folder):
                    return self.file(kind, str(path.relative_to(folder)))
        return path

    def locate(self, url: str) -> str:
        """``resolve`` for file URLs. The stylesheet names its fonts relative to itself
        (``url(fonts/x.ttf)``): so a project's own ``booklet.css`` finds the bundled fonts it
        does not replace, and the bundled stylesheet the fonts a project replaces."""
        if urlsplit(url).scheme != "file":
            return url
        return self.resolve(_path(url)).as_uri()


def _path(file_url: str) -> Path:
    return Path(url2pathname(unquote(urlsplit(file_url).path)))
