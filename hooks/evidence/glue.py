"""MkDocs glue: the only module that imports mkdocs.

Events: `on_config` loads and validates the review (fresh each build, so `mkdocs serve`
picks up every edit), logs every finding with its location and fails the build once on
errors; `on_files` hides the YAML sources and adds the generated pages as virtual files;
`on_page_markdown` turns `[@key]` markers in prose pages into numbered citation links;
`on_post_page` puts each topic page's JSON-LD into its head. Generated pages are written to a
temporary folder that MkDocs reads page by page, as it reads hand-written ones, so the whole
site's Markdown is not held in memory through the build. Under `mkdocs serve --dirty`, generated
pages whose Markdown did not change since the previous build are not rebuilt.
"""

from __future__ import annotations

import gc
import hashlib
import tempfile
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nh3
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, InclusionLevel

from . import rawhtml
from .exports import EXPORT_SCHEMA, Site, export_files
from .findings import sort_findings
from .history import read_history
from .jsonld import page_jsonld, script_json
from .links import CHANGELOG_PAGE, CLAIMS_PAGE, METHODS_PAGE, REFERENCES_DIR, REFERENCES_INDEX, kind_page, topic_page
from .render import TEMPLATES, Renderer
from .schema import SCHEMAS, schema_text
from .sources import BIB_FILE, CLAIMS_FILE, Loaded, load_review

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

log = get_plugin_logger("evidence")

ASSETS = Path(__file__).parent / "assets"
STYLESHEET = "assets/evidence/evidence.css"
SCRIPT = "assets/evidence/evidence.js"
REQUIRED_EXTENSIONS = ("attr_list", "md_in_html", "admonition", "pymdownx.details", "tables", "toc")


@dataclass
class _Build:
    """State of one build; replaced in on_config because hook modules live across rebuilds."""

    loaded: Loaded
    renderer: Renderer
    generated: frozenset[str] = frozenset()
    linked_data: dict[str, str] = field(default_factory=dict)
    """JSON-LD for the head of each topic page, by source path."""
    pages_dir: tempfile.TemporaryDirectory[str] = field(default_factory=lambda: tempfile.TemporaryDirectory(prefix="evidence-pages-"))
    """The generated pages of this build; removed when the next build replaces this state."""


_build: _Build | None = None
_previous: dict[str, bytes] = {}
"""A digest of each generated page of the previous build in this process, by source path."""


class _Unchanged(File):
    """A generated page whose Markdown the previous build already wrote: a dirty build skips it."""

    def is_modified(self) -> bool:
        return False


