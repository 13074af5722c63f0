"""Template helpers for what search engines and link previews read."""

import html

from django import template

from treatments import seo

register = template.Library()


class CaptureNode(template.Node):
    # Blocks inside stay overridable by child templates (ExtendsNode looks through child_nodelists).
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        # Stored as plain text (entities undone, whitespace collapsed), so it is escaped once where it is used.
        context[self.name] = " ".join(html.unescape(self.nodelist.render(context)).split())
        return ""


@register.tag
def capture(parser, token):
    """{% capture name %}…{% endcapture %}: render once, use as {{ name }} in several places (title, og:title)."""
    try:
        _, name = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("capture takes one name: {% capture name %}") from None
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, name)


@register.simple_tag
def clinic_json_ld():
    return seo.json_ld_script(seo.clinic_json_ld())


@register.filter
def condition_json_ld(page):
    return seo.json_ld_script(seo.condition_page_json_ld(page))


@register.filter
def treatment_json_ld(page):
    return seo.json_ld_script(seo.treatment_page_json_ld(page))
