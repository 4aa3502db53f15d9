"""Hostile files from a pull request: symlinks, huge files, hidden characters, clashing names
and raw HTML in hand-written pages each give a located finding; refused files are never read."""

from __future__ import annotations

import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from evidence import files
from evidence.files import read_text
from evidence.glue import sanitize
from evidence.load import parse_yaml
from evidence.rawhtml import check_prose_html
from evidence.sources import load_review

BASIC = Path(__file__).parent / "sites" / "basic"
SECRET = "TOP-SECRET-CONTENT"


def review(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    shutil.copytree(BASIC, root)
    return root


def findings(root: Path) -> list[str]:
    return [f.text() for f in load_review(root).findings]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.md"
    secret.write_text(f"# {SECRET}\n\n<script>alert(1)</script> [@nosuch]\n", "utf-8")
    return secret


# ---- Symlinks --------------------------------------------------------------------------------


def test_symlink_to_a_file_outside_the_review_is_refused_unread(tmp_path: Path, outside: Path) -> None:
    root = review(tmp_path)
    (root / "content" / "leak.md").symlink_to(outside)
    (root / "content" / "conditions" / "leak.yaml").symlink_to(outside)
    got = findings(root)
    assert got == [
        "content/leak.md: E112 symlink to a file outside the review is not allowed; copy the file into the review instead",
        "content/conditions/leak.yaml: E112 symlink to a file outside the review is not allowed; copy the file into the review instead",
    ]
    assert not any(SECRET in line or "nosuch" in line for line in got)


def test_symlinked_folders_loops_and_broken_links_are_refused(tmp_path: Path) -> None:
    root = review(tmp_path)
    (root / "content" / "loop").symlink_to(root / "content")
    (root / "content" / "broken.md").symlink_to(root / "content" / "missing.md")
    (root / "content" / "self.md").symlink_to(root / "content" / "self.md")
    assert findings(root) == [
        "content/loop: E112 symlinked folder is not allowed (it can loop or leave the review); copy the files instead",
        "content/broken.md: E112 broken or looping symlink; replace it with the file itself",
        "content/self.md: E112 broken or looping symlink; replace it with the file itself",
    ]


def test_symlink_to_a_file_inside_the_review_is_read(tmp_path: Path) -> None:
    root = review(tmp_path)
    (root / "notes.md").write_text("# Notes\n\nSee [@doe2020trial].\n", "utf-8")
    (root / "content" / "notes.md").symlink_to(root / "notes.md")
    loaded = load_review(root)
    assert not loaded.errors
    assert "notes.md" in loaded.prose


@pytest.mark.parametrize("name", ["claims.yaml", "references.bib"])
def test_top_level_sources_may_not_link_outside(tmp_path: Path, outside: Path, name: str) -> None:
    root = review(tmp_path)
    (root / name).unlink()
    (root / name).symlink_to(outside)
    assert findings(root) == [f"{name}: E112 symlink to a file outside the review is not allowed; copy the file into the review instead"]


def test_content_folder_linking_outside_is_refused(tmp_path: Path) -> None:
    root = review(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    shutil.move(root / "content", elsewhere)
    (root / "content").symlink_to(elsewhere)
    assert findings(root)[0] == "content: E112 content/ is a link to a folder outside the review; make it a real folder"


# ---- Size and characters -------------------------------------------------------------------


def test_huge_file_is_refused_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1024 * 1024)
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(3 * 1024 * 1024)  # sparse: nothing is written, so only the size can refuse it
    assert [f.text() for f in read_text(big, "content/x/big.yaml")[1]] == [
        "content/x/big.yaml: E109 file is 3.0 MB; the limit is 1 MB: split it into several files"
    ]


HIDDEN = [
    ("bidi override", "a: x\u202ey\n", "f.yaml:1:5: E111 U+202E (RIGHT-TO-LEFT OVERRIDE) is not allowed"),
    ("zero width space", "a: b\nc: d\u200b\n", "f.yaml:2:5: E111 U+200B (ZERO WIDTH SPACE) is not allowed"),
    ("bell", "a: \x07\n", "f.yaml:1:4: E111 U+0007 (control character) is not allowed"),
    ("delete", "a: b\x7f\n", "f.yaml:1:5: E111 U+007F (control character) is not allowed"),
    ("C1 control", "a: \x85\n", "f.yaml:1:4: E111 U+0085 (control character) is not allowed"),
    ("private use", "a: \ue000\n", "f.yaml:1:4: E111 U+E000 (private-use character) is not allowed"),
    ("tag character", "a: \U000e0041\n", "f.yaml:1:4: E111 U+E0041 (TAG LATIN CAPITAL LETTER A) is not allowed"),
    ("soft hyphen", "a: co\u00adop\n", "f.yaml:1:6: E111 U+00AD (SOFT HYPHEN) is not allowed"),
    ("isolate", "a: \u2067x\n", "f.yaml:1:4: E111 U+2067 (RIGHT-TO-LEFT ISOLATE) is not allowed"),
]


@pytest.mark.parametrize(("text", "expected"), [h[1:] for h in HIDDEN], ids=[h[0] for h in HIDDEN])
def test_hidden_characters_are_located(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text, "utf-8")
    got, problems = read_text(path, "f.yaml")
    assert got == text, "the text is still returned so the rest of the file is checked"
    assert len(problems) == 1
    assert problems[0].text().startswith(expected)


def test_every_ascii_character_is_judged_as_the_full_scan_judges_it() -> None:
    """Files of printable ASCII skip the scan; any other ASCII character must still be reported."""
    for code in range(128):
        text = f"a: b{chr(code)}c\n"
        assert files.decode(text.encode("utf-8"), "f.yaml") == (text, files.hidden_characters(text, "f.yaml")), code


def test_many_hidden_characters_are_counted_not_listed(tmp_path: Path) -> None:
    path = tmp_path / "f.md"
    path.write_text("x\u200b" * 25, "utf-8")
    problems = [p.text() for p in read_text(path, "f.md")[1]]
    assert len(problems) == 11
    assert problems[-1] == "f.md: E111 15 more hidden characters in this file"


def test_escaped_hidden_characters_in_double_quotes_are_reported() -> None:
    _, problems = parse_yaml('a: "safe \\u202e text"\n', "f.yaml")
    assert [p.text() for p in problems] == [
        "f.yaml:1:4: E111 escaped U+202E (RIGHT-TO-LEFT OVERRIDE) is not allowed: it is invisible or can reorder text"
    ]


def test_lone_surrogates_never_get_in() -> None:
    _, problems = parse_yaml('a: "\\ud800"\n', "f.yaml")
    assert [p.code for p in problems] == ["E101"]


def test_encoded_surrogate_bytes_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "f.bib"
    path.write_bytes(b"@misc{a,\n title = {x\xed\xa0\x80}}\n")
    assert [p.text() for p in read_text(path, "f.bib")[1]] == ["f.bib:2:12: E107 file is not valid UTF-8 (byte 0xed); save it as UTF-8"]


def test_hidden_character_in_the_real_pipeline_fails_the_check(tmp_path: Path) -> None:
    root = review(tmp_path)
    topic = root / "content" / "conditions" / "example-disease.yaml"
    topic.write_text(topic.read_text("utf-8").replace("title: Example disease", "title: Example\u202e disease"), "utf-8")
    assert any(" E111 U+202E " in line for line in findings(root))


# ---- Names that clash --------------------------------------------------------------------------


def test_same_topic_in_yaml_and_yml_is_refused(tmp_path: Path) -> None:
    root = review(tmp_path)
    source = root / "content" / "conditions" / "example-disease.yaml"
    shutil.copy(source, source.with_suffix(".yml"))
    got = findings(root)
    assert (
        "content/conditions/example-disease.yml:1:1: E401 this file names the same topic as content/conditions/example-disease.yaml "
        "(file names must differ in more than case or extension); merge them"
    ) in got


def test_pages_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    root = review(tmp_path)
    (root / "content" / "About.md").write_text("# About\n", "utf-8")
    (root / "content" / "about.md").write_text("# about\n", "utf-8")
    if len(os.listdir(root / "content")) < 5:
        pytest.skip("case-insensitive file system")
    assert (
        "content/about.md:1:1: E401 this page has the same address as content/About.md when case and Unicode forms are ignored; rename one"
        in findings(root)
    )


def test_pages_differing_only_in_unicode_form_are_refused(tmp_path: Path) -> None:
    root = review(tmp_path)
    (root / "content" / "caf\u00e9.md").write_text("# Cafe\n", "utf-8")  # precomposed e-acute
    (root / "content" / "cafe\u0301.md").write_text("# Cafe\n", "utf-8")  # e + combining accent
    if len(list((root / "content").glob("caf*.md"))) < 2:
        pytest.skip("the file system normalises names")
    assert any(" E401 this page has the same address as " in line for line in findings(root))


# ---- Raw HTML in hand-written pages --------------------------------------------------------------

PROSE = [
    ("script", "Hi <script>alert(1)</script>\n", ["p.md:1:4: E414 raw HTML <script> is not allowed in pages"]),
    ("iframe", "<iframe src=https://x.org></iframe>\n", ["p.md:1:1: E414 raw HTML <iframe> is not allowed in pages"]),
    ("style tag", "<style>body{display:none}</style>\n", ["p.md:1:1: E414 raw HTML <style> is not allowed in pages"]),
    ("svg", "<svg onload=alert(1)>\n", ["p.md:1:1: E414 raw HTML <svg> is not allowed in pages"]),
    ("handler", '<img src="a.png" onerror="alert(1)">\n', ["p.md:1:1: E414 event handler 'onerror' is not allowed in pages"]),
    ("style attr", '<span style="position:fixed">x</span>\n', ["p.md:1:1: E414 attribute 'style' is not allowed in pages"]),
    ("js link", '<a href="javascript:alert(1)">x</a>\n', ["p.md:1:1: E412 link 'javascript:alert(1)' is not allowed"]),
    ("data link", "<a href='data:text/html,x'>x</a>\n", ["p.md:1:1: E412 link 'data:text/html,x' is not allowed"]),
    ("attr list", 'Para\n{ onclick="alert(1)" }\n', ["p.md:2:1: E414 event handler 'onclick' is not allowed in pages"]),
    ("closing only", "x </textarea> y\n", ["p.md:1:3: E414 raw HTML <textarea> is not allowed in pages"]),
    ("doctype", "<!DOCTYPE html>\n", ["p.md:1:1: E414 raw HTML declarations are not allowed in pages"]),
    ("second line", "ok\n\ntext <object data=x>\n", ["p.md:3:6: E414 raw HTML <object> is not allowed in pages"]),
    ("allowed", '<div class="note" markdown>\n*x* <sup>2</sup> <abbr title="y">Y</abbr>\n</div>\n', []),
    ("attr list ok", "## Heading { #top .wide }\n", []),
    ("looks like markup", "p < 0.05, a<b, {{ 7*7 }}\n\n3 > 2\n", []),
    ("reads as a tag", "if a<b, c and d>e\n", ["p.md:1:5: E414 '<b, c and d>' will be read as an HTML tag; write '&lt;' for '<'"]),
    ("code span", "Write `<script>` in code.\n", []),
    ("fence", "```html\n<script>alert(1)</script>\n```\n", []),
    ("comment", "<!-- a note for editors -->\n", []),
]


@pytest.mark.parametrize(("text", "expected"), [p[1:] for p in PROSE], ids=[p[0] for p in PROSE])
def test_raw_html_in_pages(text: str, expected: list[str]) -> None:
    got = [f.text() for f in check_prose_html(text, "p.md")]
    assert len(got) == len(expected), got
    for line, prefix in zip(got, expected, strict=True):
        assert line.startswith(prefix)


def test_raw_html_fails_the_check_of_a_review(tmp_path: Path) -> None:
    root = review(tmp_path)
    (root / "content" / "about.md").write_text("# About\n\n<script>alert(1)</script>\n", "utf-8")
    assert "content/about.md:3:1: E414 raw HTML <script> is not allowed in pages; use Markdown" in findings(root)[0]


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "iframe", "object", "embed", "svg", "math", "form", "base", "meta", "link"):
            self.bad.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name == "style" or name in ("srcdoc", "formaction"):
                self.bad.append(f"{tag}[{name}]")
            relative = (
                not value
                or value.strip().lower().startswith(("http:", "https:", "mailto:", "#", "/", "."))
                or ":" not in value.split("/")[0]
            )
            if name in ("href", "src") and not relative:
                self.bad.append(f"{tag}[{name}={value}]")


