"""The time picker's data, made once in Python: what each radio shows and submits.

The template only prints these strings; formatting six dates per radio in the template cost
more than finding the free times. A slot is a plain dataclass, so a per-slot flag (for example
"can't be changed online") is one more field filled in here.
"""

import datetime
from dataclasses import dataclass


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
    for day, starts in days:
        heading = day_heading(day)
        slots = []
        for n, start in enumerate(starts, start=1):
            time = f"{start:%H:%M}"
            slots.append(
                PickerSlot(
                    start=start,
                    value=start.isoformat(),
                    id=f"slot-{start:%Y%m%d-%H%M}-{n}",
                    time=time,
                    label=f"{day_heading(start.date())} at {time}",
                    fixed=start in fixed,
                )
            )
        result.append(PickerDay(day, heading, slots))
    return result
