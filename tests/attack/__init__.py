"""The attack run (`make attack`, `python -m tests.attack`): see tests/attack/__main__.py."""
