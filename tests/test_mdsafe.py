"""evidence.mdsafe: contributor text in generated Markdown is shown, never interpreted."""

from __future__ import annotations

import markdown
import pytest

from evidence import mdsafe
from evidence.mdsafe import Md

EXTENSIONS = ["attr_list", "md_in_html", "tables", "admonition"]  # as in the site's mkdocs.yml
HOSTILE = "\x00\u202e\u200b\x7f\u2066\ufeff\x1b"


def html(value: str) -> str:
    return markdown.markdown(value, extensions=EXTENSIONS)


TEXT = [
    ("script", "<script>alert(1)</script>", "&#60;script&#62;alert(1)&#60;/script&#62;"),
    ("p value", "p < 0.05 & q > 1", "p &#60; 0.05 &#38; q &#62; 1"),
    ("emphasis and code", "*a* _b_ `c`", "&#42;a&#42; &#95;b&#95; &#96;c&#96;"),
    ("heading", "# heading", "&#35; heading"),
    ("attribute list", "{: onclick=x}", "&#123;: onclick=x&#125;"),
    ("javascript link", "[x](javascript:alert(1))", "&#91;x&#93;(javascript:alert(1))"),
    ("image", "![img](https://x)", "&#33;&#91;img&#93;(https://x)"),
    ("math and table", "$x$ | y ~ z ^ w", "&#36;x&#36; &#124; y &#126; z &#94; w"),
    ("backslash", "a\\b", "a&#92;b"),
    ("control and bidi", f"a{HOSTILE}b", "ab"),
    ("whitespace", "  line1\n\tline2  ", "line1 line2"),
    ("number", 12, "12"),
]


@pytest.mark.parametrize(("value", "expected"), [t[1:] for t in TEXT], ids=[t[0] for t in TEXT])
def test_text(value: object, expected: str) -> None:
    out = mdsafe.text(value)
    assert isinstance(out, Md)
    assert str(out) == expected


