"""nomodel: Markdown cards with YAML metadata → a print-ready PDF booklet.

The pipeline, one module per stage:
load (frontmatter, schema) → markdown_html (with typography) → compose (Jinja)
→ layout (WeasyPrint, once) → write (PDF outputs). ``cli`` drives it.
"""
