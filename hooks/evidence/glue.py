"""MkDocs glue: the only module that imports mkdocs.

Events: `on_config` loads and validates the review (fresh each build, so `mkdocs serve`
picks up every edit), logs every finding with its location and fails the build once on
errors; `on_files` hides the YAML sources and adds the generated pages as virtual files;
`on_page_markdown` turns `[@key]` markers in prose pages into numbered citation links;
`on_post_page` puts each topic page's JSON-LD into its head. Generated pages are written to a
temporary folder that MkDocs reads page by page, as it reads hand-written ones, so the whole
site's Markdown is not held in memory through the build. A rebuild in the same process parses
again only the YAML files and bibliography whose bytes changed (`parsecache`, kept in memory),
renders again only the pages, exports and JSON-LD whose inputs changed (`reuse`), and under
`mkdocs serve --dirty` MkDocs rebuilds only the generated pages whose Markdown differs from the
last build that completed. `mkdocs build`, which builds once, skips the folder: each page is
rendered when MkDocs reads it.
"""

from __future__ import annotations

import functools
import gc
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import nh3
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, InclusionLevel

from . import rawhtml
from .exports import EXPORT_SCHEMA, Site, export_files
from .findings import sort_findings
from .history import read_history
from .jsonld import page_jsonld, script_json
from .links import CHANGELOG_PAGE, CLAIMS_INDEX, METHODS_PAGE, REFERENCES_DIR, REFERENCES_INDEX, claims_page, kind_page, topic_page
from .model import Corpus, Topic
from .parsecache import ParseCache
from .render import TEMPLATES, Renderer
from .reuse import Reuse
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
    scope: tuple[str, str]
    """The configuration file and the site folder built."""
    generated: dict[str, bytes] = field(default_factory=dict)
    """The digest of each generated page's Markdown, by source path."""
    linked_data: dict[str, str] = field(default_factory=dict)
    """JSON-LD for the head of each topic page, by source path."""


_build: _Build | None = None
_one_off = False
"""True under `mkdocs build` and `gh-deploy`, which build once: pages are then rendered when
MkDocs reads them, and neither written to disk nor kept for a rebuild."""
_reuse: Reuse | None = None
"""Pages and exports of earlier builds in this process, with what each was made from."""
_folder: tempfile.TemporaryDirectory[str] | None = None
"""Where `_reuse` keeps the generated pages: held here for the life of the process."""
_built: dict[tuple[str, str], dict[str, bytes]] = {}
"""The page digests of the last build that completed, by configuration file and site folder: what a dirty build can skip."""
_parses: dict[str, Any] = {}
"""Clean parses from the last build in this process, by file: a rebuild parses again only the
files whose bytes changed (entries are keyed by path and digest, so any review may use them)."""
_collecting = False
"""The cycle collector was on when this build's `on_config` paused it, and is to be turned back on."""


class _Unchanged(File):
    """A generated page whose Markdown the last completed build already turned into HTML: a dirty build skips it."""

    def is_modified(self) -> bool:
        return False


class _Changed(File):
    """A generated page a dirty build must rebuild, whatever the times of its files say."""

    def is_modified(self) -> bool:
        return True


class _Rendered(File):
    """A generated page whose Markdown is rendered when MkDocs reads it (`render` is set in on_files)."""

    render: Callable[[], str]

    @property  # type: ignore[misc]
    def content_string(self) -> str:
        return self.render()

    @property  # type: ignore[misc]
    def content_bytes(self) -> bytes:
        return self.render().encode("utf-8")


# ---- Events --------------------------------------------------------------------------------


