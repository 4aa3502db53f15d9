"""Exports: claims.json against its published schema, BibTeX through pybtex and back, CSL-JSON
against the CSL schema, JSON-LD in the head of built pages, and the "Cite this page" box."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, Draft202012Validator
from pybtex.database import parse_string

from conftest import REPO, SITES, BuildResult
from evidence.exports import BIBTEX, CLAIMS_JSON, CSL_JSON, Site, claims_export, csl_item, export_files, plain
from evidence.jsonld import page_citation, page_jsonld, script_json
from evidence.model import Corpus
from evidence.sources import load_review

Build = Callable[[Path], BuildResult]
CSL_SCHEMA = json.loads((Path(__file__).parent / "schemas" / "csl-data.schema.json").read_text("utf-8"))
EXPORT_SCHEMA = json.loads((REPO / "hooks" / "evidence" / "schema" / "claims-export.schema.json").read_text("utf-8"))
HOSTILE = "</script><script>alert(1)</script> & <!-- ]]> done"


def corpus_of(root: Path) -> Corpus:
    loaded = load_review(root)
    assert loaded.corpus is not None and not loaded.errors
    return loaded.corpus


@pytest.fixture(scope="module")
def review() -> Corpus:
    return corpus_of(REPO)


@pytest.fixture(scope="module")
def basic_built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    from conftest import build_site, copy_site

    result = build_site(copy_site("basic", tmp_path_factory.mktemp("exports")), tmp_path_factory.mktemp("exports-site") / "site")
    assert result.ok, result.messages
    return result


def validate(schema: dict[str, Any], data: object, validator: type[Draft7Validator] | type[Draft202012Validator]) -> list[str]:
    validator.check_schema(schema)
    checker = validator(schema, format_checker=validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in checker.iter_errors(data)]


class Scripts(HTMLParser):
    """Every <script> element of a page: its attributes and its text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._open = dict(attrs)
            self.found.append((self._open, ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            attrs, text = self.found[-1]
            self.found[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None

    @property
    def linked_data(self) -> list[Any]:
        return [json.loads(text) for attrs, text in self.found if attrs.get("type") == "application/ld+json"]


def page_html(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text("utf-8")


def graph(html: str) -> list[dict[str, Any]]:
    data = Scripts(html).linked_data
    assert len(data) == 1
    assert data[0]["@context"] == "https://schema.org"
    return list(data[0]["@graph"])


# ---- claims.json ---------------------------------------------------------------------------


def test_claims_json_of_the_review_validates_and_holds_every_claim(review: Corpus) -> None:
    data = json.loads(export_files(review, Site())[CLAIMS_JSON])
    assert validate(EXPORT_SCHEMA, data, Draft202012Validator) == []
    assert [c["id"] for c in data["claims"]] == [c.id for c in review.claims]
    assert len(data["claims"]) == len(review.claims) > 200
    assert [g["id"] for g in data["grades"]] == [g.id for g in review.review.grades]
    checked = [c for c in data["claims"] if c["verdict"] is not None]
    assert len(checked) == 64
    assert all(c["asserted_by"] in review.references for c in checked)
    for exported in data["claims"]:
        claim = review.claim_by_id[exported["id"]]
        assert exported["statement"] == claim.statement, "text is exported as written"
        assert [(c["key"], c["locator"]) for c in exported["citations"]] == [(c.key, c.locator) for c in claim.cites]
        assert exported["topic"] == {"id": claim.topic, "title": review.topic_by_id[claim.topic].title}


def test_claims_json_is_written_as_the_standard_library_would_write_it(review: Corpus) -> None:
    """claims.json is written topic by topic (so a rebuild writes again only an edited topic's
    claims); the text must still be exactly `json.dumps` of the whole export, with or without claims."""
    no_claims = dataclasses.replace(review, topics=tuple(dataclasses.replace(t, claims=()) for t in review.topics))
    some = dataclasses.replace(review, topics=tuple(t if i % 2 else dataclasses.replace(t, claims=()) for i, t in enumerate(review.topics)))
    for corpus in (review, no_claims, some):
        written = export_files(corpus, Site())[CLAIMS_JSON]
        assert written == json.dumps(claims_export(corpus, Site()), ensure_ascii=False, indent=2) + "\n"
    assert '"claims": []' in export_files(no_claims, Site())[CLAIMS_JSON]


def test_published_claims_json_validates_against_the_published_schema(basic_built: BuildResult) -> None:
    site = basic_built.site
    data = json.loads((site / CLAIMS_JSON).read_text("utf-8"))
    schema_path = (site / CLAIMS_JSON).parent / data["$schema"]
    assert schema_path.resolve() == (site / "schema" / "claims-export.schema.json").resolve()
    assert validate(json.loads(schema_path.read_text("utf-8")), data, Draft202012Validator) == []
    assert data["claims"][1] == {
        "id": "example-web-claim",
        "topic": {"id": "conditions/example-disease", "title": "Example disease"},
        "url": "conditions/example-disease/#example-web-claim",
        "statement": "A web page says the drug cures everything.",
        "grade": "very-low",
        "verdict": "overstated",
        "direction": None,
        "outcome": None,
        "why": "Only a case report supports any part of it.",
        "finding": "One case report describes improvement in one patient.",
        "citations": [{"key": "roe2019case", "locator": None, "url": "references/roe2019case/"}],
        "asserted_by": "web2021page",
        "see": [],
    }
    assert data["claims"][0]["citations"][1] == {"key": "roe2019case", "locator": "Table 2", "url": "references/roe2019case/"}


def test_schema_rejects_a_claim_without_grade() -> None:
    data = json.loads(export_files(corpus_of(SITES / "basic"), Site())[CLAIMS_JSON])
    del data["claims"][0]["grade"]
    assert validate(EXPORT_SCHEMA, data, Draft202012Validator) == ["['claims', 0]: 'grade' is a required property"]


@pytest.mark.parametrize("directory_urls", [True, False])
def test_every_exported_address_is_a_built_page_and_anchor(site_copy: Callable[[str], Path], build: Build, directory_urls: bool) -> None:
    root = site_copy("basic")
    if not directory_urls:
        config = root / "mkdocs.yml"
        config.write_text(config.read_text("utf-8") + "use_directory_urls: false\n", "utf-8")
    result = build(root)
    assert result.ok, result.messages
    data = json.loads((result.site / CLAIMS_JSON).read_text("utf-8"))
    targets = [c["url"] for c in data["claims"]] + [c["url"] for claim in data["claims"] for c in claim["citations"]]
    targets += [t["url"] for t in data["topics"]]
    for target in targets:
        path, _, anchor = target.partition("#")
        file = result.site / path / "index.html" if path.endswith("/") else result.site / path
        assert file.is_file(), target
        if anchor:
            assert f'id="{anchor}"' in file.read_text("utf-8"), target


def test_exports_are_published_and_linked_from_references_and_methods(basic_built: BuildResult) -> None:
    site = basic_built.site
    for page in ("references", "methods"):
        links = re.findall(r'href="\.\./(exports/[^"]+)"', page_html(site, page))
        assert sorted(set(links)) == sorted([BIBTEX, CSL_JSON, CLAIMS_JSON]), page
    assert (site / BIBTEX).read_text("utf-8") == export_files(corpus_of(SITES / "basic"), Site())[BIBTEX]


# ---- BibTeX --------------------------------------------------------------------------------


@pytest.mark.parametrize("root", [REPO, SITES / "basic"], ids=["review", "basic"])
def test_bibtex_export_round_trips_through_pybtex(root: Path) -> None:
    corpus = corpus_of(root)
    exported = parse_string(export_files(corpus, Site())[BIBTEX], "bibtex")
    source = parse_string((root / "references.bib").read_text("utf-8"), "bibtex")
    assert list(exported.entries) == list(corpus.references) == list(source.entries)
    for key, ref in corpus.references.items():
        entry, original = exported.entries[key], source.entries[key]
        assert entry.type == ref.type
        expected = {k: v for k, v in original.fields.items() if k.lower() != "unverified"}
        assert dict(entry.fields) == expected, key
        assert {k: [str(p) for p in v] for k, v in entry.persons.items()} == {
            k: [str(p) for p in v] for k, v in original.persons.items()
        }, key
        for name, value in entry.fields.items():
            assert ref.fields[name.lower()] == value, (key, name)


def test_bibtex_export_keeps_identifiers_and_leaves_out_the_checker_note(review: Corpus) -> None:
    text = export_files(review, Site())[BIBTEX]
    assert not re.search(r"^\s*unverified\s*=", text, re.M)
    assert re.search(r"^\s*unverified\s*=", (REPO / "references.bib").read_text("utf-8"), re.M)
    assert "  pmcid = {PMC3381945}," in text
    assert "  pmid = {21380937}," in text
    assert "  author = {{US National Library of Medicine DailyMed}}," in text


# ---- CSL-JSON ------------------------------------------------------------------------------


@pytest.mark.parametrize("root", [REPO, SITES / "basic"], ids=["review", "basic"])
def test_csl_json_validates_against_the_csl_schema(root: Path) -> None:
    corpus = corpus_of(root)
    items = json.loads(export_files(corpus, Site())[CSL_JSON])
    assert validate(CSL_SCHEMA, items, Draft7Validator) == []
    assert [i["id"] for i in items] == list(corpus.references)


def test_csl_json_items_as_expected(review: Corpus) -> None:
    assert csl_item(review.references["smith2011crohn"]) == {
        "id": "smith2011crohn",
        "type": "article-journal",
        "title": (
            "Therapy with the opioid antagonist naltrexone promotes mucosal healing in active Crohn's disease: "
            "a randomized placebo-controlled trial"
        ),
        "author": [
            {"family": "Smith", "given": "J. P."},
            {"family": "Bingaman", "given": "S. I."},
            {"family": "Ruggiero", "given": "F."},
            {"family": "Mauger", "given": "D. T."},
            {"family": "Mukherjee", "given": "A."},
            {"family": "McGovern", "given": "C. O."},
            {"family": "Zagon", "given": "I. S."},
        ],
        "issued": {"date-parts": [[2011]]},
        "container-title": "Digestive Diseases and Sciences",
        "volume": "56",
        "issue": "7",
        "page": "2088-2097",
        "DOI": "10.1007/s10620-011-1653-7",
        "PMID": "21380937",
        "PMCID": "PMC3381945",
    }
    label = csl_item(review.references["dailymed2024naltrexone"])
    assert label["author"] == [{"literal": "US National Library of Medicine DailyMed"}]
    assert label["type"] == "webpage" and "issued" not in label, "an unverified year is left out, not guessed"
    assert csl_item(review.references["paulides2022ldncrohn"])["author"][2] == {
        "family": "Woude",
        "given": "C. J.",
        "non-dropping-particle": "van der",
    }


@pytest.mark.parametrize(
    ("latex", "text"),
    [("Sm\\aa brekke", "Småbrekke"), ("{LDN} \\& friends", "LDN & friends"), ('M{\\"u}ller', "Müller"), ("820--828", "820–828")],
)
def test_bibtex_markup_becomes_plain_text(latex: str, text: str) -> None:
    assert plain(latex) == text


# ---- JSON-LD -------------------------------------------------------------------------------


def test_topic_pages_carry_json_ld_of_their_kind(basic_built: BuildResult) -> None:
    condition = graph(page_html(basic_built.site, "conditions/example-disease"))
    page, review = condition
    assert page["@type"] == "MedicalWebPage"
    assert page["about"] == {"@type": "MedicalCondition", "name": "Example disease"}
    assert (page["name"], page["lastReviewed"], page["url"]) == ("Example disease", "2026-01-01", "./")
    assert page["isPartOf"] == {"@type": "WebSite", "name": "Scenario review", "url": "../../"}
    assert [c["name"] for c in page["citation"]] == ["A randomised trial of the drug", "A case report", "The drug in mice"]
    assert page["citation"][0]["identifier"] == [
        {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.1000/trial.2020.1"},
        {"@type": "PropertyValue", "propertyID": "PMID", "value": "12345678"},
    ]
    assert page["citation"][0]["sameAs"] == ["https://doi.org/10.1000/trial.2020.1", "https://pubmed.ncbi.nlm.nih.gov/12345678/"]
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "A web page says the drug cures everything."
    assert review["reviewRating"] == {"@type": "Rating", "ratingValue": 1, "bestRating": 2, "worstRating": 1, "alternateName": "Overstated"}
    assert review["itemReviewed"]["appearance"] == {
        "@type": "CreativeWork",
        "name": "The drug cures everything",
        "url": "https://example.org/page",
    }
    mechanism = graph(page_html(basic_built.site, "mechanisms/example-pathway"))
    assert [g["@type"] for g in mechanism] == ["MedicalWebPage"]
    assert "about" not in mechanism[0]
    for other in ("references", "references/doe2020trial", "methods", "claims", ""):
        assert Scripts(page_html(basic_built.site, other)).linked_data == [], other


def test_review_popular_claims_get_one_claim_review_per_checked_assertion(review: Corpus) -> None:
    for topic in review.topics_of_kind("popular-claims"):
        data = json.loads(script_json(page_jsonld(review, topic, Site())))
        reviews = [g for g in data["@graph"] if g["@type"] == "ClaimReview"]
        checked = [c for c in topic.claims if c.verdict]
        assert [r["claimReviewed"] for r in reviews] == [c.statement for c in checked]
        assert [r["reviewRating"]["alternateName"] for r in reviews] == [review.review.verdict(c.verdict or "").label for c in checked]
    crohns = json.loads(script_json(page_jsonld(review, review.topic_by_id["conditions/crohns-disease"], Site())))["@graph"][0]
    assert crohns["@type"] == "MedicalWebPage" and crohns["about"]["@type"] == "MedicalCondition"
    smith = next(c for c in crohns["citation"] if c["name"].startswith("Therapy with the opioid antagonist"))
    assert smith["@type"] == "ScholarlyArticle" and smith["datePublished"] == "2011"


def test_unrated_verdict_keeps_only_its_label(review: Corpus) -> None:
    topic = next(t for t in review.topics if any(c.verdict == "not-assessable" for c in t.claims))
    reviews = [g for g in page_jsonld(review, topic, Site())["@graph"] if g["@type"] == "ClaimReview"]
    assert {"@type": "Rating", "alternateName": "Not assessable"} in [r["reviewRating"] for r in reviews]


def test_script_json_cannot_end_its_element() -> None:
    value = HOSTILE + "\u2028\u2029"
    text = script_json({"a": value})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"a": value}


@pytest.fixture
def hostile_site(site_copy: Callable[[str], Path], build: Build) -> Iterator[BuildResult]:
    root = site_copy("basic")
    topic = root / "content" / "conditions" / "example-disease.yaml"
    text = topic.read_text("utf-8").replace("statement: A web page says the drug cures everything.", f"statement: {json.dumps(HOSTILE)}")
    summary = "summary: One small trial found a benefit (low certainty)."
    topic.write_text(text.replace(summary, "summary: '</script><b>x</b> & One small trial'"), "utf-8")
    result = build(root)
    assert result.ok, result.messages
    yield result


def test_hostile_claim_text_stays_inside_the_json_ld(hostile_site: BuildResult) -> None:
    html = page_html(hostile_site.site, "conditions/example-disease")
    scripts = Scripts(html)
    assert not [text for attrs, text in scripts.found if "alert(1)" in text and attrs.get("type") != "application/ld+json"]
    page, review = graph(html)
    assert review["claimReviewed"] == HOSTILE
    assert page["description"].startswith("</script><b>x</b> & One small trial")
    head = html.split("</head>", 1)[0]
    assert head.count("<script") == head.count("</script>")


@pytest.mark.browser
def test_hostile_json_ld_runs_nothing_in_chromium(hostile_site: BuildResult) -> None:
    from test_browser import CHROMIUM, LAUNCH_ARGS, serve

    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    url, stop = serve(hostile_site.site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url + "conditions/example-disease/", wait_until="load")
            data = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
            scripts = page.evaluate("document.querySelectorAll('script[type=\"application/ld+json\"]').length")
            browser.close()
    finally:
        stop()
    assert dialogs == []
    assert scripts == 1
    assert data["@graph"][1]["claimReviewed"] == HOSTILE


# ---- Addresses and citing a page -----------------------------------------------------------


def test_site_url_makes_every_address_absolute(site_copy: Callable[[str], Path], build: Build) -> None:
    root = site_copy("basic")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "site_url: https://example.org/review\n", "utf-8")
    result = build(root)
    assert result.ok, result.messages
    page, review = graph(page_html(result.site, "conditions/example-disease"))
    assert page["url"] == "https://example.org/review/conditions/example-disease/"
    assert page["isPartOf"]["url"] == "https://example.org/review/"
    assert review["url"] == "https://example.org/review/conditions/example-disease/#example-web-claim"
    data = json.loads((result.site / CLAIMS_JSON).read_text("utf-8"))
    assert data["$schema"] == "https://example.org/review/schema/claims-export.schema.json"
    assert data["review"]["url"] == "https://example.org/review/"
    box = cite_box(page_html(result.site, "conditions/example-disease"))
    assert box[0] == "Scenario review. Example disease. https://example.org/review/conditions/example-disease/. Last reviewed 2026-01-01."
    entry = parse_string(box[1], "bibtex").entries["scenarioreview-conditions-example-disease"]
    assert entry.fields["url"] == "https://example.org/review/conditions/example-disease/"


def cite_box(html: str) -> tuple[str, str]:
    match = re.search(
        r'<details class="quote">\s*<summary>Cite this page</summary>\s*<p>(.*?)</p>\s*<pre><code>(.*?)</code></pre>', html, re.S
    )
    assert match is not None
    return unescape(match.group(1)), unescape(match.group(2))


def test_topic_pages_end_with_a_cite_this_page_box(basic_built: BuildResult) -> None:
    text, bibtex = cite_box(page_html(basic_built.site, "conditions/example-disease"))
    assert text == "Scenario review. Example disease. conditions/example-disease/. Last reviewed 2026-01-01."
    entries = parse_string(bibtex, "bibtex").entries
    assert list(entries) == ["scenarioreview-conditions-example-disease"]
    entry = entries["scenarioreview-conditions-example-disease"]
    assert entry.type == "misc"
    assert (entry.fields["title"], entry.fields["year"], entry.fields["note"]) == ("Example disease", "2026", "Last reviewed 2026-01-01")
    assert [str(p) for p in entry.persons["author"]] == ["{Scenario review}"]
    assert "url" not in entry.fields, "a relative address is no use in a bibliography"


def test_page_citation_escapes_bibtex_specials(review: Corpus) -> None:
    topic = dataclasses.replace(review.topic_by_id["conditions/crohns-disease"], title="50% of {odd} cases } & more_x \\ #1")
    cite = page_citation(review.review, topic, Site("https://example.org"))
    entry = parse_string(cite.bibtex, "bibtex").entries["ldnevidencereview-conditions-crohns-disease"]
    assert entry.fields["title"].count("{") == entry.fields["title"].count("}")
    assert "\\%" in entry.fields["title"] and "\\&" in entry.fields["title"] and "\\_" in entry.fields["title"]
    address = "https://example.org/conditions/crohns-disease/"
    assert cite.text == f"LDN Evidence Review. 50% of {{odd}} cases }} & more_x \\ #1. {address}. Last reviewed 2026-11-21."


@pytest.mark.parametrize(
    ("site", "target", "page", "expected"),
    [
        (Site(), "", "conditions/x/", "../../"),
        (Site(), "conditions/x/", "conditions/x/", "./"),
        (Site(), "conditions/x/#c", "conditions/x/", "./#c"),
        (Site(), "references/k/", "conditions/x/", "../../references/k/"),
        (Site(directory_urls=False), "", "conditions/x.html", "../"),
        (Site(directory_urls=False), "conditions/x.html#c", "conditions/x.html", "x.html#c"),
        (Site("https://example.org/r"), "conditions/x/", "conditions/x/", "https://example.org/r/conditions/x/"),
    ],
)
def test_site_addresses(site: Site, target: str, page: str, expected: str) -> None:
    assert site.href(target, page) == expected


def test_site_paths_follow_mkdocs() -> None:
    assert [Site().path(p) for p in ("index.md", "conditions/index.md", "conditions/x.md")] == ["", "conditions/", "conditions/x/"]
    assert [Site(directory_urls=False).path(p) for p in ("index.md", "conditions/x.md")] == ["index.html", "conditions/x.html"]
