"""Parsed YAML files and checked references kept between runs of `evidence check`, keyed by content.

Reading YAML with positions is most of what a check costs, and between two runs a contributor
usually changes one file. So each file that read cleanly is stored with a digest of its bytes;
the next run reuses it only when the text is the same, the file's path is the same and the
code that parsed it is the same (a digest of this package's reading modules and the versions
of Python and PyYAML). Files with findings are never stored, so every finding comes from a
fresh parse. Every cross-file check still runs on every run.

The cache lives in the user's cache folder (`$XDG_CACHE_HOME`, else `~/.cache`), one file per
review folder, never inside the review: a pull request cannot plant entries that would make
CI skip a file. `EVIDENCE_CACHE=off` or `evidence check --no-cache` turns it off. A missing,
unreadable or foreign cache file is ignored and replaced. Under `mkdocs serve` the glue keeps
one in memory (no file), so a rebuild parses only what changed. Imports the readers (`bibfile`, `files`,
`findings`, `load`, `references`) and `model`.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .bibfile import parse_bibtex
from .files import decode, read_bytes
from .findings import Finding, Location
from .load import Positions, YamlDoc, parse_yaml
from .model import Reference
from .references import check_references

PACKAGE = Path(__file__).resolve().parent
READERS = ("bibfile.py", "bibscan.py", "files.py", "findings.py", "latex.py", "load.py", "model.py", "parsecache.py", "references.py")
"""The modules whose code decides what a parse gives; a change to any of them empties the cache."""
FORMAT = 4


def cache_file(root: Path) -> Path | None:
    """Where the cache of the review at `root` lives, or None when caching is off or impossible."""
    if os.environ.get("EVIDENCE_CACHE", "").lower() in ("0", "off", "no", "false"):
        return None
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        folder = Path(base) if base else Path.home() / ".cache"
    except RuntimeError:  # no home folder
        return None
    name = hashlib.blake2b(str(root.resolve()).encode("utf-8"), digest_size=12).hexdigest()
    return folder / "evidence-review" / f"{name}.marshal"


class ParseCache:
    """The stored parses of one review, and those of this run, written back by `save`."""

    def __init__(self, file: Path | None, stored: dict[str, Any]) -> None:
        self.file = file
        self.stored = stored
        self.current: dict[str, Any] = {}
        self.changed = False

    @classmethod
    def open(cls, root: Path) -> ParseCache | None:
        """The stored cache of the review at `root`, or None when caching is off."""
        file = cache_file(root)
        if file is None:
            return None
        stored: dict[str, Any] = {}
        try:
            content = marshal.loads(file.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            content = None
        if isinstance(content, dict) and content.get("version") == _version() and isinstance(content.get("files"), dict):
            stored = content["files"]
        return cls(file, stored)

    def load_yaml(self, file: Path, shown: str) -> tuple[YamlDoc, list[Finding]]:
        """What `load.load_yaml` gives, from the cache when these bytes were parsed cleanly before."""
        data, problems = read_bytes(file, shown)
        if data is None:
            return YamlDoc(shown, None), problems
        digest = self.digest(data)
        cached = self.get(shown, digest)
        if cached is not None:
            return cached, []
        text, problems = decode(data, shown)
        if text is None:
            return YamlDoc(shown, None), problems
        doc, more = parse_yaml(text, shown)
        if not problems and not more:
            self.put(digest, doc)
            doc.positions.source = digest  # named like a cached parse, so the two compare without unpacking
        return doc, problems + more

    def read_references(self, text: str, shown: str) -> tuple[dict[str, Reference], list[Finding]]:
        """What `parse_bibtex` and then `check_references` give, from the cache when this text
        was read and checked without a finding before."""
        digest = self.digest(text.encode("utf-8"))
        rows = self._take(shown, digest)
        if isinstance(rows, list):
            return {
                key: Reference(key, kind, fields, tuple(authors), Location(shown, line, col), tuple(unverified))
                for key, kind, fields, authors, line, col, unverified in rows
            }, []
        entries, findings = parse_bibtex(text, shown)
        references, problems = check_references(entries)
        if not findings and not problems:
            rows = [(r.key, r.type, r.fields, r.authors, r.location.line, r.location.col, r.unverified) for r in references.values()]
            self._keep(shown, digest, rows)
        return references, findings + problems

    @staticmethod
    def digest(data: bytes) -> bytes:
        return hashlib.blake2b(data, digest_size=16).digest()

    def get(self, shown: str, digest: bytes) -> YamlDoc | None:
        payload = self._take(shown, digest)
        if not (isinstance(payload, tuple) and len(payload) == 2 and isinstance(payload[1], bytes)):
            return None
        return YamlDoc(shown, payload[0], Positions(packed=payload[1], source=digest))

    def put(self, digest: bytes, doc: YamlDoc) -> None:
        """Store a clean parse; its positions are packed apart, to be unpacked only for a finding."""
        self._keep(doc.path, digest, (doc.data, doc.positions.packed()))

    def _take(self, shown: str, digest: bytes) -> object:
        """The stored payload of `shown` if it was made from these bytes, else None.

        Each entry is its own marshal blob: unchanged entries are written back as they were
        read, without being unpacked and packed again."""
        entry = self.stored.get(shown)
        if not (isinstance(entry, tuple) and len(entry) == 2 and entry[0] == digest and isinstance(entry[1], bytes)):
            return None
        try:
            payload = marshal.loads(entry[1])
        except (EOFError, ValueError, TypeError):
            return None
        self.current[shown] = entry
        return payload

    def _keep(self, shown: str, digest: bytes, payload: Any) -> None:
        self.current[shown] = (digest, marshal.dumps(payload))
        self.changed = True

    def save(self) -> None:
        """Write this run's parses (and only them) back, atomically; a failure only costs speed."""
        if self.file is None or not (self.changed or self.current.keys() != self.stored.keys()):
            return
        temporary: Path | None = None
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            blob = marshal.dumps({"version": _version(), "files": self.current})
            with tempfile.NamedTemporaryFile(dir=self.file.parent, prefix=".tmp-", delete=False) as handle:
                temporary = Path(handle.name)
                handle.write(blob)
            os.replace(temporary, self.file)
        except (OSError, ValueError):
            if temporary is not None:
                temporary.unlink(missing_ok=True)


@functools.cache
def _version() -> str:
    code = hashlib.blake2b(digest_size=12)
    for name in READERS:
        code.update((PACKAGE / name).read_bytes())
    return f"{FORMAT}:{code.hexdigest()}:{sys.version}:{yaml.__version__}:{yaml.__with_libyaml__}"
