"""The initial patient information as data files: the milia page, the four treatments, the help levels.

Each page is a TOML file in this folder (sections in Markdown, FAQs, a treatment's aftercare
steps). The data migration `treatments/0002_initial_content` loads the pages once; after that
the admin is where content changes. Reading the help levels reads only help_levels.toml.
"""

import tomllib
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
CONDITION = "milia"
TREATMENTS = ("extraction", "laser", "dermabrasion", "excision")


def read(name):
    """One content file as plain data."""
    return tomllib.loads((FOLDER / f"{name}.toml").read_text(encoding="utf-8"))


@cache
def help_level_signs():
    """{level: [sign, ...]} for the three "when to get help" levels."""
    return read("help_levels")
