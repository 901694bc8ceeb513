"""A light English stemmer for keyword search and relevance: inflections only, no derivations.

One stem for a word's plural and verb forms (decode, decodes, decoded, decoding -> decod;
create, created -> creat; write, wrote, written -> write), and none shared by two different
words: a final e is dropped only where no shorter word is left (core, cores -> core, not cor like
CORS; time -> time, not tim; none -> none, not non), -es is not an ending of its own (mentees
-> mentee, not ment) and -ing needs a vowel before it (string is not str). The rules are
Porter's steps 1a/1b and 5a (its "measure" and "short syllable" tests) with the -y/-ies/-ied
forms kept as one stem in -y, plus the irregular forms of common verbs. A doubled consonant is
undone after a word of two or more syllables (committed, formatting -> commit, format) but kept
after one (running -> runn): undoing that too joins a noun to another verb (sitting/sit,
setting/set), which moved answers and one refusal threshold.
"""

from __future__ import annotations

from functools import lru_cache

# Past forms of common English verbs that no rule reaches. Forms that are also another word
# (left, saw, bound, felt, led, stuck) or mostly an adjective or a term in technical text
# (given, built-in, known, broken, hidden, frozen, data-driven) are left out.
IRREGULAR = {
    form: verb
    for verb, forms in {
        "begin": "began begun",
        "break": "broke",
        "bring": "brought",
        "buy": "bought",
        "catch": "caught",
        "choose": "chose chosen",
        "come": "came",
        "draw": "drew drawn",
        "drive": "drove",
        "fall": "fell fallen",
        "feed": "fed",
        "find": "found",
        "fly": "flew flown",
        "forget": "forgot forgotten",
        "freeze": "froze",
        "get": "got gotten",
        "give": "gave",
        "go": "goes going went gone",
        "grow": "grew grown",
        "hide": "hid",
        "hold": "held",
        "keep": "kept",
        "know": "knew",
        "learn": "learnt",
        "lose": "lost",
        "make": "made",
        "mean": "meant",
        "meet": "met",
        "override": "overrode overridden",
        "pay": "paid",
        "rewrite": "rewrote rewritten",
        "run": "ran",
        "say": "said",
        "seek": "sought",
        "see": "seen",
        "sell": "sold",
        "send": "sent",
        "show": "shown",
        "sleep": "slept",
        "speak": "spoke spoken",
        "spend": "spent",
        "stand": "stood",
        "take": "took taken",
        "teach": "taught",
        "tell": "told",
        "think": "thought",
        "throw": "threw thrown",
        "understand": "understood",
        "write": "wrote written",
    }.items()
    for form in forms.split()
}
VOWELS = "aeiou"


@lru_cache(maxsize=1 << 16)  # an ingest stems ~100 words per chunk, mostly the same few thousand
def stem(word: str) -> str:
    """The stem of a lower-case word."""
    word = IRREGULAR.get(word, word)
    if len(word) >= 5 and word.endswith("ie"):
        return word[:-2] + "y"  # cookie -> cooky, as cookies
    if len(word) >= 5 and word.endswith(("ies", "ied")):
        return word[:-3] + "y"  # modifies, modified, tries -> modify, try
    if word.endswith("sses"):
        return word[:-2]
    if len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ias")):
        word = word[:-1]  # not class, status, analysis, alias
    if word.endswith("eed"):  # agreed -> agree; need, speed stay
        return word[:-1] if _measure(word[:-3]) > 0 else word
    for suffix in ("ing", "ed"):
        base = word[: -len(suffix)]
        voiced = "v" in _shape(base)
        if word.endswith(suffix) and len(base) >= 3 and voiced:
            return _restore(base)  # not string, thing, red
    return _silent_e(word)


def _restore(base: str) -> str:
    """The stem of a verb whose -ing or -ed was cut, its e put back where the verb has one, so
    that it meets the verb's own stem (creat-ed, hop-ing, queu-ed, decod-ing)."""
    if base.endswith(("at", "bl", "iz", "u")):
        return _silent_e(base + "e")
    if base[-1] == base[-2] and base[-1] not in VOWELS + "lsz" and _measure(base[:-1]) > 1:
        return base[:-1]  # committ-ed, formatt-ing -> commit, format; not fall, miss, sett-ing
    if _measure(base) == 1 and _short(base):
        return base + "e"  # hop-ing -> hope, tim-ing -> time
    return _silent_e(base)


def _silent_e(word: str) -> str:
    """Without a final e, unless that leaves a short word of its own (core/cor, time/tim,
    none/non, huge/hug, one/on) or ends in ee (mentee, agree)."""
    if len(word) < 4 or not word.endswith("e") or word.endswith("ee"):
        return word
    base = word[:-1]
    measure = _measure(base)
    return base if measure > 1 or (measure == 1 and not _short(base)) else word


def _shape(word: str) -> str:
    """The word as vowels (v) and consonants (c): a, e, i, o, u are vowels, and so is a y after
    a consonant (typing: cvcvcc; in yield and play, y is a consonant)."""
    shape = ""
    for letter in word:
        vowel = letter in VOWELS or (letter == "y" and shape[-1:] == "c")
        shape += "v" if vowel else "c"
    return shape


def _measure(word: str) -> int:
    """How many vowel-then-consonant runs the word has (Porter's m): tr, ee 0; trouble, oats 1;
    private, decod 2."""
    return _shape(word).count("vc")


def _short(word: str) -> bool:
    """Ends consonant, vowel, consonant, the last not w, x or y (hop, tim, cor, but not box)."""
    return _shape(word).endswith("cvc") and word[-1] not in "wxy"
