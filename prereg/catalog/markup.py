"""Notices and the manuals (docs/manual-*.md) as HTML: Markdown by Python-Markdown, cleaned by nh3.

The 考区 writes Markdown: #/##/### headings, paragraphs (a line break in the text stays one), "- " and
"1. " lists, "> " notes, **bold**, *emphasis*, `code`, [links](https://…),
| tables |, and, as a paragraph of its own, a screenshot `![说明](manual/name.png)` that must name a
file in prereg/static/manual/ (served by whitenoise); no other picture is shown. HTML typed into the
text is shown as text, and nh3 keeps only the tags, attributes and URL schemes below, so a notice
cannot bring a script, an event handler, a style (the CSP forbids inline ones) or a javascript: link.
"""

import re
import xml.etree.ElementTree as etree
from pathlib import Path

import markdown
import nh3
from django.conf import settings
from django.templatetags.static import static
from django.utils.safestring import mark_safe
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

DOCS_DIR = Path(settings.BASE_DIR) / "docs"
MANUAL_STATIC_DIR = Path(settings.BASE_DIR) / "prereg" / "static" / "manual"
IMAGE_LINE = re.compile(r"!\[([^\]\n]*)\]\((?:manual/)?([a-z0-9][a-z0-9-]{0,80}\.(?:png|jpg))\)")
LIST_ITEM = re.compile(r"(?:(?P<ul>[-*+])|(?P<ol>\d+\.))\s")
MANUALS = {
    "candidate": ("考生操作手册", "manual-candidate.md"),
    "reviewer": ("审核操作手册", "manual-reviewer.md"),
}

SANITIZER = nh3.Cleaner(
    tags={"h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "a"}
    | {"ul", "ol", "li", "div", "table", "thead", "tbody", "tr", "th", "td", "figure", "img", "figcaption"},
    attributes={"a": {"href", "title"}, "ol": {"start"}, "img": {"src", "alt", "loading"}},
    allowed_classes={
        "div": {"table-wrap"},
        "table": {"list"},
        "blockquote": {"note"},
        "figure": {"manual-shot"},
    },
    url_schemes={"http", "https", "mailto"},  # and relative links, which nh3 passes through
    link_rel="noopener noreferrer",
)


class LineRules(Preprocessor):
    """Notices were written, and are still typed into a textarea, to the line rules of the renderer
    before Markdown: a list item or a table row right under a line of text starts the list or the
    table, and a line of text right under them ends it. Markdown wants a blank line in both places;
    this puts one there. An indented line still continues the list item above it (as in
    docs/manual-reviewer.md)."""

    @staticmethod
    def kind(line):
        if not line.strip() or line[0].isspace():
            return None  # a blank line, or an indented one, which Markdown reads with the list item above
        if item := LIST_ITEM.match(line):
            return item.lastgroup  # "ul" or "ol": a switch between them starts a new list, as it did
        return "table" if line.startswith("|") else "text"

    def run(self, lines):
        out = []
        for line in lines:
            above, here = self.kind(out[-1]) if out else None, self.kind(line)
            if above and here and above != here:
                out.append("")
            out.append(line)
        return out


class ManualScreenshot(BlockProcessor):
    """A paragraph that is only `![说明](manual/name.png)`, naming a file in prereg/static/manual/,
    becomes a <figure>."""

    def test(self, parent, block):
        picture = IMAGE_LINE.fullmatch(block.strip())
        return bool(picture) and (MANUAL_STATIC_DIR / picture.group(2)).is_file()

    def run(self, parent, blocks):
        alt, name = IMAGE_LINE.fullmatch(blocks[0].strip()).groups()
        try:
            url = static(f"manual/{name}")
        except ValueError:  # not in the manifest: collectstatic has not run since it was added
            return False  # the line stays a paragraph of text
        blocks.pop(0)
        figure = etree.SubElement(parent, "figure", {"class": "manual-shot"})
        etree.SubElement(figure, "img", {"src": url, "alt": alt, "loading": "lazy"})
        etree.SubElement(figure, "figcaption").text = alt
        return None


class AppLook(Treeprocessor):
    """The classes app.css and years.css style: a table scrolls sideways inside div.table-wrap,
    a "> " note is grey."""

    def run(self, root):
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "table":
                    child.set("class", "list")
                    wrap = etree.Element("div", {"class": "table-wrap"})
                    wrap.append(child)
                    parent[index] = wrap
                elif child.tag == "blockquote":
                    child.set("class", "note")


class NoticeMarkdown(Extension):
    def extendMarkdown(self, md):
        # HTML in the text is escaped, not parsed (Python-Markdown's 2.6 release notes, safe_mode="escape").
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.preprocessors.register(LineRules(md), "line_rules", 25)
        # The manuals' screenshots (ManualScreenshot) are the only pictures.
        for name in ("image_link", "image_reference", "short_image_ref"):
            md.inlinePatterns.deregister(name)
        md.parser.blockprocessors.register(ManualScreenshot(md.parser), "manual_screenshot", 12)
        md.treeprocessors.register(AppLook(md), "app_look", 15)


def render(source: str) -> str:
    html = markdown.markdown(
        source,
        extensions=[
            NoticeMarkdown(),
            "tables",
            "sane_lists",
            "nl2br",
            "toc",  # for baselevel only: "#" is an <h2>, the page has its own <h1>; no [TOC] marker
        ],
        extension_configs={"toc": {"baselevel": 2, "marker": ""}},
    )
    return mark_safe(SANITIZER.clean(html))  # safe: nh3 let through only the tags and attributes above


def manual(which: str) -> tuple[str, str]:
    """(title, rendered html) of a manual in docs/."""
    title, filename = MANUALS[which]
    path = DOCS_DIR / filename
    text = path.read_text(encoding="utf-8") if path.exists() else f"# {title}\n\n（手册尚未编写。）"
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):  # the file's own title becomes the page title
        title, text = lines[0][2:].strip(), "\n".join(lines[1:])
    return title, render(text)
