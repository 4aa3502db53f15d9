"""Which raw HTML a hand-written page (content/**/*.md) may contain.

Python-Markdown passes raw HTML, `{ onclick=... }` attribute lists and `javascript:` links
straight through, so a page from a pull request could run script on the published site.
`check_prose_html` reports each such construct at its line and column (`evidence check`);
the build also runs every hand-written page's HTML through an allowlist sanitiser with the
tables below, so whatever this scan might miss still cannot reach a reader.
"""

from __future__ import annotations

import html
import re

from .citations import prose_lines
from .findings import Finding, Location, error

ALLOWED_TAGS = frozenset(
    {
        *("a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "div", "dl", "dt"),
        *("em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li"),
        *("mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table"),
        *("tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"),
    }
)
"""Tags Markdown itself produces, plus a few harmless inline ones authors reach for."""

ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"class", "id", "title", "lang", "role"}),
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "td": frozenset({"colspan", "rowspan", "align"}),
    "th": frozenset({"colspan", "rowspan", "align", "scope"}),
    "ol": frozenset({"start"}),
    "details": frozenset({"open"}),
}
ATTRIBUTE_PREFIXES = frozenset({"aria-"})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
MARKDOWN_ATTRIBUTE = "markdown"
"""md_in_html's switch; it never reaches the output."""

_TAG = re.compile(r"<(/?)([A-Za-z][^<>@\s/]*)((?:\s[^<>]*)?)/?>")  # what Python-Markdown reads as inline HTML
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_OTHER = re.compile(r"<(\?|!(?!--))")  # processing instructions, <!DOCTYPE ...>, <![CDATA[ ...
_ATTR = re.compile(r"([^\s\"'>/=]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_ATTR_LIST = re.compile(r"\{:?([^{}\n]*)\}")
_TITLE = re.compile(r"(?:#[ \t]+|title:\s*)(.*)")  # an H1 or a front-matter title: MkDocs takes the title from them
_SETEXT = re.compile(r"=+[ \t]*$")
_TITLE_HINT = "a page title may not contain '<' or '>' (nor &lt; or &gt;): the theme copies it into the page head; use words"
_SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.-]*):")


def check_prose_html(text: str, shown: str) -> list[Finding]:
    """E414 for raw HTML outside the allowlist, event handlers, styles and unsafe URLs."""
    findings: list[Finding] = []
    previous = ""
    reported: set[str] = set()
    for lineno, _offset, _line, masked in prose_lines(text):
        line, previous = previous, masked
        if _SETEXT.match(masked) and re.search("[<>]", html.unescape(line)):
            findings.append(error("E414", Location(shown, lineno - 1, 1), _TITLE_HINT))
        if (title := _TITLE.match(masked)) and re.search("[<>]", html.unescape(title.group(1))):
            findings.append(error("E414", Location(shown, lineno, 1), _TITLE_HINT))
        if "<" not in masked and "{" not in masked:
            continue
        for match in _OTHER.finditer(masked):
            findings.append(
                error("E414", Location(shown, lineno, match.start() + 1), "raw HTML declarations are not allowed in pages; remove it")
            )
        for match in _TAG.finditer(masked):
            where = Location(shown, lineno, match.start() + 1)
            tag = match.group(2).lower()
            if match.group(1) and (tag in ALLOWED_TAGS or tag in reported):
                continue  # closing tags are fine, or their opening tag was reported
            reported.add(tag)
            if not _NAME.fullmatch(match.group(2)):
                found = match.group(0)[:20]
                findings.append(error("E414", where, f"'{found}' will be read as an HTML tag; write '&lt;' for '<' or put it in `code`"))
                continue
            if tag not in ALLOWED_TAGS:
                findings.append(error("E414", where, f"raw HTML <{tag}> is not allowed in pages; use Markdown (or one of: {_tag_hint()})"))
                continue
            findings.extend(_attributes(tag, match.group(3), where))
        for match in _ATTR_LIST.finditer(masked):
            where = Location(shown, lineno, match.start() + 1)
            findings.extend(_attributes("*", match.group(1), where, attr_list=True))
    return findings


def attribute_allowed(tag: str, name: str) -> bool:
    name = name.lower()
    return (
        name in ALLOWED_ATTRIBUTES["*"]
        or name in ALLOWED_ATTRIBUTES.get(tag, frozenset())
        or any(name.startswith(p) for p in ATTRIBUTE_PREFIXES)
    )


def _attributes(tag: str, source: str, where: Location, *, attr_list: bool = False) -> list[Finding]:
    findings: list[Finding] = []
    for match in _ATTR.finditer(source):
        name, value = match.group(1), (match.group(2) or "").strip("\"'")
        if attr_list and "=" not in match.group(0):
            continue  # `{ .class }`, `{ #id }` and bare words are attr_list shorthands
        if name.lower() == MARKDOWN_ATTRIBUTE and not attr_list:
            continue
        if name.lower() in ("href", "src") and (scheme := _SCHEME.match(value)) and scheme.group(1).lower() not in URL_SCHEMES:
            findings.append(error("E412", where, f"link '{value[:60]}' is not allowed: only http(s), mailto and relative links"))
        elif not (attribute_allowed(tag, name) or (attr_list and name.lower() in ("href", "src"))):
            kind = "event handler" if name.lower().startswith("on") else "attribute"
            findings.append(
                error("E414", where, f"{kind} '{name}' is not allowed in pages; remove it (styles and scripts live in the theme)")
            )
    return findings


def _tag_hint() -> str:
    return ", ".join(sorted(("br", "sup", "sub", "abbr", "kbd", "details", "summary", "div", "span")))
