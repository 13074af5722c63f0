"""Writing values into CSV files staff open in spreadsheets."""


def csv_safe(value: object) -> str:
    """Text a spreadsheet will not run as a formula (OWASP CSV injection); a phone number stays as it is."""
    value = str(value)
    if value[:1] in ("=", "@", "\t", "\r") or (value[:1] in ("+", "-") and not value[1:].isdigit()):
        return "'" + value
    return value
