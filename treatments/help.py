"""The three-level "when to get help" block, shared by pages and emails: see treatments.safety_net."""

from .safety_net import LEVELS, help_block, help_levels

__all__ = ["LEVELS", "help_block", "help_levels"]
