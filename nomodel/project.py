"""Where the project's own files are: the templates and styles a build uses."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = PROJECT_ROOT / "templates"
STYLES = PROJECT_ROOT / "styles"
