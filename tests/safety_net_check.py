"""Checking a rendered page or email against the safety net (treatments/content/safety_net.toml).

Inside a "When to get help" block, every listed sign must be one the definitions put at that
card's level. Outside the blocks, no paragraph or list item may name a warning sign together
with what to do about it (contact us, call, get help, urgent, emergency...): signs are placed at a
level only by the safety net.
"""

import re

from bs4 import BeautifulSoup

from treatments import safety_net

ACTION = re.compile(
    r"contact us|\bcall\b|tell us|let us know|get (urgent |medical |emergency )?help|ask (us|a doctor|a GP)"
    r"|see a (doctor|GP)|urgent|emergency|A&E|\b(999|111|112|911)\b",
    re.I,
)


def _texts_by_level():
    by_level: dict[str, set[str]] = {}
    for sign in safety_net.signs().values():
        by_level.setdefault(sign["level"], set()).add(sign["text"])
    return by_level


def _level_of(text):
    return next((s["level"] for s in safety_net.signs().values() if s["text"] == text), None)


def _action_in(text):
    """What to do, in the text; pointing to the "When to get help" block is not placing a sign at a level."""
    return ACTION.search(text.replace("When to get help", ""))


def _signs_named_in(text):
    return [key for key, sign in safety_net.signs().items() if re.search(sign["detect"], text, re.I)]


def check_html(html, where):
    """Problems found in one HTML page or email part: a list of strings (empty when all is well)."""
    problems = []
    doc = BeautifulSoup(html, "html.parser")
    blocks = doc.select("[data-safety-net]")
    for block in blocks:
        for card in block.select("[data-level]"):
            level = card["data-level"]
            heading = card.find(["h2", "h3", "h4"])
            if heading is None:
                problems.append(f"{where}: the {level} card has no heading element")
            items = [" ".join(li.get_text().split()) for li in card.find_all("li")]
            if len(items) > safety_net.MAX_SIGNS_PER_LEVEL:
                problems.append(f"{where}: {len(items)} signs in the {level} card")
            for item in items:
                if _level_of(item) != level:
                    problems.append(f"{where}: {item!r} shown as {level}, defined as {_level_of(item)}")
        block.decompose()
    for element in doc.find_all(["p", "li", "h1", "h2", "h3", "h4", "td", "dd", "dt", "div"]):
        if element.name == "div" and element.find(["p", "li", "div", "ul", "ol", "table"]):
            continue
        text = " ".join(element.get_text(" ").split())
        context = text
        if element.name == "li" and element.parent is not None:
            intro = element.parent.find_previous_sibling(["p", "h2", "h3", "h4"])
            context += " " + (intro.get_text(" ") if intro else "")
        named = _signs_named_in(text)
        if named and _action_in(context):
            problems.append(f"{where}: {named} written by hand with an action: {text[:120]!r}")
    return problems, len(blocks)


def check_text(text, where):
    """The same for a plain-text email part: the block starts at WHEN TO GET HELP."""
    problems = []
    body, _, block = text.partition("WHEN TO GET HELP")
    labels = {level["label"].upper(): key for key, level in safety_net.definitions()["levels"].items()}
    level = None
    for line in block.splitlines():
        label = line.split(":", 1)[0]
        if label in labels:
            level = labels[label]
        elif line.startswith("  - "):
            item = line[4:].strip()
            if _level_of(item) != level:
                problems.append(f"{where}: {item!r} shown as {level}, defined as {_level_of(item)}")
    chunks = [c.strip() for c in re.split(r"\n\s*\n", body) if c.strip()]
    for index, chunk in enumerate(chunks):
        context = chunk + (" " + chunks[index - 1] if chunk.startswith("- ") and index else "")
        named = _signs_named_in(chunk)
        if named and _action_in(context):
            problems.append(f"{where}: {named} written by hand with an action: {chunk[:120]!r}")
    return problems, int(bool(block))
