"""LaTeX in BibTeX fields as plain Unicode text, with every command it does not know reported.

BibTeX titles and names are LaTeX: readers should see `Sch{\\"o}n` as Schön, `--` as an en
dash and `~` as a no-break space, and a sort should file Schön with the other S names. This
module owns that conversion: text-mode accents and symbols become Unicode, style commands
(`\\emph{x}`) show their argument, math (`$...$`) is kept exactly as written, and any command
it does not know shows its argument and is reported, so nothing is dropped or leaked silently.
Imports nothing of ours.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "d": "\u0323",
    "b": "\u0331",
    "k": "\u0328",
    "r": "\u030a",
    "t": "\u0361",
}
_BARE_ACCENT = {"'": "'", "`": "`", "^": "^", '"': '"', "~": "~", "=": "=", ".": "."}

SYMBOLS = {
    "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "o": "ø", "O": "Ø",
    "ss": "ß", "SS": "SS", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
    "textendash": "–", "textemdash": "—", "textquoteleft": "‘", "textquoteright": "’",
    "textquotedblleft": "“", "textquotedblright": "”", "textbackslash": "\\",
    "textasciitilde": "~", "textasciicircum": "^", "textunderscore": "_", "textbar": "|",
    "textless": "<", "textgreater": ">", "textregistered": "®", "texttrademark": "™",
    "copyright": "©", "textcopyright": "©", "textdegree": "°", "textmu": "µ",
    "textperthousand": "‰", "S": "§", "P": "¶", "dag": "†", "ddag": "‡", "pounds": "£",
    "euro": "€", "texteuro": "€", "ldots": "…", "dots": "…", "textellipsis": "…",
    "textbullet": "•", "textperiodcentered": "·", "guillemotleft": "«", "guillemotright": "»",
    "textpm": "±", "texttimes": "×", "textdiv": "÷", "textminus": "−", "textonehalf": "½",
    "LaTeX": "LaTeX", "TeX": "TeX", "BibTeX": "BibTeX", "relax": "", "textbraceleft": "{",
    "textbraceright": "}", "textdollar": "$", "textsterling": "£", "textyen": "¥",
    "textsection": "§", "textparagraph": "¶", "textexclamdown": "¡", "textquestiondown": "¿",
    "quad": " ", "qquad": " ", "nobreakspace": "\u00a0", "textnbsp": "\u00a0",
}  # fmt: skip
GREEK = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho - sigma tau upsilon phi chi psi omega"
SYMBOLS.update((name, chr(0x3B1 + i)) for i, name in enumerate(GREEK.split()) if name != "-")
SYMBOLS.update((name.capitalize(), chr(0x391 + i)) for i, name in enumerate(GREEK.split()) if name != "-")
CONTROL_SYMBOLS = {
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ", "\n": " ",
    ",": "\u202f", ";": " ", ":": " ", "!": "", "-": "", "/": "", "@": "", "\\": " ",
}  # fmt: skip
SHOW_ARGUMENT = frozenset({
    "emph", "textit", "textbf", "textsc", "textrm", "textsf", "texttt", "textup", "textsl", "textmd", "textnormal",
    "mbox", "hbox", "text", "textsuperscript", "textsubscript", "enquote", "foreignlanguage",
})  # fmt: skip
"""Commands whose (last) argument is ordinary text to show."""
VERBATIM_ARGUMENT = frozenset({"url", "path", "nolinkurl"})
HIDE_ARGUMENT = frozenset({"noopsort", "nocite", "label", "index"})
TWO_ARGUMENTS = frozenset({"href", "foreignlanguage"})
"""Commands with two arguments; the second is shown."""
SWITCHES = frozenset({
    "em", "it", "bf", "sc", "rm", "sf", "tt", "sl", "up", "md", "normalfont", "itshape", "bfseries", "scshape", "upshape",
    "mdseries", "slshape", "rmfamily", "sffamily", "ttfamily", "selectlanguage", "protect",
})  # fmt: skip
CASE = {"MakeUppercase": str.upper, "uppercase": str.upper, "MakeLowercase": str.lower, "lowercase": str.lower}
SUPERSCRIPT = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
MAX_DEPTH = 40
_WORD = re.compile(r"[A-Za-z]+")
_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_FLATTEN = re.compile(r"\\[A-Za-z]+ ?|\\.?|[{}$]")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


@dataclass(frozen=True, slots=True)
class Unknown:
    """Something the conversion could not show faithfully: an unknown command, math, a private-use character."""

    command: str
    """As written, e.g. `\\foo` or `$x^2$`, or a character's code point such as `U+E000`."""
    shown: str
    """What the page shows in its place."""
    kind: str = "command"
    """"command", "math" or "character"."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    unknown: tuple[Unknown, ...] = ()


@functools.lru_cache(maxsize=4096)
def to_text(value: str) -> Decoded:
    """The field as a reader should see it, and what could not be converted (cached: checks and pages ask alike)."""
    unknown = [Unknown(f"U+{ord(c):04X}", "", "character") for c in _PRIVATE_USE.findall(value)]
    text = _decode(_PRIVATE_USE.sub("", value), 0, unknown)
    return Decoded(_SPACE.sub(" ", text).strip(" "), tuple(unknown))


def sort_text(value: str) -> str:
    """A key that files accented letters with their base letter: "Åberg" next to "Aberg"."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _decode(s: str, depth: int, unknown: list[Unknown]) -> str:
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            text, i = _command(s, i, depth, unknown)
            out.append(text)
        elif c == "$":
            end = _math_end(s, i + 1, "$")
            if end < 0:
                out.append("$")
                i += 1
                continue
            math = s[i : end + 1]
            unknown.append(Unknown(math, math, "math"))
            out.append(math)
            i = end + 1
        elif c in "{}":
            i += 1
        elif c == "~":
            out.append("\u00a0")
            i += 1
        elif c in "-`'":
            j = i + 1
            while j < n and s[j] == c:
                j += 1
            out.append(_ligatures(c, j - i))
            i = j
        else:
            j = i + 1
            while j < n and s[j] not in "\\${}~-`'":
                j += 1
            out.append(s[i:j])
            i = j
    return "".join(out)


