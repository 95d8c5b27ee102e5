"""A small, escaping Markdown subset for notices and the manuals (docs/manual-*.md).

Supported: #/##/### headings, paragraphs, "- " and "1. " lists, "> " notes, **bold**, `code`,
simple | tables |, and, on a line of its own, an image `![说明](manual/name.png)` that must name a
file in prereg/static/manual/ (the manuals' screenshots, served by whitenoise): any other path,
URL or a missing file is shown as plain text. Everything is HTML-escaped first, so a notice
cannot inject markup.
"""

import re
from pathlib import Path

from django.conf import settings
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import mark_safe

DOCS_DIR = Path(settings.BASE_DIR) / "docs"
MANUAL_STATIC_DIR = Path(settings.BASE_DIR) / "prereg" / "static" / "manual"
IMAGE_LINE = re.compile(r"!\[([^\]\n]*)\]\((?:manual/)?([a-z0-9][a-z0-9-]{0,80}\.(?:png|jpg))\)")
MANUALS = {"candidate": ("考生操作手册", "manual-candidate.md"), "reviewer": ("审核操作手册", "manual-reviewer.md")}


def _inline(text: str) -> str:
    text = escape(text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", text)


def image(alt: str, name: str) -> str | None:
    """<figure> for a screenshot in prereg/static/manual/, or None when there is no such file."""
    if not (MANUAL_STATIC_DIR / name).is_file():
        return None
    try:
        url = static(f"manual/{name}")
    except ValueError:  # not in the manifest: collectstatic has not run since it was added
        return None
    return (f'<figure class="manual-shot"><img src="{escape(url)}" alt="{escape(alt)}" loading="lazy">'
            f"<figcaption>{escape(alt)}</figcaption></figure>")


def render(source: str) -> str:
    out: list[str] = []
    paragraph: list[str] = []
    list_tag = None
    table: list[list[str]] = []

    def flush():
        nonlocal list_tag, table
        if paragraph:
            out.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None
        if table:
            head, *body = table
            out.append('<div class="table-wrap"><table class="list"><thead><tr>'
                       + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr></thead><tbody>"
                       + "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in body)
                       + "</tbody></table></div>")
            table = []

    for raw in source.splitlines():
        line = raw.rstrip()
        heading = re.match(r"(#{1,4})\s+(.*)", line)
        bullet = re.match(r"\s*[-*]\s+(.*)", line)
        numbered = re.match(r"\s*\d+[.、]\s+(.*)", line)
        picture = IMAGE_LINE.fullmatch(line.strip())
        figure = image(picture.group(1), picture.group(2)) if picture else None
        if not line.strip():
            flush()
        elif figure:
            flush()
            out.append(figure)
        elif heading:
            flush()
            level = min(len(heading.group(1)) + 1, 5)  # the page has its own <h1>
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif line.startswith("|"):
            if paragraph or list_tag:
                flush()
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                table.append(cells)
        elif bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or table or (list_tag and list_tag != tag):
                flush()
            if list_tag is None:
                out.append(f"<{tag}>")
                list_tag = tag
            out.append(f"<li>{_inline((bullet or numbered).group(1))}</li>")
        elif line.startswith(">"):
            flush()
            out.append(f'<p class="note">{_inline(line.lstrip("> "))}</p>')
        else:
            if list_tag or table:
                flush()
            paragraph.append(line.strip())
    flush()
    return mark_safe("\n".join(out))  # noqa: S308 - every piece of text went through escape()


def manual(which: str) -> tuple[str, str]:
    """(title, rendered html) of a manual in docs/."""
    title, filename = MANUALS[which]
    path = DOCS_DIR / filename
    text = path.read_text(encoding="utf-8") if path.exists() else f"# {title}\n\n（手册尚未编写。）"
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):  # the file's own title becomes the page title
        title, text = lines[0][2:].strip(), "\n".join(lines[1:])
    return title, render(text)
