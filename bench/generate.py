"""Synthetic reviews for the benchmarks, and the same pages as a plain MkDocs project.

`generate(root, size)` writes a complete, clean review (claims.yaml with this repository's
scales, topic files, study facts, references.bib, prose pages and an mkdocs.yml using the
hooks); the same seed always gives the same bytes. `write_plain(review, dest)` renders that
review's pages with our renderer and writes them as an ordinary MkDocs project with the same
theme, extensions and navigation but no hooks, so building both isolates the evidence layer.
Everything generated is marked synthetic: no real study, number or identifier is used.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from mkdocs.config import load_config
from mkdocs.structure.files import InclusionLevel, get_files
from mkdocs.structure.pages import Page

CONTENT_DIR = "content"

REPO = Path(__file__).resolve().parent.parent
HOOK = REPO / "hooks" / "evidence_hooks.py"

WORDS = tuple(
    [
        "adult",
        "cohort",
        "daily",
        "dose",
        "effect",
        "fatigue",
        "follow-up",
        "group",
        "index",
        "joint",
        "marker",
        "measure",
        "month",
        "night",
        "outcome",
        "pain",
        "placebo",
        "primary",
        "range",
        "rate",
        "relapse",
        "response",
        "scale",
        "score",
        "sleep",
        "symptom",
        "trial",
        "week",
        "visit",
        "baseline",
        "change",
        "interval",
        "signal",
        "serum",
        "tissue",
        "report",
        "survey",
        "pilot",
        "arm",
        "blind",
        "control",
        "cross-over",
        "sample",
        "window",
    ]
)
SURNAMES = tuple(
    [
        "Smith",
        "Jones",
        "Patel",
        "Nguyen",
        "Garc{\\'i}a",
        'M{\\"u}ller',
        "Rossi",
        "Kowalski",
        "Tanaka",
        "Okafor",
        "Larsen",
        "Dubois",
        "Novak",
        "Silva",
        "{\\O}stergaard",
        "Haddad",
        "Kim",
        "Schmidt",
        "Moreau",
        "Costa",
        "Ivanova",
        "O'Brien",
        "van~der~Berg",
        "Lindqvist",
        "Fischer",
    ]
)
JOURNALS = ("Journal of Synthetic Medicine", "Synthetic Trials Reports", "Annals of Generated Evidence", "Benchmark Clinical Letters")
CLINICAL_DESIGNS = (
    ("rct", 25),
    ("crossover-rct", 5),
    ("meta-analysis", 4),
    ("systematic-review", 4),
    ("non-randomised-controlled", 5),
    ("cohort", 15),
    ("registry", 5),
    ("single-arm", 10),
    ("open-label", 5),
    ("case-series", 8),
    ("case-report", 6),
    ("narrative-review", 4),
    ("animal", 3),
    ("in-vitro", 2),
)
DIRECTIONS = ("benefit", "no-benefit", "harm", "mixed", "unclear")


@dataclass(frozen=True)
class Size:
    claims: int
    references: int
    topics: int

    @classmethod
    def parse(cls, text: str) -> Size:
        """ "1000/500" (topics default to one per 25 claims) or "1000/500/40"."""
        parts = [int(p) for p in text.split("/")]
        if len(parts) == 2:
            parts.append(max(6, parts[0] // 25))
        claims, references, topics = parts
        if claims < 1 or references < 4 or topics < 1:
            raise ValueError(f"size {text!r}: need at least 1 claim, 4 references and 1 topic")
        return cls(claims, references, topics)

    def __str__(self) -> str:
        return f"{self.claims}/{self.references}/{self.topics}"


class _Dumper(yaml.SafeDumper):
    """Long text as folded block scalars (`>-`), the way the review's own files are written."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">" if len(value) > 80 else None)


_Dumper.add_representer(str, _text)


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


