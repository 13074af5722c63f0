"""The time picker's data, made once in Python: what each radio shows and submits.

The template prints the grid `grid_html` makes: formatting six dates per radio in the template
cost more than finding the free times, and even printing ready strings cost a template
variable lookup and escape for each of some five hundred per week. A slot is a plain dataclass,
so a per-slot flag (for example "can't be changed online") is one more field filled in here.
"""

import datetime
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

FIXED_NOTE = format_html(' <small class="slot-fixed">{}</small>', "(can't be changed online)")
NO_TIMES = format_html('<p class="text-body-secondary mb-0">{}</p>', "No times free")
CHECKED = format_html("{}", " checked")
DAY_HTML = (
    '<div class="col"><fieldset class="card h-100">'
    '<legend class="card-header h6 mb-0 float-none w-auto px-3 py-2">{}</legend>'
    '<div class="card-body">{}</div></fieldset></div>'
)
SLOT_HTML = (
    '<div class="form-check form-check-inline slot">'
    '<input class="form-check-input" type="radio" name="slot" id="{}" value="{}"{} required data-label="{}">'
    '<label class="form-check-label" for="{}">{}{}</label></div>'
)


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
    """The radio groups of booking/_slot_picker.html, one fieldset a day; `chosen` (ISO start) is checked.

    Built with format_html_join (every value escaped), once per page rather than by a template
    loop per radio.
    """
    return format_html_join("", DAY_HTML, ((day.heading, _slots_html(day, chosen)) for day in days))


def _slots_html(day: PickerDay, chosen: str | None) -> SafeString:
    if not day.slots:
        return NO_TIMES
    rows = (
        (slot.id, slot.value, CHECKED if slot.value == chosen else "", slot.label, slot.id, slot.time,
         FIXED_NOTE if slot.fixed else "")
        for slot in day.slots
    )  # fmt: skip
    return format_html_join("", SLOT_HTML, rows)
