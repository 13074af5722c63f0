"""Contrast on the booking steps, measured in Chromium: WCAG 2.2 AA, non-text contrast included.

Edges of inputs, selects, radios and checkboxes and every focus indicator at 3:1 or more against
what surrounds them (1.4.11), text at 4.5:1 (1.4.3), from the colours the browser computes.
"""

import re

import pytest

from tests.support.contrast import contrast_ratio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# For each element: its colours as computed, and the opaque background behind it (the nearest
# ancestor's, white if none).
MEASURE = r"""
(el) => {
  const parse = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const background = (node) => {
    const layers = [];
    for (let n = node; n; n = n.parentElement) {
      const [r, g, b, a = 1] = parse(getComputedStyle(n).backgroundColor);
      if (a === 0 || r === undefined) continue;
      layers.push([r, g, b, a]);
      if (a === 1) break;
    }
    let [r, g, b] = [255, 255, 255];
    for (const [lr, lg, lb, la] of layers.reverse()) {
      [r, g, b] = [la * lr + (1 - la) * r, la * lg + (1 - la) * g, la * lb + (1 - la) * b];
    }
    return `rgb(${r}, ${g}, ${b})`;
  };
  const s = getComputedStyle(el);
  return {
    tag: el.tagName + (el.type ? '[' + el.type + ']' : '') + (el.id ? '#' + el.id : ''),
    color: s.color,
    border: s.borderTopColor,
    borderWidth: parseFloat(s.borderTopWidth),
    outline: s.outlineColor,
    outlineStyle: s.outlineStyle,
    outlineWidth: parseFloat(s.outlineWidth),
    own: s.backgroundColor,
    behind: background(el.parentElement),
    text: background(el),
  };
}
"""
STEPS = ["/book/", "/book/?consultation_type=milia-consultation&practitioner=any", "/book/details/"]
CONTROLS = "input:not([type=hidden]), select, textarea"
TEXT = "main p, main label, main legend, main h1, main h2, main a, main .btn, main dt, main dd, header .nav-link"


def rgb(colour):
    return tuple(float(n) for n in re.findall(r"[\d.]+", colour))


def flatten(colour, behind):
    """A colour with transparency, as seen over an opaque background."""
    parts = rgb(colour)
    if len(parts) < 4:
        return colour
    alpha = parts[3]
    under = rgb(behind)
    return "rgb({}, {}, {})".format(*(alpha * c + (1 - alpha) * u for c, u in zip(parts[:3], under[:3], strict=True)))


@pytest.fixture
def booking(page, live_server, plain_http_cookies, clinic_schedule, now):
    page.set_viewport_size({"width": 390, "height": 844})

    def visit(path):
        page.goto(live_server.url + path)
        return page

    return visit


def measured(page, selector):
    return [page.locator(selector).nth(i).evaluate(MEASURE) for i in range(page.locator(selector).count())]


@pytest.mark.parametrize("path", STEPS)
def test_booking_steps_meet_wcag_aa_contrast(booking, path):
    page = booking(path)

    # Edges of inputs, selects, radios and checkboxes: 3:1 against what surrounds them.
    controls = measured(page, CONTROLS)
    assert len(controls) >= 2
    for m in controls:
        assert m["borderWidth"] >= 1, m
        assert contrast_ratio(flatten(m["border"], m["behind"]), m["behind"]) >= 3, m

    # Text: 4.5:1 against its background.
    texts = measured(page, TEXT)
    assert len(texts) >= 5
    for m in texts:
        assert contrast_ratio(flatten(m["color"], m["text"]), m["text"]) >= 4.5, m

    # Focus indicators: a visible outline at 3:1, on each control and on a button reached by keyboard.
    visible = [c for c in page.locator(CONTROLS).all() if c.is_visible()]
    assert len(visible) >= 2
    for control in visible:
        control.focus()
        m = control.evaluate(MEASURE)
        assert m["outlineStyle"] != "none" and m["outlineWidth"] >= 2, m
        assert contrast_ratio(flatten(m["outline"], m["behind"]), m["behind"]) >= 3, m
    page.locator("main .btn").last.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    m = page.evaluate_handle("document.activeElement").as_element().evaluate(MEASURE)
    assert m["outlineStyle"] != "none", m
    assert contrast_ratio(flatten(m["outline"], m["behind"]), m["behind"]) >= 3, m


def test_the_measure_catches_bootstraps_own_borders(booking):
    """Negative control: without the site's colours, Bootstrap's pale edges fail the 3:1 test."""
    page = booking("/book/")
    field = page.locator("main").locator(CONTROLS).first
    field.evaluate("(el) => el.style.setProperty('border-color', '#dee2e6', 'important')")  # Bootstrap's colour
    m = field.evaluate(MEASURE)
    assert contrast_ratio(m["border"], m["behind"]) < 3
