"""Greetings and sign-offs around a question. People type to a chat as they would to a colleague
("hey guys, should the contract be written as prose or as code? thx"); the words around the
question are no part of it, yet each counted as a word the knowledge base lacks: 9 of 30
questions of kb/'s evaluation set, answered as asked, were refused with a greeting or a
thank-you around them. `without_chatter` takes those off the question's two ends; a turn that is
nothing else ("thanks!", "hi", "No more, thanks") gets a short reply (`reply_to`), not "I could
not find any words to search for in that question"."""

from __future__ import annotations

import re

# Before the question: "hey,", "hi all!", "ok so", "um,", "quick question:", "pls help -". A
# greeting's mark is followed by a space ("hello.py fails" is no greeting), and a greeting
# without one stands before a question's opening ("hey how do I ...") or alone ("hi"); "Hello,
# World" is a name.
GREETING = re.compile(
    r"^(?:(?:hey|hi|hello|yo|ok(?:ay)?|so|um+)(?:\s+(?:guys|all|folks|team|everyone|there))?"
    r"(?!\W*world\b)"
    r"(?:\s*[,:;!.]+(?=\s|$)|\s*$|(?=\s+(?:how|what|why|when|where|which|who|is|are|can|could"
    r"|should|would|do|does|did|i|we|my|our|so|ok|okay|any|quick|question)\b))"
    r"|quick question\b|(?:question|pls help|please help|help)(?:\s*[:!,]|\s+[-–—]\s))"
    r"[\s,:;!.\-–—]*",
    re.I,
)
# After it: "thanks!", "thank you", "thx", "cheers", "pls", "any ideas?", "Any advice?",
# "(asking for a friend)", " :)"; "ty" and "tia" only after the question's own mark ("...? ty":
# "Should I use mypy or ty?" names Astral's type checker), and a sign-off asked as a question
# too ("How do I say thanks?"). Not "help" nor "ideas" alone: "How do I get help?" asks for it.
SIGN_OFF = re.compile(
    r"(?:\(?\b(?:thanks?(?: (?:you|a lot|so much|in advance))?|thx(?: in advance)?|cheers"
    r"|pls|plz|please|any (?:ideas|advice|tips|suggestions|thoughts)|asking for a friend"
    r"|(ty(?: in advance)?|tia))\b\)?"
    r"|(?<=\s)[:;]-?\)|[🙏😊🙂])\W*$",
    re.I,
)

# A turn closing the exchange: "No more(, thanks)", "Nothing else", "That's all", "Got it",
# "ok cool", "gotcha", "No thanks", "Bye". Not a bare "No" (small talk, nothing to answer), nor
# one asked ("That's all?", "Nothing else?": whether there is more).
_CLOSER = (
    r"(?:(?:no|nothing)\s+(?:more|else)|that(?:'?s|\s+is)\s+(?:all|enough|it|great|helpful)"
    r"|got it|gotcha|great|perfect|cool|nice|ok(?:ay)?|enough|no thanks|thanks?|thank you"
    r"|cheers|bye)"
)
CLOSING = re.compile(rf"^{_CLOSER}(?:[\s,.!]+{_CLOSER})*[\s,.!]*$", re.I)
# A turn that only greets: "hi", "hello there!", "good morning".
HELLO_ONLY = re.compile(
    r"^\W*(?:hi|hello|hey|yo|good (?:morning|afternoon|evening))"
    r"(?:\s+(?:there|all|guys|folks|team|everyone))?[\s,.!]*$",
    re.I,
)
HELLO = "Hello. Ask me a question about the knowledge base; I answer with the passages I quote."
WELCOME = "Glad to help. Ask another question whenever you like."


def reply_to(question: str) -> str | None:
    """The reply to a turn that asks nothing: a greeting, thanks, a sign-off; None for a
    question, and for a turn without a letter ("?", "...")."""
    text = question.strip()
    if not re.search(r"[^\W\d_]", text):
        return None
    if HELLO_ONLY.match(text):
        return HELLO
    core = without_chatter(text)
    return WELCOME if not core or CLOSING.match(core) or CLOSING.match(text) else None


def without_chatter(question: str) -> str:
    """The question without the greetings before it and the thanks after it; empty when that
    leaves no word (a bare "thanks!" asks nothing)."""
    core = question.strip()
    while match := GREETING.match(core):
        core = core[match.end() :]
    while match := SIGN_OFF.search(core):
        before = core[: match.start()].rstrip(" ,;-–—")
        marked = before.endswith(("?", ".", "!", ","))
        if not marked and (match.group(1) or match.group().rstrip().endswith("?")):
            break  # "Should I use mypy or ty?", "How do I say thanks?"
        core = before
    return core if re.search(r"\w", core) else ""
