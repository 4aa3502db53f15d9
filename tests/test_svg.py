"""The SVG builder escapes every value, refuses script-capable markup and formats numbers stably."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from evidence import svg

HOSTILE = "<script>alert(1)</script> & \"quoted\" 'single' \x00\u202e{{ 7*7 }}\n\n# heading"


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def parse(markup: str) -> _Collect:
    parser = _Collect()
    parser.feed(markup)
    parser.close()
    return parser


def test_hostile_text_and_attributes_stay_text() -> None:
    doc = svg.Svg(
        "plot-1",
        200,
        100,
        title=HOSTILE,
        desc=HOSTILE,
        children=(svg.text(1, 2, HOSTILE, {"class": HOSTILE, "data-label": HOSTILE}),),
    ).render()
    parsed = parse(doc)
    assert parsed.tags == ["svg", "title", "desc", "text"]
    assert "<script" not in doc and "\x00" not in doc and "\u202e" not in doc
    assert "\n" not in doc, "one line, so Markdown keeps it as one raw HTML block"
    expected = "<script>alert(1)</script> & \"quoted\" 'single' {{ 7*7 }} # heading"
    assert parsed.data == [expected] * 3
    assert dict(parsed.attrs)["data-label"] == expected


def test_svg_is_an_image_named_by_its_title_and_description() -> None:
    doc = svg.Svg("t", 10, 5, title="Title", desc="Desc").render()
    attrs = dict(parse(doc).attrs)
    assert attrs["role"] == "img"
    assert attrs["aria-labelledby"] == "t-title"
    assert attrs["aria-describedby"] == "t-desc"
    assert attrs["viewbox"] == "0 0 10 5"  # HTMLParser lowers names
    assert '<title id="t-title">Title</title><desc id="t-desc">Desc</desc>' in doc


def test_a_plot_of_links_is_a_named_group() -> None:
    attrs = dict(parse(svg.Svg("t", 10, 5, title="Title", role="group").render()).attrs)
    assert attrs["role"] == "group" and attrs["aria-labelledby"] == "t-title"


def test_without_description_no_describedby() -> None:
    assert "aria-describedby" not in svg.Svg("t", 1, 1, title="x").render()


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (1.0, "1"), (2.5, "2.5"), (1 / 3, "0.33"), (-0.001, "0"), (-1.25, "-1.25"), (10**6, "1000000"), (0.1 + 0.2, "0.3")],
)
def test_numbers_are_short_and_deterministic(value: float, text: str) -> None:
    assert svg.num(value) == text


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True])
def test_non_numbers_are_refused(value: float) -> None:
    with pytest.raises(ValueError):
        svg.num(value)


@pytest.mark.parametrize("href", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x"])
def test_unsafe_links_are_refused(href: str) -> None:
    with pytest.raises(ValueError, match="link not allowed"):
        svg.element("a", {"href": href})


@pytest.mark.parametrize("href", ["../../references/smith2011crohn/", "https://doi.org/10.1/x", "#cell", "x.html?a=1&b=2"])
def test_safe_links_are_kept(href: str) -> None:
    assert dict(parse(svg.element("a", {"href": href}).render()).attrs)["href"] == href


@pytest.mark.parametrize(("tag", "attrs"), [("script", {}), ("foreignObject", {}), ("circle", {"onclick": "x"}), ("g", {"a b": "1"})])
def test_script_capable_markup_is_refused(tag: str, attrs: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="not allowed"):
        svg.element(tag, attrs)


def test_none_attributes_are_left_out_and_order_is_kept() -> None:
    assert svg.element("rect", {"x": 1, "y": None, "class": "a"}).render() == '<rect x="1" class="a"></rect>'


def test_unusable_id_is_refused() -> None:
    with pytest.raises(ValueError):
        svg.Svg('x" onload="alert(1)', 1, 1, title="t").render()