INLINE = [
    ("script", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("html attribute", "<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("p value", "p < 0.05", "p &lt; 0.05"),
    ("ampersand", "A & B", "A &amp; B"),
    ("emphasis kept", "a *b* _c_ __d__", "a *b* _c_ __d__"),
    ("attribute list", "{: onclick=x}", "&#123;: onclick=x&#125;"),
    ("trailing attribute list", 'Text {: .cls onclick="x"}', 'Text &#123;: .cls onclick="x"&#125;'),
    ("math and table", "$x$ | y", "&#36;x&#36; &#124; y"),
    ("javascript link", "See [x](javascript:alert(1))", "See [x]&#40;javascript:alert(1))"),
    ("javascript link at start", "[x](javascript:alert(1))", "[x]&#40;javascript:alert(1))"),
    ("angle-bracket target", "See [x](<javascript:alert(1)>)", "See [x]&#40;&lt;javascript:alert(1)&gt;)"),
    ("spaced target", "See [x]( javascript:alert(1))", "See [x]&#40; javascript:alert(1))"),
    ("mailto link", "See [x](mailto:a@b)", "See [x]&#40;mailto:a@b)"),
    ("fragment link", "See [x](#frag)", "See [x]&#40;#frag)"),
    ("quote in target", 'See [x](https://e.org"onclick="x)', 'See [x]&#40;https://e.org"onclick="x)'),
    ("image", "See ![img](https://x)", "See &#33;[img](https://x)"),
    ("image at start", "![img](https://x)", "&#33;[img](https://x)"),
    ("https link kept", "See [ok](https://example.org/a?b=1&c=2)", "See [ok](https://example.org/a?b=1&amp;c=2)"),
    ("http link kept", "See [ok](http://e.org) now", "See [ok](http://e.org) now"),
    ("code spans verbatim", "Code `<b>` and `[x](javascript:1)`", "Code `<b>` and `[x](javascript:1)`"),
    ("double-backtick span", "``a ` <b>``", "``a ` <b>``"),
    ("heading", "# heading", "\\# heading"),
    ("dash list", "- item", "\\- item"),
    ("plus list", "+ item", "\\+ item"),
    ("star list", "* item", "\\* item"),
    ("quote", "> quote", "&gt; quote"),
    ("setext underline cannot form on one line", "=== x", "=== x"),
    ("reference definition", "[link]: https://x", "[link\\]: https://x"),
    ("table row", "| a | b |", "&#124; a &#124; b &#124;"),
    ("control and bidi", f"a{HOSTILE}b", "ab"),
    ("newlines flattened", "line1\nline2\n\n# not a heading", "line1 line2 # not a heading"),
]


@pytest.mark.parametrize(("value", "expected"), [t[1:] for t in INLINE], ids=[t[0] for t in INLINE])
def test_inline(value: str, expected: str) -> None:
    out = mdsafe.inline(value)
    assert isinstance(out, Md)
    assert str(out) == expected


RENDERED = [
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ("p < 0.05", "<p>p &lt; 0.05</p>"),
    ("{: onclick=x}", "<p>&#123;: onclick=x&#125;</p>"),
    ("See [x](javascript:alert(1))", "<p>See [x]&#40;javascript:alert(1))</p>"),
    ("See ![img](https://x)", '<p>See &#33;<a href="https://x">img</a></p>'),
    ("See [ok](https://e.org/a?b=1&c=2)", '<p>See <a href="https://e.org/a?b=1&amp;c=2">ok</a></p>'),
    ("a *b* `<i>`", "<p>a <em>b</em> <code>&lt;i&gt;</code></p>"),
    ("# heading", "<p># heading</p>"),
    ("- item", "<p>- item</p>"),
    ("> quote", "<p>&gt; quote</p>"),
]


@pytest.mark.parametrize(("value", "expected"), RENDERED)
def test_inline_renders_as_shown(value: str, expected: str) -> None:
    assert html(str(mdsafe.inline(value))) == expected


def test_blocks_keeps_paragraphs_and_escapes_each() -> None:
    value = "para one\n\n\n# two\n  \n- three\nstill three"
    assert str(mdsafe.blocks(value)) == "para one\n\n\\# two\n\n\\- three still three"
    assert html(str(mdsafe.blocks(value))) == "<p>para one</p>\n<p># two</p>\n<p>- three still three</p>"
    assert str(mdsafe.blocks("\n \n")) == ""


ATTR = [
    ("quotes", 'Say "hi"', "Say 'hi'"),
    ("angle brackets", "<b>x</b>", "‹b›x‹/b›"),
    ("braces", "{: onclick=x}", "(: onclick=x)"),
    ("backslash", "a\\b", "a/b"),
    ("pipe ends no table cell", "a | b", "a ¦ b"),
    ("one line", " line1\n  line2 ", "line1 line2"),
    ("control and bidi", f"a{HOSTILE}b", "ab"),
    ("entities stay text", "&lt;img src=x&gt; & co", "&amp;lt;img src=x&amp;gt; &amp; co"),
]


@pytest.mark.parametrize(("value", "expected"), [t[1:] for t in ATTR], ids=[t[0] for t in ATTR])
def test_attr(value: str, expected: str) -> None:
    assert str(mdsafe.attr(value)) == expected


UNSAFE = [
    ("javascript", "a [x](javascript:alert(1)) b", ["javascript:alert(1"]),
    ("https ok", "[y](https://ok.org/a) and [z](http://ok.org)", []),
    ("inside code", "`[z](ftp://x)`", []),
    ("angle brackets", "[w](<data:text/html,x>)", ["data:text/html,x"]),
    ("relative and fragment", "[v]( /rel) [u](#frag)", ["/rel", "#frag"]),
    ("scheme case", "[t](HTTPS://x.org)", ["HTTPS://x.org"]),
    ("no links", "plain text (with brackets) [and more]", []),
]


@pytest.mark.parametrize(("value", "expected"), [t[1:] for t in UNSAFE], ids=[t[0] for t in UNSAFE])
def test_unsafe_links(value: str, expected: list[str]) -> None:
    assert mdsafe.unsafe_links(value) == expected


def test_slug() -> None:
    assert str(mdsafe.slug("ok-slug-2")) == "ok-slug-2"
    assert str(mdsafe.slug("Bad Slug")) == "invalid-6814d4a0"
    assert mdsafe.slug("x<y") != mdsafe.slug("x>y")


@pytest.mark.parametrize(("value", "expected"), [("1. first", "1\\. first"), ("10) tenth", "10\\) tenth")])
def test_inline_ordered_list_start(value: str, expected: str) -> None:
    assert str(mdsafe.inline(value)) == expected
    assert html(expected) == f"<p>{value}</p>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("[ok](https://e.org) first", '<p><a href="https://e.org">ok</a> first</p>'), ("*Note*: x", "<p><em>Note</em>: x</p>")],
    ids=["link", "emphasis"],
)
def test_inline_keeps_link_or_emphasis_at_start(value: str, expected: str) -> None:
    assert html(str(mdsafe.inline(value))) == expected


@pytest.mark.parametrize("value", ["- none reported", "+ none", "1. nausea"])
def test_text_at_line_start_is_not_a_list(value: str) -> None:
    assert html(str(mdsafe.text(value))) == f"<p>{value}</p>"
