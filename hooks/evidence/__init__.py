"""Evidence engine: YAML claims and BibTeX references into a validated, cross-linked site.

Data flows one way: load -> validate -> model -> render -> glue (the only MkDocs module).
"""

from __future__ import annotations

__version__ = "0.1.0"
