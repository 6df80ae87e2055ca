"""nomodel: Markdown cards with YAML metadata → a print-ready PDF booklet.

The pipeline, one module per stage:
load (frontmatter, schema) → markdown_html (with typography) → compose (Jinja)
→ layout (WeasyPrint, once) → write (PDF outputs). ``cli`` drives it.
"""

# Before any module imports WeasyPrint: it then opens its C libraries without a compiler's help.
from .compat import find_libraries_quickly

find_libraries_quickly()