def on_startup(*, command: str, dirty: bool) -> None:
    global _one_off
    _one_off = command != "serve"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _build, _parses
    _pause_collection()
    if not _one_off:
        # What the last build froze, collected once now; frozen again, its cycles would outlive every rebuild.
        gc.unfreeze()
        gc.collect()
    root = Path(config.config_file_path).parent
    parses = None if _one_off else ParseCache(None, _parses)
    loaded = load_review(root, parses)
    if parses is not None:
        _parses = parses.current
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
    scope = (str(config.config_file_path), str(config.site_dir))
    _build = _Build(loaded, Renderer(loaded.corpus, site=site, history=history), scope)
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
    reuse = _reuse_in_process()
    plan = build.renderer.plan(reuse.version)
    clashes = [uri for uri, _, _ in plan if files.get_file_from_path(uri) is not None]
    if clashes:
        for uri in clashes:
            log.error(f"content/{uri}: E501 this page is generated from the review data; rename or remove the hand-written file")
        raise PluginError(f"{len(clashes)} generated page(s) clash with files in content/")
    before = _built.get(build.scope, {})
    for uri, inputs, render in plan:
        inclusion = InclusionLevel.NOT_IN_NAV if _is_reference_page(uri) else InclusionLevel.INCLUDED
        if _one_off:
            rendered = cast(_Rendered, _Rendered.generated(config, uri, content="", inclusion=inclusion))
            rendered.render = render
            files.append(rendered)
            build.generated[uri] = b""
            continue
        page = reuse.page(uri, inputs, render)
        build.generated[uri] = page.digest
        kind = _Unchanged if before.get(uri) == page.digest else _Changed
        files.append(kind.generated(config, uri, abs_src_path=str(page.path), inclusion=inclusion))
    files.append(File.generated(config, STYLESHEET, abs_src_path=str(ASSETS / "evidence.css")))
    files.append(File.generated(config, SCRIPT, abs_src_path=str(ASSETS / "evidence.js")))
    for name in (*SCHEMAS, EXPORT_SCHEMA):  # published so editors and other reviews can use the same formats
        files.append(File.generated(config, f"schema/{name}.schema.json", content=schema_text(name)))
    corpus, site = build.renderer.corpus, build.renderer.site
    exports = export_files(corpus, site, reuse.value)
    for uri, content in exports.items():
        files.append(File.generated(config, uri, content=content))
    build.linked_data = linked_data(build.renderer, reuse)
    reuse.keep()
    gc.freeze()  # the review and the configuration outlive every page: full collections need not walk them
    _resume_collection()
    return files


def on_build_error(*, error: Exception) -> None:
    _resume_collection()


def _pause_collection() -> None:
    """Reading the review and planning its pages build millions of objects and no cycles worth
    collecting; the collector is off from `on_config` until `on_files` has frozen them."""
    global _collecting
    _collecting = _collecting or gc.isenabled()
    gc.disable()


def _resume_collection() -> None:
    global _collecting
    if _collecting:
        gc.enable()
    _collecting = False


def on_post_build(*, config: MkDocsConfig) -> None:
    build = _require_build()
    _built[build.scope] = build.generated


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


def _reuse_in_process() -> Reuse:
    """One folder of generated pages per process, so a rebuild rewrites only the pages that changed."""
    global _reuse, _folder
    if _reuse is None:
        _folder = tempfile.TemporaryDirectory(prefix="evidence-pages-")  # removed when the process ends
        _reuse = Reuse(Path(_folder.name))
    return _reuse


def linked_data(renderer: Renderer, reuse: Reuse) -> dict[str, str]:
    """The JSON-LD of each topic page, by source path; made again only for topics whose inputs
    (those of the topic's page) changed."""
    corpus, site = renderer.corpus, renderer.site
    out = {}
    for topic in corpus.topics:
        inputs = (site, corpus.review, renderer.topic_inputs(topic))
        out[topic_page(topic.id)] = reuse.value(topic_page(topic.id), inputs, functools.partial(_jsonld, corpus, topic, site))
    return out


def _jsonld(corpus: Corpus, topic: Topic, site: Site) -> str:
    return script_json(page_jsonld(corpus, topic, site))


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
    nav.append({"All claims": [CLAIMS_INDEX, *({k.label: claims_page(k.id)} for k in corpus.review.kinds)]})
    nav.append({"References": REFERENCES_INDEX})
    nav.append({"Methods": METHODS_PAGE})
    nav.append({"Changelog": CHANGELOG_PAGE})
    nav.extend(prose)
    return nav
