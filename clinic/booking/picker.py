"""The time picker's data, made once in Python: what each radio shows and submits.

The template prints the grid `grid_html` makes: formatting six dates per radio in the template
cost more than finding the free times, and even printing ready strings cost a template
variable lookup and escape for each of some five hundred per week. A slot is a plain dataclass,
so a per-slot flag (for example "can't be changed online") is one more field filled in here.
"""

import datetime
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

FIXED_NOTE = ' <small class="slot-fixed">(can\'t be changed online)</small>'


@dataclass(frozen=True)
class PickerSlot:
    """One radio: its value (ISO start), id, the time shown, the full label announced, and whether it is fixed."""

    start: datetime.datetime  # clinic time
    value: str
    id: str
    time: str
    label: str
    fixed: bool = False  # inside the change cut-off: bookable, but not changeable online


@dataclass(frozen=True)
class PickerDay:
    day: datetime.date
    heading: str  # "Tuesday 8 December"
    slots: list[PickerSlot]


def day_heading(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def picker_days(
    days: list[tuple[datetime.date, list[datetime.datetime]]], fixed: frozenset[datetime.datetime] = frozenset()
) -> list[PickerDay]:
    """The picker's days from (day, [local start times]) pairs: every string each radio needs.

    `fixed` holds the starts that cannot be changed online once booked (labelled so).
    """
    result = []
    headings: dict[datetime.date, str] = {}  # a start's own day, usually the group's: formatted once
    for day, starts in days:
        heading = headings[day] = headings.get(day) or day_heading(day)
        slots = []
        for n, start in enumerate(starts, start=1):
            time = f"{start:%H:%M}"
            own_day = start.date()
            if own_day not in headings:
                headings[own_day] = day_heading(own_day)
            slots.append(
                PickerSlot(
                    start=start,
                    value=start.isoformat(),
                    id=f"slot-{start:%Y%m%d-%H%M}-{n}",
                    time=time,
                    label=f"{headings[own_day]} at {time}",
                    fixed=start in fixed,
                )
            )
        result.append(PickerDay(day, heading, slots))
    return result


def grid_html(days: list[PickerDay], chosen: str | None = None) -> SafeString:
    """The radio groups of booking/_slot_picker.html, one fieldset a day; `chosen` (ISO start) is checked."""
    parts = []
    for day in days:
        parts.append(
            '<div class="col"><fieldset class="card h-100">'
            f'<legend class="card-header h6 mb-0 float-none w-auto px-3 py-2">{escape(day.heading)}</legend>'
            '<div class="card-body">'
        )
        for slot in day.slots:
            checked = " checked" if slot.value == chosen else ""
            parts.append(
                '<div class="form-check form-check-inline slot">'
                # id, value and time are digits and ISO punctuation (made above); the label has words.
                f'<input class="form-check-input" type="radio" name="slot" id="{slot.id}"'
                f' value="{slot.value}"{checked} required data-label="{escape(slot.label)}">'
                f'<label class="form-check-label" for="{slot.id}">{slot.time}'
                f"{FIXED_NOTE if slot.fixed else ''}</label></div>"
            )
        if not day.slots:
            parts.append('<p class="text-body-secondary mb-0">No times free</p>')
        parts.append("</div></fieldset></div>")
    return mark_safe("".join(parts))  # noqa: S308 (every string in it escaped above)
