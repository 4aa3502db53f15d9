"""A tiny SVG builder for plots inlined in generated pages, where no value is ever trusted.

Plots show contributor text (study labels, titles), so every text node and attribute value is
escaped, control characters are dropped, whitespace is folded (the output is a single line, so
Markdown keeps it as one raw HTML block), tag and attribute names are checked, event-handler
attributes and script-capable elements are refused, and links must be relative or http(s).
Numbers are formatted deterministically so builds are byte-identical. Pure; imports nothing of ours.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

Value = str | int | float | None

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]*\Z")
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_DROP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")
_WS = re.compile(r"\s+")
_SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.-]*):")
_REFUSED_TAGS = frozenset({"script", "foreignobject", "iframe", "object", "embed", "style", "animate", "set", "handler"})
_URL_ATTRS = frozenset({"href", "xlink:href", "src"})
_ATTR_ESCAPES = {'"': "&quot;", "'": "&#39;", "\n": " ", "\t": " "}


def escape(data: str, entities: dict[str, str] | None = None) -> str:
    """`xml.sax.saxutils.escape`, without the import of urllib that module brings."""
    data = data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for key, value in (entities or {}).items():
        data = data.replace(key, value)
    return data


def num(value: float) -> str:
    """A coordinate as the same short text on every machine: at most 2 decimals, no "-0"."""
    if isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    out = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if out in ("-0", "") else out


def clean(value: object) -> str:
    """Contributor text as one line, without control or invisible direction characters."""
    return _WS.sub(" ", _DROP.sub("", str(value))).strip()


@dataclass(frozen=True, slots=True)
class Text:
    """A text node; rendered escaped."""

    value: str

    def render(self) -> str:
        return escape(clean(self.value))


@dataclass(frozen=True, slots=True)
class Element:
    tag: str
    attrs: tuple[tuple[str, str], ...] = ()
    children: tuple[Node, ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.match(self.tag) or self.tag.lower() in _REFUSED_TAGS:
            raise ValueError(f"tag not allowed in a plot: {self.tag!r}")
        for name, value in self.attrs:
            if not _NAME.match(name) or name.lower().startswith("on"):
                raise ValueError(f"attribute not allowed in a plot: {name!r}")
            match = _SCHEME.match(value) if name.lower() in _URL_ATTRS else None
            if match and match.group(1).lower() not in ("http", "https"):
                raise ValueError(f"link not allowed in a plot: {value!r}")

    def render(self) -> str:
        attrs = "".join(f' {name}="{escape(value, _ATTR_ESCAPES)}"' for name, value in self.attrs)
        inner = "".join(child.render() for child in self.children)
        return f"<{self.tag}{attrs}>{inner}</{self.tag}>"


Node = Element | Text


def element(tag: str, attrs: Mapping[str, Value] | None = None, *children: Node | str) -> Element:
    """`<tag attrs>children</tag>`; None attributes are left out, strings become text nodes."""
    pairs = tuple((name, num(v) if isinstance(v, (int, float)) else clean(v)) for name, v in (attrs or {}).items() if v is not None)
    return Element(tag, pairs, tuple(Text(c) if isinstance(c, str) else c for c in children))


def text(x: float, y: float, content: str, attrs: Mapping[str, Value] | None = None) -> Element:
    """An SVG `<text>` at (x, y) showing `content` escaped."""
    return element("text", {"x": x, "y": y, **(attrs or {})}, content)


@dataclass(frozen=True, slots=True)
class Svg:
    """A whole plot: `<svg role="img">` named by its `<title>` and described by its `<desc>`.

    `id` must be unique on the page; the title and description get `{id}-title`/`{id}-desc`.
    The drawing scales with its container (viewBox, width 100%) and keeps its aspect ratio.
    A plot whose marks are links takes `role="group"`: an image's content is presentational,
    so links inside it would be hidden from assistive technology yet still reachable.
    """

    id: str
    width: float
    height: float
    title: str
    desc: str = ""
    children: tuple[Node, ...] = ()
    css_class: str | None = None
    role: str = "img"

    def render(self) -> str:
        if not _ID.match(self.id):
            raise ValueError(f"not a usable id: {self.id!r}")
        labelled = f"{self.id}-title"
        head: list[Node] = [element("title", {"id": labelled}, self.title)]
        described = None
        if self.desc:
            described = f"{self.id}-desc"
            head.append(element("desc", {"id": described}, self.desc))
        root = element(
            "svg",
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "id": self.id,
                "class": self.css_class,
                "viewBox": f"0 0 {num(self.width)} {num(self.height)}",
                "width": "100%",
                "role": self.role,
                "aria-labelledby": labelled,
                "aria-describedby": described,
            },
            *head,
            *self.children,
        )
        return root.render()
