"""What search engines and link previews read: head tags, JSON-LD, the sitemap and robots.txt."""

import datetime
import json
import urllib.robotparser

import pytest
from defusedxml import ElementTree as ET
from django.core.exceptions import ImproperlyConfigured

from clinic.lib.env import env_opening_hours
from clinic.staff import roles
from tests.helpers import soup
from tests.review_fixtures import sign_off_all_content
from treatments.models import ConditionPage, TreatmentPage

pytestmark = pytest.mark.django_db

SITE = "https://clinic.test"
TREATMENT_SLUGS = ["extraction", "laser", "dermabrasion", "excision"]
INDEXED = ["/", "/milia/", "/treatments/", *(f"/treatments/{s}/" for s in TREATMENT_SLUGS), "/book/", "/privacy/"]
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def head(client, url):
    return soup(client.get(url)).find("head")


def json_ld(client, url):
    """Every JSON-LD object of the page, parsed (graphs flattened)."""
    found = []
    for script in soup(client.get(url)).find_all("script", type="application/ld+json"):
        data = json.loads(script.string)
        found += data.get("@graph", [data])
    return found


def test_each_public_page_has_its_own_title_and_description(client):
    heads = [head(client, url) for url in INDEXED]
    titles = [h.title.string for h in heads]
    descriptions = [h.find("meta", attrs={"name": "description"})["content"] for h in heads]
    assert len(set(titles)) == len(INDEXED), titles
    assert len(set(descriptions)) == len(INDEXED), descriptions
    assert all(d.strip() for d in descriptions)


@pytest.mark.parametrize("url", INDEXED)
def test_public_pages_have_a_canonical_link_and_open_graph_tags(client, url):
    tags = head(client, url)
    canonical = SITE + url
    assert tags.find("link", rel="canonical")["href"] == canonical
    og = {m["property"]: m["content"] for m in tags.find_all("meta", property=True)}
    assert og["og:url"] == canonical
    assert og["og:title"] == tags.title.string
    assert og["og:description"] == tags.find("meta", attrs={"name": "description"})["content"]
    assert og["og:type"] in {"website", "article"}
    assert og["og:site_name"] == "Riverside Skin Clinic"
    assert not tags.find("meta", attrs={"name": "robots"})


def test_the_canonical_address_drops_the_query_string(client):
    tags = head(client, "/book/?treatment=laser")
    assert tags.find("link", rel="canonical")["href"] == SITE + "/book/"


def test_titles_are_escaped_once(client):
    TreatmentPage.objects.filter(slug="laser").update(seo_title="Laser & <you>", seo_description='Say "ah" & go')
    sign_off_all_content()  # an edit needs a clinician's sign-off before the public sees it
    tags = head(client, "/treatments/laser/")
    assert tags.title.string == "Laser & <you> – Riverside Skin Clinic"
    assert tags.find("meta", property="og:title")["content"] == "Laser & <you> – Riverside Skin Clinic"
    assert tags.find("meta", property="og:description")["content"] == 'Say "ah" & go'
    assert "&amp;amp;" not in client.get("/treatments/laser/").content.decode()


@pytest.mark.parametrize(
    "url", ["/book/times/", "/manage/not-a-real-token/", "/aftercare/done/", "/email/unsubscribed/", "/search/?q=laser"]
)
def test_private_and_search_pages_say_noindex_and_have_no_canonical(client, url, clinic_schedule):
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})  # for /book/times/
    response = client.get(url)
    assert response.status_code in {200, 404}
    page = soup(response)
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert not page.find("link", rel="canonical")
    assert not page.find("meta", property="og:url")


def test_the_milia_page_is_a_medical_web_page_about_the_condition(client):
    objects = json_ld(client, "/milia/")
    webpage = next(o for o in objects if o["@type"] == "MedicalWebPage")
    assert webpage["url"] == SITE + "/milia/"
    assert webpage["about"]["@type"] == "MedicalCondition"
    assert webpage["about"]["name"] == "Milia"
    page = ConditionPage.objects.get(slug="milia")
    assert webpage["lastReviewed"] == page.reviewed_on.isoformat()  # the clinician's sign-off
    assert webpage["reviewedBy"] == {"@type": "Person", "name": page.reviewed_by}
    assert {o["@type"] for o in objects} == {"MedicalWebPage", "MedicalClinic"}


@pytest.mark.parametrize("slug", TREATMENT_SLUGS)
def test_each_treatment_page_describes_its_medical_procedure(client, slug):
    objects = json_ld(client, f"/treatments/{slug}/")
    procedure = next(o for o in objects if o["@type"] == "MedicalProcedure")
    assert procedure["name"] == TreatmentPage.objects.get(slug=slug).title
    assert procedure["url"] == f"{SITE}/treatments/{slug}/"
    webpage = next(o for o in objects if o["@type"] == "MedicalWebPage")
    assert webpage["about"] == {"@id": procedure["@id"]}


