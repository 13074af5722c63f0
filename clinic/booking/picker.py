"""The time picker's data, made once in Python: what each radio shows and submits.

The template prints the grid `grid_html` makes: formatting six dates per radio in the template
cost more than finding the free times, and even printing ready strings cost a template
variable lookup and escape for each of some five hundred per week. A slot is a plain dataclass,
so a per-slot flag (for example "can't be changed online") is one more field filled in here.

Each radio and each day's group are kept once made (a bounded cache per process): the same
free times are shown to everyone who looks at that week until one is booked, so most of a
week's groups are found ready. The key is everything the HTML is made from, so a cached group
is always the one that would be made afresh.
"""

import datetime
import functools
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
    slots: tuple[PickerSlot, ...]


def day_heading(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def picker_days(
    days: list[tuple[datetime.date, list[datetime.datetime]]], fixed: frozenset[datetime.datetime] = frozenset()
) -> list[PickerDay]:
    """The picker's days from (day, [local start times]) pairs: every string each radio needs.

    `fixed` holds the starts that cannot be changed online once booked (labelled so).
    """
    return [
        PickerDay(day, day_heading(day), tuple(_slot(start, n, start in fixed) for n, start in enumerate(starts, 1)))
        for day, starts in days
    ]


@functools.lru_cache(maxsize=4096)
def _slot(start: datetime.datetime, n: int, fixed: bool) -> PickerSlot:
    time = f"{start:%H:%M}"
    return PickerSlot(
        start=start,
        value=start.isoformat(),
        id=f"slot-{start:%Y%m%d-%H%M}-{n}",
        time=time,
        label=f"{day_heading(start.date())} at {time}",  # a start's own day, usually the group's
        fixed=fixed,
    )


def grid_html(days: list[PickerDay], chosen: str | None = None) -> SafeString:
    """The radio groups of booking/_slot_picker.html, one fieldset a day; `chosen` (ISO start) is checked.

    Built with format_html (every value escaped), once per page rather than by a template loop
    per radio; a day's group is made once for the same day, times and checked radio.
    """
    return format_html_join("", "{}", ((_day_html(day, _chosen_in(day, chosen)),) for day in days))


def _chosen_in(day: PickerDay, chosen: str | None) -> str | None:
    """`chosen` if it is one of this day's radios (so the cached group of every other day serves)."""
    return chosen if chosen is not None and any(slot.value == chosen for slot in day.slots) else None


@functools.lru_cache(maxsize=1024)
def _day_html(day: PickerDay, chosen: str | None) -> SafeString:
    return format_html(DAY_HTML, day.heading, _slots_html(day, chosen))


def _slots_html(day: PickerDay, chosen: str | None) -> SafeString:
    if not day.slots:
        return NO_TIMES
    rows = (
        (slot.id, slot.value, CHECKED if slot.value == chosen else "", slot.label, slot.id, slot.time,
         FIXED_NOTE if slot.fixed else "")
        for slot in day.slots
    )  # fmt: skip
    return format_html_join("", SLOT_HTML, rows)
