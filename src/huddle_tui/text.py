"""Free text from people: validated on the way in, made harmless on the way out.

Names, statuses and concerns are kept exactly as typed (Rich markup such as
``[red]`` is ordinary text). Terminal control characters, and the bidi and
invisible characters a name may not hold, are kept in a record but never shown
raw: :func:`printable` spells them out, for the terminal, the app and chat.
"""

from __future__ import annotations

import re

from huddle_tui.errors import UsageError

MAX_STATUS = 280
MAX_CONCERN = 500
MAX_NAME = 80

# C0 controls except tab, DEL, and the C1 range (0x9b is a one-byte CSI).
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def clean_text(value: str, field: str, limit: int, *, allow_empty: bool = True) -> str:
    """Check one line of user text and return it stripped, or raise UsageError."""
    if "\x00" in value:
        raise UsageError(f"{field}: NUL bytes are not allowed")
    text = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").strip()
    if not text and not allow_empty:
        raise UsageError(f"{field}: must not be empty")
    if len(text) > limit:
        raise UsageError(f"{field}: {len(text)} characters, the limit is {limit}")
    return text


# Unicode categories that draw nothing or reorder text: format (zero-width, bidi), controls,
# line and paragraph separators, and lone surrogates. A name holding one can pass for another.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zl", "Zp", "Cs"})


def normal_name(value: str) -> tuple[str, str | None]:
    """A name in Unicode NFC, and why it is refused (an invisible or bidi character), if it is.

    ASCII names, the common case, need neither normalising nor `unicodedata`.
    """
    if value.isascii():
        bad = next((ch for ch in value if ch < " " or ch == "\x7f"), None)
        return value, None if bad is None else f"control character U+{ord(bad):04X} is not allowed in a name"
    import unicodedata

    text = unicodedata.normalize("NFC", value)
    for ch in text:
        if unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
            what = unicodedata.name(ch, "a control character")
            return text, (f"invisible or direction-changing character U+{ord(ch):04X} ({what}) "
                          "is not allowed in a name")
    return text, None


def clean_name(value: str, field: str, *, allow_empty: bool = True) -> str:
    """A person's name typed on the command line: one line, NFC, nothing invisible, or UsageError."""
    text, problem = normal_name(clean_text(value, field, MAX_NAME, allow_empty=allow_empty))
    if problem:
        raise UsageError(f"{field}: {problem}")
    return text


def _escape(match: re.Match[str]) -> str:
    """Spell one control character as a visible escape."""
    return f"\\x{ord(match.group()):02x}"


def _spell_surrogate(ch: str) -> str:
    """Spell a lone surrogate: U+DC80-U+DCFF as the undecodable byte it stands for."""
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if 0xD800 <= code <= 0xDFFF else ch


def printable(value: str) -> str:
    """Return text safe to show anywhere: control, bidi and invisible characters shown escaped.

    The one display-escape of the app, for names and for every text a record
    holds: the CLI, the app, Markdown and chat posts all show text through it.
    A file name's undecodable bytes arrive as lone surrogates and would leave
    stdout as those raw bytes (0x9b is a CSI), so they are spelled out too —
    found without a Unicode-range regex, whose compiling costs start-up ~0.7 ms.
    """
    text = _CONTROL.sub(_escape, value)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = "".join(map(_spell_surrogate, text))
        text = _spell_hidden(text)
    return text


_ZWJ = "\u200d"


def _spell_hidden(text: str) -> str:
    """Spell the characters that draw nothing or turn text around (U+202E, U+200B, ...) as \\u escapes.

    A status with U+202E shows its end reversed and one with U+200B hides a
    difference, so, as in names (normal_name), format characters and line or
    paragraph separators are shown as their code. A zero-width joiner between
    two emoji is kept: it only joins them into one (👩‍💻), and hides nothing.
    """
    import unicodedata

    category = unicodedata.category
    hidden = {ch for ch in set(text) if ch > "\x7f" and category(ch) in _INVISIBLE_CATEGORIES}
    if not hidden:
        return text
    out = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch not in hidden or (ch == _ZWJ and 0 < i < last and category(text[i + 1]) == "So"
                                and (category(text[i - 1]) in ("So", "Sk") or text[i - 1] == "\ufe0f")):
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
    return "".join(out)


def csv_safe(value: str) -> str:
    """Stop a spreadsheet from running text that starts like a formula."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_cell(value: str) -> str:
    """One CSV cell fit for a terminal and a spreadsheet: controls escaped, formulas defused."""
    return csv_safe(printable(value))


# Markdown that people's text could make anywhere in a line: emphasis, code, links, HTML, entities,
# strikethrough (GFM ~~), a table cell's end (GFM |) and the escape itself.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&~|])")
# What makes a line a list item (- + * 1. 1)), a heading (#), a quote (>) or a setext underline (= -)
# when it starts it. Text is escaped as if it started a line: a name starts a list item's text.
_MD_LINE_START = re.compile(r"[-+=#]|[0-9]{1,9}(?=[.)])")


def markdown_literal(value: str) -> str:
    """People's text for Markdown (CommonMark, GFM, chat): shown as typed, never obeyed as markup.

    printable() first, so nothing hidden reaches the Markdown either; then
    every inline mark is backslash-escaped, and so is a list, heading or
    quote marker at the start (``1. Ana`` stays a name, not a numbered list),
    wherever in a line the text lands. Spaces and tabs around it are dropped:
    four of them would start code, and two at the end break the line.
    """
    text = _MD_INLINE.sub(r"\\\1", printable(value).strip(" \t"))
    start = _MD_LINE_START.match(text)
    if start is not None:
        text = f"{start.group()}\\{text[start.end():]}" if start.group()[0].isdigit() else "\\" + text
    return text
