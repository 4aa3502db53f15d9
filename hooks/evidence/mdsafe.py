"""What contributor text may do once it is inside a generated Markdown page.

Contributor text (YAML fields, BibTeX fields) is data. Plain text (`text`) is escaped so no
character has a Markdown or HTML meaning. Prose fields (`inline`, `blocks`) keep emphasis,
code spans and http(s) links, and nothing else: HTML, attribute lists, images, block markup
and other link schemes are shown as written, never interpreted. `Md` marks strings that are
already safe, so templates escape everything else by default. Pure; imports nothing of ours.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

from markupsafe import Markup

_TEXT_ESCAPES = {c: f"&#{ord(c)};" for c in "\\`*_{}[]<>#!|&~^$"}
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
_TEXT_RE = re.compile("[" + re.escape("".join(_TEXT_ESCAPES)) + "]")
_HTML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "{": "&#123;", "}": "&#125;", "|": "&#124;", "$": "&#36;"}
_HTML_RE = re.compile("[&<>{}|$]")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)")
_SAFE_URL = re.compile(r"https?://[^\s\"'<>()\\]+\Z")
# Block markup that would take effect at the start of a paragraph: headings, quotes, list items,
# fenced code and link reference definitions. Only the marker's last character is escaped.
_BLOCK_START = re.compile(r"^(?:(#{1,6}|>|[-+*]|\d{1,9}[.)])(?=\s|$)|(`{3,}|~{3,})|(\[[^\]]*\]):)")
_WS = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


class Md(Markup):
    """A string that is already valid, safe Markdown; templates emit it unchanged, while
    everything else goes through the renderer's Markdown escaping."""

    __slots__ = ()


def text(value: object) -> Md:
    """Plain text shown exactly as written: every meaningful character becomes an entity."""
    flat = _WS.sub(" ", _CONTROL.sub("", str(value))).strip()
    return Md(_guard_block_start(_TEXT_RE.sub(lambda m: _TEXT_ESCAPES[m.group(0)], flat)))


def slug(value: object) -> Md:
    """An id already checked to be a slug, usable in anchors and class names as it is."""
    value = str(value)
    return Md(value) if _SLUG.match(value) else Md(f"invalid-{zlib.crc32(value.encode()):08x}")


def attr(value: object) -> Md:
    """Text for a Markdown link title: one line, no quotes that could end the title, and no `|`
    that would end the table cell the link is in.

    `&` is escaped too: the theme's tooltips insert a title as HTML, so an entity such as
    `&lt;` written in contributor text must not reach the page as a real `<`."""
    flat = _WS.sub(" ", _CONTROL.sub("", str(value))).strip()
    flat = flat.replace("&", "&amp;").replace("\\", "/").replace('"', "'")
    return Md(flat.replace("<", "‹").replace(">", "›").replace("{", "(").replace("}", ")").replace("|", "¦"))


def inline(value: object) -> Md:
    """One paragraph of contributor Markdown: emphasis, code and http(s) links survive."""
    flat = _WS.sub(" ", _CONTROL.sub("", str(value))).strip()
    return Md(_guard_block_start("".join(_escape_outside_code(flat))))


def blocks(value: object) -> Md:
    """Several paragraphs separated by blank lines, each treated like `inline`."""
    paragraphs = [p for p in re.split(r"\n\s*\n", str(value)) if p.strip()]
    return Md("\n\n".join(inline(p) for p in paragraphs))


def unsafe_links(value: str) -> list[str]:
    """Link targets in contributor Markdown that are not plain http(s) addresses."""
    if "]" not in value or "(" not in value:  # most text: no link can be found
        return []
    plain = _CODE_SPAN.sub("", value)
    return [t for t in _LINK_TARGET.findall(plain) if not _SAFE_URL.match(t)]


def _guard_block_start(value: str) -> str:
    """Escape the last character of a block marker at the very start, so it stays text."""
    match = _BLOCK_START.match(value)
    if match is None:
        return value
    end = next(match.end(i) for i in (1, 2, 3) if match.group(i))
    return value[: end - 1] + "\\" + value[end - 1 :]


def _escape_outside_code(value: str) -> Iterator[str]:
    pos = 0
    for match in _CODE_SPAN.finditer(value):
        yield _escape_prose(value[pos : match.start()])
        yield match.group(0)
        pos = match.end()
    yield _escape_prose(value[pos:])


def _escape_prose(value: str) -> str:
    out = _HTML_RE.sub(lambda m: _HTML_ESCAPES[m.group(0)], value)
    out = out.replace("![", "&#33;[")
    return _LINK_TARGET.sub(_guard_link, out)


def _guard_link(match: re.Match[str]) -> str:
    target = match.group(1)
    if _SAFE_URL.match(target.replace("&amp;", "&")):
        return match.group(0)
    return "]&#40;" + match.group(0)[2:]