# ---- Events --------------------------------------------------------------------------------


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _build
    gc.unfreeze()  # the previous build's objects may be collected again
    root = Path(config.config_file_path).parent
    loaded = load_review(root)
    for finding in sort_findings(loaded.findings):
        (log.error if finding.is_error else log.warning)(finding.text())
    if loaded.errors or loaded.corpus is None:
        _build = None
        count = len(loaded.errors)
        raise PluginError(f"{count} evidence error{'s' if count != 1 else ''} (see above); run `evidence check` for the same list")
    site = Site(config.site_url or None, config.use_directory_urls)
    history = read_history(root)  # commits for the change history; without git the pages say why
    if history.note:
        log.info(history.note)
    _build = _Build(loaded, Renderer(loaded.corpus, site=site, history=history))
    for name in REQUIRED_EXTENSIONS:
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
    for path in (root / CLAIMS_FILE, root / BIB_FILE, TEMPLATES):
        if str(path) not in config.watch:
            config.watch.append(str(path))  # `mkdocs serve` rebuilds when the data or templates change
    if STYLESHEET not in config.extra_css:
        config.extra_css.append(STYLESHEET)
    if SCRIPT not in [str(script) for script in config.extra_javascript]:
        config.extra_javascript.append(SCRIPT)  # citation previews on touch screens; links work without it
    if config.site_name in ("", "My Docs"):
        config.site_name = loaded.corpus.review.title
    if config.nav is None:
        config.nav = _navigation(loaded, root / "content", config)
    return config


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    build = _require_build()
    for file in files:
        if file.src_uri.endswith((".yaml", ".yml")):
            file.inclusion = InclusionLevel.EXCLUDED
    pages = build.renderer.pages()
    clashes = [uri for uri in pages if files.get_file_from_path(uri) is not None]
    if clashes:
        for uri in clashes:
            log.error(f"content/{uri}: E501 this page is generated from the review data; rename or remove the hand-written file")
        raise PluginError(f"{len(clashes)} generated page(s) clash with files in content/")
    before, folder = dict(_previous), Path(build.pages_dir.name)
    _previous.clear()
    for uri, markdown in pages.items():
        inclusion = InclusionLevel.NOT_IN_NAV if _is_reference_page(uri) else InclusionLevel.INCLUDED
        data = markdown.encode("utf-8")
        _previous[uri] = hashlib.blake2b(data, digest_size=16).digest()
        (folder / uri).parent.mkdir(parents=True, exist_ok=True)
        (folder / uri).write_bytes(data)
        kind = _Unchanged if before.get(uri) == _previous[uri] else File
        files.append(kind.generated(config, uri, abs_src_path=str(folder / uri), inclusion=inclusion))
    files.append(File.generated(config, STYLESHEET, abs_src_path=str(ASSETS / "evidence.css")))
    files.append(File.generated(config, SCRIPT, abs_src_path=str(ASSETS / "evidence.js")))
    for name in (*SCHEMAS, EXPORT_SCHEMA):  # published so editors and other reviews can use the same formats
        files.append(File.generated(config, f"schema/{name}.schema.json", content=schema_text(name)))
    corpus, site = build.renderer.corpus, build.renderer.site
    for uri, content in export_files(corpus, site).items():
        files.append(File.generated(config, uri, content=content))
    build.linked_data = {topic_page(t.id): script_json(page_jsonld(corpus, t, site)) for t in corpus.topics}
    build.generated = frozenset(pages)
    gc.freeze()  # the review and the configuration outlive every page: full collections need not walk them
    return files


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    """Topic pages carry schema.org JSON-LD in their head (escaped by `script_json`)."""
    data = _require_build().linked_data.get(page.file.src_uri)
    if data is None:
        return output
    return output.replace("</head>", f'<script type="application/ld+json">{data}</script>\n</head>', 1)


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    build = _require_build()
    if page.file.src_uri in build.generated:
        return markdown
    return build.renderer.prose_page(markdown, page.file.src_uri)


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Hand-written pages come from pull requests: their HTML passes an allowlist sanitiser
    (`evidence check` already reports what it would remove, with line and column)."""
    build = _require_build()
    if page.title:
        page.title = safe_title(page.title)
    if page.file.src_uri in build.generated:
        return html
    return sanitize(html)


# ---- Helpers -------------------------------------------------------------------------------


def safe_title(title: str) -> str:
    """MkDocs keeps an H1's entities in the title and Material prints it through `striptags`,
    which unescapes them: `&lt;script&gt;` in a heading would become a live tag in <title>."""
    text = title
    while (plain := unescape(text)) != text:
        text = plain
    if "<" not in text and ">" not in text:
        return title
    return text.replace("&", "&amp;").replace("<", "\u2039").replace(">", "\u203a")


_CLEANER = nh3.Cleaner(
    tags=set(rawhtml.ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(names) for tag, names in rawhtml.ALLOWED_ATTRIBUTES.items()},
    generic_attribute_prefixes=set(rawhtml.ATTRIBUTE_PREFIXES),
    url_schemes=set(rawhtml.URL_SCHEMES),
    link_rel=None,
    strip_comments=True,
)
"""The allowlist sanitiser for hand-written pages, built once per process."""


def sanitize(html: str) -> str:
    return _CLEANER.clean(html)


def _require_build() -> _Build:
    if _build is None:
        raise PluginError("the evidence review was not loaded; see the errors above")
    return _build


def _is_reference_page(uri: str) -> bool:
    """Reference pages stay out of the navigation: Material renders the whole nav into every
    page, so thousands of them would make every page, and the build, many times larger."""
    return uri.startswith(f"{REFERENCES_DIR}/") and uri != REFERENCES_INDEX


def _navigation(loaded: Loaded, content: Path, config: MkDocsConfig) -> list[Any]:
    corpus = loaded.corpus
    assert corpus is not None
    prose = sorted(uri for uri in loaded.prose if uri != "index.md" and "/" not in uri)
    nav: list[Any] = []
    if (content / "index.md").is_file():
        nav.append({"Home": "index.md"})
    for kind in corpus.review.kinds:
        topics = [topic_page(t.id) for t in corpus.topics_of_kind(kind.id)]
        nav.append({kind.label: [kind_page(kind.id), *topics]})
    nav.append({"All claims": CLAIMS_PAGE})
    nav.append({"References": REFERENCES_INDEX})
    nav.append({"Methods": METHODS_PAGE})
    nav.append({"Changelog": CHANGELOG_PAGE})
    nav.extend(prose)
    return nav
