"""IOS block structure: the parent/child tree of a file's lines, and the free-text blocks
(banners, smartport macros) that must be kept out of it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from nankoku_netcheck.vendors.common import split_words, strip_blanks

_BANNER_TYPES = frozenset(
    {
        "motd",
        "login",
        "exec",
        "incoming",
        "slip-ppp",
        "prompt-timeout",
        "config-save",
    }
)


def _find_banner_end(lines: Sequence[str], start: int) -> int:
    """Index of the last line of the banner that begins at `start` (IOS: the banner runs
    to the next occurrence of its delimiter). Without a closing delimiter only the
    first line is taken, so that the rest of the file is still read as configuration."""
    text = lines[start].lstrip(" \t")[len("banner") :].lstrip(" \t")
    first, _, rest = text.partition(" ")
    if first.lower() in _BANNER_TYPES:
        text = rest.lstrip(" \t") if rest else ""
    if not text:
        return start
    delimiter = "^C" if text.startswith("^C") else text[0]
    if delimiter in text[len(delimiter) :]:
        return start
    for index in range(start + 1, len(lines)):
        if delimiter in lines[index]:
            return index
    return start


def _find_macro_end(lines: Sequence[str], start: int) -> int:
    for index in range(start + 1, len(lines)):
        if strip_blanks(lines[index]) == "@":
            return index
    return start


def find_multiline_blocks(lines: Sequence[str]) -> list[tuple[int, int, str]]:
    """The banners and smartport macros of a file as (first, last, reason): free text up
    to a delimiter, in which no line may be read as configuration."""
    blocks: list[tuple[int, int, str]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        # Cheap prefix test first: this loop sees every line of the file.
        words = split_words(line) if line[:6].lower() in ("banner", "macro ") else []
        first = words[0].lower() if words else ""
        if first == "banner":
            end, reason = _find_banner_end(lines, index), "banner text"
        elif first == "macro" and len(words) > 1 and words[1].lower() == "name":
            end, reason = _find_macro_end(lines, index), "smartport macro definition"
        else:
            index += 1
            continue
        blocks.append((index, end, reason))
        index = end + 1
    return blocks


# --- block structure ---------------------------------------------------------------------------
#
# ciscoconfparse2 builds the parent/child tree from indentation. Building its objects
# costs about ten times more than reading the file, so the same tree is built here with
# its exact rules (`ConfigList.bootstrap`: the parent cache, the backward walk, the
# comment exception), for every text without the two constructs whose tree it
# post-processes: banner-like lines whose delimiter opens a text on the following lines
# (`_banner_mark_regex`, see `_banner_left_alone`) and `macro name` lines. Those texts still go
# through ciscoconfparse2, from the last top-level command before the first such line
# (see `ciscoconfparse2_start`). tests/test_scale.py checks that the builders agree.

_CCP_BANNER = re.compile(
    "|".join(
        [rf"^(set\s+)*banner\s+{kind}" for kind in ("login", "motd", "incoming", "exec", "telnet", "lcd")]
        + ["aaa authentication fail-message"]
    )
)


_CCP_WORDS = ("banner", "aaa authentication fail-message", "macro name ")

# How ciscoconfparse2 reads a banner line's delimiter (`ConfigList._banner_mark_regex`): the
# first non-blank character after `banner TYPE`.
_CCP_BANNER_DELIMITER = re.compile(r"^(?:(?P<btype>(?:set\s+)*banner\s\w+\s+)(?P<bchar>\S))")


class BlockLine:
    """One line of the block tree: `linenum` (0-based), `parent` (itself at top level),
    `children` in file order."""

    __slots__ = ("children", "indent", "is_comment", "is_config_line", "linenum", "parent")

    def __init__(self, linenum: int, text: str) -> None:
        stripped = text.lstrip()
        self.linenum = linenum
        self.indent = len(text) - len(stripped)
        self.is_comment = stripped[:1] == "!"
        self.is_config_line = bool(stripped) and not self.is_comment
        self.parent: BlockLine = self
        self.children: list[BlockLine] = []


class UnclosedMacro(ValueError):
    """A `macro name` line with no line `@` after it to end the macro: ciscoconfparse2 fails
    on it (an IndexError past the last line), and no reading of the lines after it is sure."""

    def __init__(self, linenum: int) -> None:
        super().__init__(f"line {linenum + 1}: 'macro name' without a closing '@' line")
        self.linenum = linenum


def block_tree(lines: Sequence[str]) -> list[BlockLine]:
    """Every line as an object with `linenum`, `parent` and `children`, exactly as
    ciscoconfparse2 (syntax ios) would build them. Raises UnclosedMacro (0-based line)."""
    first = ciscoconfparse2_start(lines)
    if first is None:
        return build_block_tree(lines)
    unclosed = _unclosed_macro(lines, first)
    if unclosed is not None:
        raise UnclosedMacro(unclosed)
    return build_block_tree(lines[:first]) + ciscoconfparse2_tree(lines[first:], first)


def _unclosed_macro(lines: Sequence[str], first: int) -> int | None:
    """The first `macro name` line from `first` on with no `@` line after it."""
    closing = max((index for index in range(first, len(lines)) if lines[index].strip() == "@"), default=-1)
    return next(
        (index for index in range(first, len(lines)) if lines[index][:11] == "macro name " and index > closing), None
    )


def needs_ciscoconfparse2(lines: Sequence[str]) -> bool:
    """Whether the lines hold a construct ciscoconfparse2 post-processes (banner-like
    lines, `macro name`), which `build_block_tree` does not reproduce."""
    return _first_post_processed(lines) is not None


def ciscoconfparse2_start(lines: Sequence[str]) -> int | None:
    """Where ciscoconfparse2 must take over (None: nowhere): the last top-level command at
    or before the first line it post-processes. A top-level command empties the parent
    cache and no later line looks further back than it for a parent, and post-processing
    only touches the lines after a banner or macro line, so the lines before it get the
    same tree either way; ciscoconfparse2 then reads only the rest (often the last lines:
    IOS and the ASA print banners near the end)."""
    trigger = _first_post_processed(lines)
    if trigger is None:
        return None
    for index in range(trigger, 0, -1):
        line = BlockLine(index, lines[index])
        if line.indent == 0 and line.is_config_line:
            return index
    return 0


def _first_post_processed(lines: Sequence[str]) -> int | None:
    # Each of those lines holds one of these words: most files are passed by substring
    # search alone, without a regular expression per line.
    joined = "\n".join(lines)
    if not any(word in joined for word in _CCP_WORDS):
        return None
    return next(
        (
            index
            for index, line in enumerate(lines)
            if line[:11] == "macro name "
            # The substring tests first: every pattern of the case-sensitive `_CCP_BANNER` holds one
            # of them, and the regex on each of a 43,000-line file's lines cost 0.17 s.
            or (
                ("banner" in line or "aaa authentication fail-message" in line)
                and _CCP_BANNER.search(line)
                and not _banner_left_alone(line)
            )
        ),
        None,
    )


def _banner_left_alone(line: str) -> bool:
    """Whether ciscoconfparse2's banner pass leaves the tree of this banner-like line as
    indentation built it: when it finds no delimiter (`aaa authentication fail-message`,
    `banner` without text) or the delimiter closes on the same line (`banner motd
    Authorized only. All sessions logged.`, delimiter `A`), it adopts no following line.
    A one-line banner at the end of an ASA file then no longer costs the import of
    ciscoconfparse2 (about 0.6 s of CPU in each process). Braces are escaped in its line
    texts, so a line with one is left to it."""
    if "{" in line or "}" in line:
        return False
    found = _CCP_BANNER_DELIMITER.search(line)
    return found is None or len(line.split(found["bchar"])) > 2


def ciscoconfparse2_tree(lines: Sequence[str], first: int = 0) -> list[BlockLine]:
    """ciscoconfparse2's own tree (`CiscoConfParse(config=lines).objs`), copied into plain
    BlockLines numbered from `first`. Its objects answer `children` through a logging
    wrapper that costs more than the parse itself when walked line by line, so the tree is
    read once here. One bootstrap is enough: `CiscoConfParse.__init__` bootstraps the lines
    and then again the lines' `text` in its `commit`, which gives the same tree whenever
    the texts are the lines."""
    # Imported here: importing ciscoconfparse2 costs about a second of CPU, which a run
    # that parses nothing (its result cached, see result_cache.py) should not pay.
    # loguru (ciscoconfparse2's logger) likewise: 0.05 s of the first parse of an IOS config.
    from ciscoconfparse2 import CiscoConfParse, ConfigList, get_syntax_comment_delimiters  # type: ignore[import-untyped]
    from loguru import logger

    logger.disable("ciscoconfparse2")
    # Its methods log an exception they re-raise under their caller's name (this module),
    # which would print a traceback on stderr besides raising it.
    logger.disable(__name__)
    text = list(lines)
    delimiters = get_syntax_comment_delimiters(syntax="ios")
    objs = ConfigList(initlist=text, comment_delimiters=delimiters, syntax="ios", ccp_ref=object()).data
    if [obj.text for obj in objs] != text:
        objs = CiscoConfParse(config=text, ignore_blank_lines=False).objs
    copies = [BlockLine(first + offset, line) for offset, line in enumerate(text)]
    for obj, copy in zip(objs, copies, strict=True):
        copy.parent = copies[obj.parent.linenum]
        copy.children = [copies[child.linenum] for child in obj.children]
    return copies


def build_block_tree(lines: Sequence[str]) -> list[BlockLine]:
    """ciscoconfparse2's `ConfigList.bootstrap` parent/child assignment, without banners
    and macros (see `block_tree`)."""
    objs: list[BlockLine] = []
    parents_cache: dict[int, BlockLine] = {}
    max_indent = 0
    for linenum, text in enumerate(lines):
        obj = BlockLine(linenum, text)
        indent = obj.indent
        parent: BlockLine | None = None
        if obj.is_config_line and indent < max_indent:
            for cached in [level for level in parents_cache if level >= indent]:
                del parents_cache[cached]
        else:
            parent = parents_cache.get(indent)
        if indent > 0:
            if parent is None:
                for candidate in reversed(objs):
                    if candidate.indent < indent and candidate.is_config_line:
                        parent = parents_cache[indent] = candidate
                        break
            if parent is not None and not (obj.is_comment and objs[-1].indent > indent):
                parent.children.append(obj)
                obj.parent = parent
        if indent == 0 and obj.is_config_line:
            max_indent = 0
        elif indent > max_indent:
            max_indent = indent
        objs.append(obj)
    return objs