SANITIZE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<div style="position:fixed;inset:0">x</div>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<form action="https://x.org"><button formaction="javascript:alert(1)">x</button></form>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
]


@pytest.mark.parametrize("html", SANITIZE)
def test_sanitizer_leaves_nothing_live(html: str) -> None:
    audit = _Audit()
    audit.feed(sanitize(html))
    assert audit.bad == []


def test_sanitizer_keeps_what_markdown_and_the_theme_produce() -> None:
    html = (
        '<h2 id="why">Why<a class="headerlink" href="#why" title="Permanent link">\u00b6</a></h2>\n'
        '<div class="admonition warning"><p class="admonition-title">Not advice</p><p>Text</p></div>\n'
        '<p>See <a class="ev-cite" href="../references/x/" title="Smith 2011 · randomised trial">[1]</a>.</p>\n'
        '<table>\n<thead>\n<tr>\n<th align="left">A</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n</table>\n'
        '<p><img alt="Map" src="img/map.png"> <a href="https://doi.org/10.1/x">DOI</a> <span aria-label="x">y</span></p>'
    )
    assert sanitize(html) == html


TITLES = [
    ("Sleep &amp; dreams", "Sleep &amp; dreams"),
    ("Safe &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;", "Safe \u2039/title\u203a\u2039script\u203aalert(1)\u2039/script\u203a"),
    ("Twice &amp;lt;b&amp;gt; &amp; more", "Twice \u2039b\u203a &amp; more"),
]


@pytest.mark.parametrize(("title", "expected"), TITLES)
def test_page_titles_cannot_open_tags_in_the_head(title: str, expected: str) -> None:
    """Material prints titles through `striptags`, which unescapes entities once."""
    from markupsafe import Markup

    from evidence.glue import safe_title

    safe = safe_title(title)
    assert safe == expected
    assert "<" not in Markup(safe).striptags()


@pytest.mark.parametrize(
    "text",
    ["# Safe &lt;/title&gt;&lt;script&gt;\n", "Safe &lt;script&gt;\n====\n", "---\ntitle: A &lt;b&gt;\n---\n"],
    ids=["atx", "setext", "front matter"],
)
def test_titles_that_would_open_tags_are_reported(text: str) -> None:
    got = [f.text() for f in check_prose_html(text, "p.md")]
    assert len(got) == 1
    assert got[0].startswith("p.md:")
    assert "E414 a page title may not contain '<' or '>'" in got[0]
