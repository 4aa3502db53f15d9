"""MkDocs hook entry point: the only file listed under `hooks:` in mkdocs.yml.

It only re-exports the event functions; all logic lives in the `evidence` package.
"""

from evidence.glue import (
    on_build_error,
    on_config,
    on_files,
    on_page_content,
    on_page_markdown,
    on_post_build,
    on_post_page,
    on_startup,
)

__all__ = ["on_build_error", "on_config", "on_files", "on_page_content", "on_page_markdown", "on_post_build", "on_post_page", "on_startup"]
