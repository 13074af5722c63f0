"""The safety net: three levels of "when to get help", each warning sign at exactly one level.

Everything comes from treatments/content/safety_net.toml, read once. Pages and emails get their
"When to get help" block from `help_block()` (or `help_levels()`, the older name used by the
aftercare code); nothing else writes a warning sign. Numbers and services come from the CLINIC_*
settings, because an emergency number in one country is an advice line in another.
"""

from functools import cache

from django.conf import settings

from .content import read

LEVELS = ("contact", "advice", "emergency")
BLOCKS = ("condition", "procedure")
MAX_SIGNS_PER_LEVEL = 5


@cache
def definitions():
    """The parsed safety_net.toml, checked: every sign at a known level, every block within the limits."""
    data = read("safety_net")
    for key, sign in data["signs"].items():
        if sign["level"] not in LEVELS:
            raise ValueError(f"Safety-net sign {key!r} has an unknown level {sign['level']!r}")
    for name, block in data["blocks"].items():
        for level in LEVELS:
            if level not in block:
                continue
            ids = block[level]["signs"]
            if len(ids) > MAX_SIGNS_PER_LEVEL:
                raise ValueError(f"Safety-net block {name!r} lists more than {MAX_SIGNS_PER_LEVEL} {level} signs")
            for sign in ids:
                if data["signs"][sign]["level"] != level:
                    raise ValueError(f"Safety-net block {name!r} shows {sign!r} under {level!r}")
    return data


def signs():
    """{id: {"level", "text", "detect"}} for every warning sign."""
    return definitions()["signs"]


def _values():
    s = settings
    return {
        "clinic_name": s.CLINIC_NAME,
        "clinic_phone": s.CLINIC_PHONE,
        "opening_hours": s.CLINIC_OPENING_HOURS,
        "urgent_phone": s.CLINIC_URGENT_PHONE,
        "advice_service": s.CLINIC_OUT_OF_HOURS_ADVICE,
        "emergency_number": s.CLINIC_EMERGENCY_NUMBER,
        "emergency_department": s.CLINIC_EMERGENCY_DEPARTMENT,
    }


PHONES = {"contact": "clinic_phone", "advice": "urgent_phone", "emergency": "emergency_number"}


def help_block(block="procedure", levels=LEVELS):
    """The block's levels, in order: each with its label, heading, signs, catch-all line and what to do."""
    data = definitions()
    values = _values()
    result = []
    for key in LEVELS:
        if key not in levels or key not in data["blocks"][block]:
            continue
        level, shown = data["levels"][key], data["blocks"][block][key]
        result.append(
            {
                "key": key,
                "label": level["label"],
                "heading": shown.get("heading", level["heading"]).format(**values),
                "items": [data["signs"][sign]["text"] for sign in shown["signs"]],
                "catch_all": shown.get("catch_all", "").format(**values),
                "action": shown.get("action", level["action"]).format(**values),
                "phone": values[PHONES[key]],
            }
        )
    return result


def help_levels(levels=LEVELS, block="procedure"):
    """The post-procedure block (aftercare emails and pages); `block="condition"` for the milia page."""
    return help_block(block, levels)