class _Writer:
    def __init__(self, root: Path, size: Size, seed: int) -> None:
        self.root = root
        self.size = size
        self.rng = random.Random(seed)
        self.scales: dict[str, Any] = yaml.safe_load((REPO / "claims.yaml").read_text("utf-8"))
        self.rank = {g["id"]: i for i, g in enumerate(self.scales["grades"])}
        self.cap = {d["id"]: d["max_grade"] for d in self.scales["designs"]}

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n))

    def sentence(self, n: int) -> str:
        text = self.words(n)
        return text[0].upper() + text[1:] + "."

    def write(self, path: str, text: str) -> None:
        file = self.root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, "utf-8")

    def run(self) -> None:
        size, rng = self.size, self.rng
        n_web = max(2, size.references // 30)
        clinical = [self.reference_key(i) for i in range(size.references - n_web)]
        web = [f"web{i:05d}page" for i in range(n_web)]
        designs = {key: rng.choices([d for d, _ in CLINICAL_DESIGNS], [w for _, w in CLINICAL_DESIGNS])[0] for key in clinical}
        kinds = [k["id"] for k in self.scales["kinds"]]
        topics = [(kinds[t % len(kinds)], f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{t:05d}") for t in range(size.topics)]
        topic_ids = [f"{k}/{s}" for k, s in topics]
        used: set[str] = set()
        per_topic: list[list[int]] = [[] for _ in topics]
        for i in range(size.claims):
            per_topic[i % len(topics)].append(i)
        for t, (kind, slug) in enumerate(topics):
            claims = []
            for i in per_topic[t]:
                cites = [clinical[i % len(clinical)]]
                cites += [k for k in rng.sample(clinical, min(len(clinical), rng.randint(0, 3))) if k not in cites]
                used.update(cites)
                best = min(self.rank[self.cap[designs[k]]] for k in cites)
                grade_rank = best if best >= self.rank["very-low"] else min(best + rng.choice((0, 0, 1, 2)), self.rank["very-low"])
                claim: dict[str, Any] = {
                    "id": f"{slug}-c{i}",
                    "statement": f"Synthetic claim {i}: " + " ".join(self.sentence(rng.randint(8, 16)) for _ in range(3)),
                    "grade": self.scales["grades"][grade_rank]["id"],
                    "why": "Synthetic grade reason. " + self.sentence(rng.randint(10, 20)),
                    "direction": rng.choice(DIRECTIONS),
                    "outcome": self.words(3),
                    "cite": [k if rng.random() < 0.85 else {"key": k, "locator": f"Table {rng.randint(1, 4)}"} for k in cites],
                }
                if self.scales.get("domains"):  # the evidence map's columns, where the scales define them
                    claim["domain"] = rng.choice(self.scales["domains"])["id"]
                if rng.random() < 0.2 and len(topic_ids) > 1:
                    claim["see"] = [rng.choice([x for x in topic_ids[:50] if x != f"{kind}/{slug}"])]
                if kind == "popular-claims":
                    claim["asserted_by"] = web[i % len(web)]
                    used.add(claim["asserted_by"])
                    claim["verdict"] = rng.choice(self.scales["verdicts"])["id"]
                    claim["finding"] = self.sentence(rng.randint(10, 18))
                claims.append(claim)
            topic: dict[str, Any] = {
                "title": f"Synthetic topic {t}: {self.words(2)}",
                "summary": " ".join(self.sentence(rng.randint(8, 14)) for _ in range(3)),
            }
            cited_here = [c["cite"][0] if isinstance(c["cite"][0], str) else c["cite"][0]["key"] for c in claims]
            if cited_here and rng.random() < 0.5:
                topic["overview"] = "\n\n".join(
                    f"{self.sentence(rng.randint(10, 20))} [@{rng.choice(cited_here)}] {self.sentence(8)}" for _ in range(2)
                )
            topic["reviewed"] = "2026-01-01"
            related = sorted({rng.randrange(len(topics)) for _ in range(rng.randint(0, 3))} - {t})
            if related:
                topic["related"] = [topic_ids[r] for r in related]
            topic["claims"] = claims
            self.write(f"{CONTENT_DIR}/{kind}/{slug}.yaml", _dump(topic))
        self.write_studies(clinical, web, designs)
        self.write_bib(clinical, web)
        unused = [k for k in [*clinical, *web] if k not in used]
        self.write_prose(clinical, unused)

    def reference_key(self, i: int) -> str:
        surname = self.rng.choice(SURNAMES)
        plain = "".join(c for c in surname.replace("\\O", "o") if c.isascii() and c.isalpha()).lower()
        return f"{plain}{2000 + i % 25}{self.rng.choice(WORDS).replace('-', '')}{i}"

    def write_studies(self, clinical: list[str], web: list[str], designs: dict[str, str]) -> None:
        rng = self.rng
        for key in clinical:
            design = designs[key]
            facts: dict[str, Any] = {"design": design}
            if design not in ("animal", "in-vitro", "narrative-review"):
                facts["n"] = rng.randint(3, 30) if "review" in design or design == "meta-analysis" else rng.randint(1, 400)
                facts["population"] = f"Synthetic population: {self.words(6)}."
                facts["intervention"] = f"Synthetic intervention: {self.words(4)}."
                facts["comparator"] = rng.choice(["Placebo (synthetic).", "None (synthetic).", "Usual care (synthetic)."])
                facts["duration"] = f"{rng.randint(1, 52)} weeks (synthetic)."
            facts["outcomes"] = [
                {"name": f"Synthetic outcome {j + 1}: {self.words(3)}", "result": f"Synthetic result {j + 1}: {self.words(5)}."}
                for j in range(rng.randint(1, 3))
            ]
            facts["limitations"] = f"Synthetic limitations: {self.words(10)}."
            self.write(f"{CONTENT_DIR}/studies/{key}.yaml", _dump({key: facts}))
        for key in web:
            self.write(f"{CONTENT_DIR}/studies/{key}.yaml", _dump({key: {"design": "web"}}))

    def write_bib(self, clinical: list[str], web: list[str]) -> None:
        rng = self.rng
        out = ["% Synthetic references for benchmarks: no entry describes a real publication.\n"]
        for i, key in enumerate(clinical):
            authors = " and ".join(
                f"{rng.choice(SURNAMES)}, {rng.choice('ABCDEFGHJKLMNPRST')}. {rng.choice('ABCDEFGHJKLMNPRST')}."
                for _ in range(rng.randint(1, 7))
            )
            fields = [
                ("author", authors),
                ("title", f"Synthetic study {i}: {self.words(rng.randint(6, 14))}"),
                ("journal", rng.choice(JOURNALS)),
                ("year", str(2000 + i % 25)),
                ("volume", str(rng.randint(1, 80))),
                ("number", str(rng.randint(1, 12))),
                ("pages", f"{(p := rng.randint(1, 900))}-{p + rng.randint(3, 15)}"),
            ]
            if rng.random() < 0.1:
                fields.append(("unverified", "doi, pmid"))
            else:
                fields.append(("doi", f"10.5555/synthetic.{i:06d}"))
            out.append(f"@article{{{key},\n" + "".join(f"  {name} = {{{value}}},\n" for name, value in fields) + "}\n")
        for i, key in enumerate(web):
            out.append(
                f"@misc{{{key},\n  title = {{Synthetic web page {i} \\& its claims}},\n  howpublished = {{Synthetic health site}},\n"
                f"  year = {{2021}},\n  url = {{https://example.org/synthetic/{i}}},\n}}\n"
            )
        self.write("references.bib", "\n".join(out))

    def write_prose(self, clinical: list[str], unused: list[str]) -> None:
        scales = dict(self.scales)
        scales["review"] = {
            "title": "Synthetic benchmark review",
            "description": "A generated review used to measure the build; none of it is real evidence.",
            "disclaimer": "Synthetic data for benchmarks only.",
            "last_reviewed": "2026-01-01",
        }
        self.write("claims.yaml", _dump(scales))
        cites = " ".join(f"[@{k}]" for k in unused)
        self.write(
            "content/index.md",
            f"# Synthetic benchmark review\n\nGenerated for benchmarks [@{clinical[0]}; @{clinical[-1]}, p. 2]. {cites}\n\n"
            "## Scope\n\n" + "\n\n".join(self.sentence(20) for _ in range(5)) + "\n",
        )
        self.write("content/about.md", f"# About\n\nNothing here is real evidence [@{clinical[1 % len(clinical)]}].\n")
        config = _site_config()
        config.update(
            site_name="Synthetic benchmark review",
            docs_dir="content",
            hooks=[HOOK.as_posix()],
            watch=["claims.yaml", "references.bib"],
        )
        self.write("mkdocs.yml", _dump(config))


def _site_config() -> dict[str, Any]:
    """This repository's mkdocs.yml: theme, plugins, extensions and validation to compare like with like."""
    config: dict[str, Any] = yaml.safe_load((REPO / "mkdocs.yml").read_text("utf-8"))
    for name in ("hooks", "watch", "nav", "docs_dir", "site_name", "site_description"):
        config.pop(name, None)
    config["strict"] = True
    return config


def generate(root: Path, size: Size, seed: int = 6) -> Path:
    """Write a review of `size` to `root` (replacing what is there) and return `root`."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    _Writer(root, size, seed).run()
    return root


def write_plain(review: Path, dest: Path) -> Path:
    """Our pages for `review`, as a plain MkDocs project in `dest` without the hooks.

    The hooks' own `on_config`, `on_files` and `on_page_markdown` produce the files, the
    navigation and the settings, so the twin holds exactly what our build renders; what
    happens only to HTML (sanitising, JSON-LD) stays on our side of the comparison."""
    config = load_config(str(review / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    if dest.exists():
        shutil.rmtree(dest)
    docs = dest / "docs"
    hidden: set[str] = set()
    shown: set[str] = set()
    for file in files:
        if file.inclusion is InclusionLevel.EXCLUDED:
            continue
        content = file.content_bytes
        if file.is_documentation_page():
            (hidden if file.inclusion is InclusionLevel.NOT_IN_NAV else shown).add(file.src_uri)
            page = Page(None, file, config)
            content = config.plugins.on_page_markdown(content.decode("utf-8"), page=page, config=config, files=files).encode("utf-8")
        (docs / file.src_uri).parent.mkdir(parents=True, exist_ok=True)
        (docs / file.src_uri).write_bytes(content)
    plain = _site_config()
    plain.update(
        site_name=config.site_name,
        docs_dir="docs",
        markdown_extensions=[{n: config.mdx_configs[n]} if n in config.mdx_configs else n for n in config.markdown_extensions],
        extra_css=list(config.extra_css),
        extra_javascript=[str(script) for script in config.extra_javascript],
        not_in_nav=_patterns(hidden, shown),
        nav=config.nav,
    )
    (dest / "mkdocs.yml").write_text(_dump(plain), "utf-8")
    return dest


def _patterns(hidden: set[str], shown: set[str]) -> str:
    """`not_in_nav` for the hidden pages: one wildcard per folder and exceptions for the rest,
    so MkDocs matches a few patterns rather than one per reference page."""
    lines = []
    for folder in sorted({uri.rpartition("/")[0] for uri in hidden}):
        lines.append(f"/{folder}/*.md" if folder else "/*.md")
        lines += [f"!/{uri}" for uri in sorted(shown) if uri.rpartition("/")[0] == folder]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic review (and its plain MkDocs twin) for benchmarks.")
    parser.add_argument("size", type=Size.parse, help="CLAIMS/REFERENCES[/TOPICS], for example 1000/500")
    parser.add_argument("dest", type=Path, help="folder to write; DEST/review and DEST/plain are replaced")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)
    review = generate(args.dest / "review", args.size, args.seed)
    write_plain(review, args.dest / "plain")
    print(f"{review} and {args.dest / 'plain'}: {args.size} claims/references/topics")
    return 0


if __name__ == "__main__":
    sys.exit(main())
