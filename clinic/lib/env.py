"""Reading settings from the environment: helpers that fail loudly on a malformed value, and a local env file."""

import ipaddress
import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def read_env_file(path: str | os.PathLike[str] | None) -> None:
    """KEY=VALUE lines of a local env file (as `make run` writes it) into the environment, never over it.

    So `python manage.py …` works in a checkout without typing DEBUG=true first. Production sets
    its environment itself (compose's env_file; the image holds no .env); `ENV_FILE=` turns it off.
    """
    if not path or not Path(path).is_file():
        return
    for line in Path(path).read_text().splitlines():
        name, separator, value = line.partition("=")
        if separator and name.strip() and not name.lstrip().startswith("#"):
            os.environ.setdefault(name.strip(), value.strip())


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """The variable's text, or the default."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """true/false (also 1/0, yes/no, on/off); anything else stops the site starting."""
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    """A whole number; anything else stops the site starting."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    """Comma-separated values, blanks dropped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


_DAY = "(Mo|Tu|We|Th|Fr|Sa|Su)"
_TIME = "([01][0-9]|2[0-4]):[0-5][0-9]"
_OPENING_HOURS = re.compile(rf"{_DAY}([-,]{_DAY})* {_TIME}-{_TIME}")


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices`; anything else stops the site with a message naming them."""
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be {' or '.join(choices)}, not {value!r}")
    return value


def env_networks(name: str) -> list[str]:
    """A comma-separated list of IP addresses or networks; one that is neither stops the site."""
    values = env_list(name)
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {value!r} is not an IP address or network") from None
    return values


def env_opening_hours(name: str, default: str) -> list[str]:
    """Opening hours as schema.org writes them ("Mo-Fr 09:00-17:00"), ";" between several; else the site stops."""
    hours = [part.strip() for part in os.environ.get(name, default).split(";") if part.strip()]
    for part in hours:
        if not _OPENING_HOURS.fullmatch(part):
            raise ImproperlyConfigured(f"{name}: {part!r} is not like 'Mo-Fr 09:00-17:00' or 'Sa 10:00-13:00'")
    return hours


def broker_transport_options(url: str, folder: Path) -> dict[str, object]:
    """Celery's transport options for the broker URL: the file broker's folders (made here) or Redis's timeouts."""
    if url.startswith("filesystem"):
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            "control_folder": str(folder / "control"),
        }
    return {
        # Nothing we queue is delayed; a lost ack is redelivered after this long.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
        "max_retries": 1,
        "retry_on_timeout": False,
    }