def test_the_clinic_is_a_medical_clinic_with_its_address_and_hours_from_settings(client, settings):
    settings.CLINIC_ADDRESS_STREET = "2 River Walk"
    settings.CLINIC_ADDRESS_LOCALITY = "Riverton"
    settings.CLINIC_ADDRESS_POSTCODE = "RV1 1AA"
    settings.CLINIC_OPENING_HOURS_SCHEMA = ["Mo-Fr 09:00-17:00", "Sa 10:00-13:00"]
    (clinic,) = json_ld(client, "/")
    assert clinic["@type"] == "MedicalClinic"
    assert clinic["name"] == "Riverside Skin Clinic"
    assert clinic["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "2 River Walk",
        "addressLocality": "Riverton",
        "postalCode": "RV1 1AA",
        "addressCountry": "GB",
    }
    assert clinic["openingHours"] == ["Mo-Fr 09:00-17:00", "Sa 10:00-13:00"]


def test_json_ld_cannot_close_its_script_element(client):
    TreatmentPage.objects.filter(slug="laser").update(summary="</script><script>alert(1)</script> & <!--")
    sign_off_all_content()
    body = client.get("/treatments/laser/").content.decode()
    assert "</script><script>alert(1)" not in body.split("application/ld+json", 1)[1].split("</head>")[0]
    procedure = next(o for o in json_ld(client, "/treatments/laser/") if o["@type"] == "MedicalProcedure")
    assert procedure["description"] == "</script><script>alert(1)</script> & <!--"


def test_opening_hours_in_the_wrong_form_stop_the_site_starting(monkeypatch):
    monkeypatch.setenv("HOURS", "Mo-Fr 09:00-17:00; Sa 10:00-13:00")
    assert env_opening_hours("HOURS", "") == ["Mo-Fr 09:00-17:00", "Sa 10:00-13:00"]
    monkeypatch.setenv("HOURS", "Monday to Friday, 9 to 5")
    with pytest.raises(ImproperlyConfigured, match="HOURS"):
        env_opening_hours("HOURS", "")


def test_the_sitemap_lists_the_published_pages_with_their_last_change(client):
    TreatmentPage.objects.filter(slug="excision").update(status="draft")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    entries = {u.findtext("s:loc", namespaces=SITEMAP_NS): u for u in root.findall("s:url", SITEMAP_NS)}
    assert set(entries) == {SITE + url for url in INDEXED} - {SITE + "/treatments/excision/"}
    laser = TreatmentPage.objects.get(slug="laser")
    lastmod = datetime.datetime.fromisoformat(
        entries[SITE + "/treatments/laser/"].findtext("s:lastmod", namespaces=SITEMAP_NS)
    )
    assert lastmod == laser.updated_at.replace(microsecond=0)
    assert entries[SITE + "/milia/"].findtext("s:lastmod", namespaces=SITEMAP_NS)


def test_the_sitemap_uses_site_url_whatever_the_host(client):
    response = client.get("/sitemap.xml", HTTP_HOST="localhost")
    assert b"https://clinic.test/milia/" in response.content
    assert b"localhost" not in response.content


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in text.splitlines()
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(text.splitlines())
    for url in INDEXED + ["/search/?q=laser"]:
        assert robots.can_fetch("*", SITE + url), url
    for url in [
        "/manage/abc/",
        "/aftercare/abc/",
        "/email/unsubscribe/abc/",
        "/book/times/",
        "/book/details/",
        "/book/questions/",
        "/book/review/",
        "/book/confirmed/",
        "/admin/",
        "/dev/mail/",
    ]:
        assert not robots.can_fetch("*", SITE + url), url


def test_robots_txt_does_not_publish_an_admin_address_of_the_clinics_choosing(client, settings):
    settings.ADMIN_URL = "staff-7f3a/"
    text = client.get("/robots.txt").content.decode()
    assert "staff-7f3a" not in text
    assert "Disallow: /admin/" not in text


@pytest.mark.parametrize("role", [None, roles.RECEPTION, roles.CLINICIAN, roles.CLINIC_MANAGER, roles.CONTENT_EDITOR])
def test_every_role_and_anonymous_get_the_same_public_robots_and_sitemap(client, staff_client, role):
    """Reception, clinician, clinic manager, content editor and anonymous: 200, and drafts are never listed."""
    TreatmentPage.objects.filter(slug="excision").update(status="draft")
    visitor = staff_client(role) if role else client
    for url in ["/robots.txt", "/sitemap.xml"]:
        assert visitor.get(url).status_code == 200, (role, url)
    assert b"/treatments/excision/" not in visitor.get("/sitemap.xml").content


def test_a_page_that_is_not_found_says_noindex_and_names_no_canonical_address(client):
    page = soup(client.get("/treatments/no-such-treatment/"))
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert not page.find("link", rel="canonical")
