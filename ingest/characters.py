"""Characters a page writes as codes: HTML character references (`&mdash;`) and emoji
shortcodes (`:white_check_mark:`), shown as the character the docs site draws."""

from __future__ import annotations

import html
import re
import unicodedata

# GitHub and Material for MkDocs emoji shortcodes, the ones docs use to mark good and bad
# examples or a warning (`=== ":x: Bad"`): shown as the emoji the site draws. Others stay as
# written.
EMOJI = {
    "x": "❌",
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "check": "✔️",
    "heavy_multiplication_x": "✖️",
    "negative_squared_cross_mark": "❎",
    "warning": "⚠️",
    "no_entry": "⛔",
    "no_entry_sign": "🚫",
    "stop_sign": "🛑",
    "exclamation": "❗",
    "question": "❓",
    "bulb": "💡",
    "information_source": "ℹ️",
    "memo": "📝",
    "pencil": "📝",
    "rocket": "🚀",
    "tada": "🎉",
    "sparkles": "✨",
    "star": "⭐",
    "fire": "🔥",
    "zap": "⚡",
    "boom": "💥",
    "bug": "🐛",
    "lock": "🔒",
    "key": "🔑",
    "construction": "🚧",
    "hourglass": "⌛",
    "+1": "👍",
    "thumbsup": "👍",
    "-1": "👎",
    "thumbsdown": "👎",
    "point_right": "👉",
    "arrow_right": "➡️",
    "arrow_left": "⬅️",
    "arrow_up": "⬆️",
    "arrow_down": "⬇️",
    "pray": "🙏",
    "smile": "😄",
    "wink": "😉",
    "thinking": "🤔",
    "nerd_face": "🤓",
    "red_circle": "🔴",
    "green_circle": "🟢",
    "large_blue_circle": "🔵",
    "heart": "❤️",
    "eyes": "👀",
    "mag": "🔍",
    "wrench": "🔧",
    "hammer": "🔨",
    "gear": "⚙️",
    "package": "📦",
    "books": "📚",
    "book": "📖",
    "link": "🔗",
}
EMOJI_CODE = re.compile(r"(?<![\w:`]):([a-z0-9_+-]+):(?![\w:`])")
# A character reference (`&mdash;`, `&#8212;`) reads as its character. Not one that would turn
# into markup (`&lt;`, `&#124;` in a table row, `&ast;`): that stays as the author escaped it.
ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
MARKUP_CHARACTERS = frozenset("<>&|*_`[]\\#~$!{}")


def entity_character(match: re.Match) -> str:
    """The character an entity stands for, unless it is markup, a control or formatting
    character (`&#10;` would break the line, `&#8203;` hides), or not an entity at all; a
    no-break space reads as a space."""
    character = html.unescape(match.group(0))
    if len(character) != 1 or character in MARKUP_CHARACTERS:
        return match.group(0)
    kind = unicodedata.category(character)
    if kind in {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}:
        return match.group(0)
    return " " if kind == "Zs" else character


def entities(text: str) -> str:
    """Prose with its character references as their characters (see entity_character)."""
    return ENTITY.sub(entity_character, text)


def emoji(text: str) -> str:
    """Prose with the known emoji shortcodes as the emoji; others stay as written."""
    return EMOJI_CODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)


def characters(text: str) -> str:
    """Prose with its character references and known emoji shortcodes as their characters."""
    return emoji(entities(text))
