"""The patient information as data files: the milia page, the four treatments, the safety net.

Each page is a TOML file in this folder (sections in Markdown, FAQs, a treatment's aftercare
steps). The data migration `treatments/0002_initial_content` loads the pages once, and later data
migrations (`0005_safety_net_content`) refresh only what nobody has edited; after that
the admin is where content changes. The safety net (levels and warning signs) is
safety_net.toml, read by treatments.safety_net.
"""

import tomllib
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
CONDITION = "milia"
TREATMENTS = ("extraction", "laser", "dermabrasion", "excision")


def read(name):
    """One content file as plain data."""
    return tomllib.loads((FOLDER / f"{name}.toml").read_text(encoding="utf-8"))
