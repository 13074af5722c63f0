"""Write a `make bench` run into docs/PERFORMANCE.md: every figure as a ratio to floors measured in the same run."""

import re
from pathlib import Path

NOT_IN_PROCESS = ("seeded", "booking", "http")  # a shape's keys that are not one in-process page

START = "<!-- bench:start -->"
END = "<!-- bench:end -->"


def _row(name, value, trivial, static, last="queries"):
    spread = f"{value['p10_ms']:.2f}–{value['p90_ms']:.2f}"
    return (
        f"| {name} | {value['median_ms'] / trivial:.1f}× | {value['median_ms'] / static:.1f}× | "
        f"{value['median_ms']:.2f} ({spread}) | {value[last]} |"
    )


def served(results, shape) -> list[str]:
    """The shape's figures on gunicorn, as ratios to the trivial view and static file on the same gunicorn."""
    if "http" not in shape:
        return []
    http = shape["http"]
    trivial = http["trivial view"]["median_ms"]
    static = http["static file"]["median_ms"]
    lines = [
        "#### On gunicorn (HTTP, one connection)",
        "",
        f"{results.get('http_server', 'gunicorn')}; wall-clock time in the bench process from request sent "
        "to body read. Ratios are to the trivial view and static file on the same gunicorn; "
        '"new connections" counts TCP connections opened during the timed requests (0: all kept alive).',
        "",
        "| Request | × trivial view | × static file | ms, median (p10–p90) | new connections |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [_row(key, value, trivial, static, last="connections") for key, value in http.items()]
    return [*lines, ""]


def render(results) -> str:
    lines = [
        START,
        "",
        f"Run of {results['started']} to {results.get('finished', '?')}: {results['database']}, "
        f"{results['cpus']} cores, Python {results['python']}, {results['repeat']} requests per page after 3 "
        "warm-up ones. Ratios are to the trivial view and to the static file **of the same shape** "
        "(medians); milliseconds are medians with the 10th–90th percentile spread, and swing from run to run.",
        "",
    ]
    for name, shape in results["shapes"].items():
        trivial = shape["trivial view"]["median_ms"]
        static = shape["static file"]["median_ms"]
        lines += [
            f"### {name}",
            "",
            "| Request | × trivial view | × static file | ms, median (p10–p90) | queries |",
            "|---|---:|---:|---:|---:|",
        ]
        for key, value in shape.items():
            if key in NOT_IN_PROCESS:
                continue
            lines.append(_row(key, value, trivial, static))
        for step, value in shape["booking"].items():
            lines.append(_row(f"booking: {step}", value, trivial, static))
        lines.append("")
        lines += served(results, shape)
    lines += growth(results)
    if "mail" in results:
        lines += [
            "### Mail to a local SMTP server",
            "",
            "| Sender | emails/s | emails | × bare smtplib on one connection |",
            "|---|---:|---:|---:|",
        ]
        bare = results["mail"]["bare smtplib, one connection"]["per_s"]
        for key, value in results["mail"].items():
            lines.append(f"| {key} | {value['per_s']:.0f} | {value['emails']} | {value['per_s'] / bare:.2f} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def growth(results) -> list[str]:
    """Each page's server time at each size as a multiple of its time at the smallest size (same practitioners)."""
    by_people: dict[str, list[tuple[str, dict]]] = {}
    for name, shape in results["shapes"].items():
        people, size = name.split(", ")
        by_people.setdefault(people, []).append((size, shape))
    lines = []
    for people, shapes in by_people.items():
        if len(shapes) < 2:
            continue
        sizes = [size for size, _ in shapes]
        lines += [
            f"### Growth with history, {people} (median ms at each size ÷ at {sizes[0]})",
            "",
            "| Request | " + " | ".join(sizes) + " |",
            "|---|" + "---:|" * len(sizes),
        ]
        first = shapes[0][1]
        for key, value in first.items():
            if key in NOT_IN_PROCESS:
                continue
            cells = [f"{shape[key]['median_ms'] / value['median_ms']:.2f}×" for _, shape in shapes]
            lines.append(f"| {key} | " + " | ".join(cells) + " |")
        flow = first["booking"]["whole flow"]["median_ms"]
        cells = [f"{shape['booking']['whole flow']['median_ms'] / flow:.2f}×" for _, shape in shapes]
        lines += ["| booking: whole flow | " + " | ".join(cells) + " |", ""]
    return lines


def write(results, path: Path) -> None:
    text = path.read_text()
    block = render(results)
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n## Figures from the last `make bench`\n\n" + block + "\n"
    path.write_text(text)