def _ligatures(c: str, run: int) -> str:
    if c == "-":
        return "—" * (run // 3) + ("–" if run % 3 == 2 else "-" if run % 3 == 1 else "")
    if c == "`":
        return "“" * (run // 2) + "‘" * (run % 2)
    return "”" * (run // 2) + "'" * (run % 2)


def _command(s: str, i: int, depth: int, unknown: list[Unknown]) -> tuple[str, int]:
    """Reads the command at s[i] (a backslash) and its arguments; returns its text and where it ends."""
    word = _WORD.match(s, i + 1)
    if word is None:
        if i + 1 >= len(s):
            unknown.append(Unknown("\\", ""))
            return "", i + 1
        name, j = s[i + 1], i + 2
        if name == "(":
            end = s.find("\\)", j)
            if end >= 0:
                math = s[i : end + 2]
                unknown.append(Unknown(math, math, "math"))
                return math, end + 2
    else:
        name, j = word.group(), _skip_space(s, word.end())
    if name in ACCENTS:
        arg, j = _argument(s, j)
        return _accent(_nested(arg, name, depth, unknown), name), j
    if name in SYMBOLS:
        if s.startswith("{}", j):
            j += 2
        return SYMBOLS[name], j
    if name in CONTROL_SYMBOLS:
        return CONTROL_SYMBOLS[name], j
    if name in SWITCHES:
        return "", j
    if name in VERBATIM_ARGUMENT:
        arg, j = _argument(s, j)
        return arg, j
    if name in HIDE_ARGUMENT:
        return "", _argument(s, j)[1]
    if name in TWO_ARGUMENTS:
        j = _argument(s, j)[1]
    if name in SHOW_ARGUMENT or name in TWO_ARGUMENTS or name in CASE:
        arg, j = _argument(s, j)
        text = _nested(arg, name, depth, unknown)
        if name in CASE:
            return CASE[name](text), j
        if name == "textsuperscript":
            return _script(text, SUPERSCRIPT), j
        if name == "textsubscript":
            return _script(text, SUBSCRIPT), j
        return text, j
    if j < len(s) and s[j] == "{":
        arg, j = _argument(s, j)
        shown = _nested(arg, name, depth, unknown)
    else:
        shown = ""
    unknown.append(Unknown("\\" + name, _SPACE.sub(" ", shown).strip(" ")))
    return shown, j


def _nested(arg: str, name: str, depth: int, unknown: list[Unknown]) -> str:
    if depth < MAX_DEPTH:
        return _decode(arg, depth + 1, unknown)
    flat = _FLATTEN.sub("", arg)
    unknown.append(Unknown("\\" + name, flat))
    return flat


def _argument(s: str, j: int) -> tuple[str, int]:
    """The next argument: a brace group (without its braces), a control sequence, or one character."""
    j = _skip_space(s, j)
    if j >= len(s):
        return "", j
    if s[j] == "{":
        level, k = 0, j
        while k < len(s):
            if s[k] == "\\":
                k += 2
                continue
            level += {"{": 1, "}": -1}.get(s[k], 0)
            if level == 0:
                return s[j + 1 : k], k + 1
            k += 1
        return s[j + 1 :], len(s)
    if s[j] == "\\":
        word = _WORD.match(s, j + 1)
        end = word.end() if word else min(j + 2, len(s))
        return s[j:end], end
    return s[j], j + 1


def _accent(base: str, name: str) -> str:
    if not base:
        return _BARE_ACCENT.get(name, "")
    first = {"ı": "i", "ȷ": "j"}.get(base[0], base[0])
    return unicodedata.normalize("NFC", first + ACCENTS[name]) + base[1:]


def _script(text: str, table: dict[int, int]) -> str:
    mapped = text.translate(table)
    return mapped if all(ord(c) > 127 for c in mapped) else text


def _math_end(s: str, start: int, close: str) -> int:
    k = start
    while True:
        k = s.find(close, k)
        if k < 0 or s[k - 1] != "\\":
            return k
        k += 1


def _skip_space(s: str, j: int) -> int:
    while j < len(s) and s[j] in " \t\n\r":
        j += 1
    return j
