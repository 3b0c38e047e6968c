"""Accessibility checks that can be asserted on HTML alone (a subset of WCAG 2.2 A/AA).

What a parser can see: the page's language, one h1 and headings that do not skip a level,
a skip link to the main landmark, the landmarks themselves, captions and header scopes on
tables, a label for every form control, unique ids and resolvable references, and nothing
that needs JavaScript or inline styles (which the Content-Security-Policy forbids anyway).
Contrast and focus order need a browser; these checks do not replace one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

FORM_CONTROLS = {"input", "select", "textarea"}
NOT_LABELLED = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    #: the elements this one is inside, outermost first
    parents: tuple[Element, ...] = field(default=(), repr=False)


@dataclass
class _Collector(HTMLParser):
    elements: list[Element] = field(default_factory=list)
    _open: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, parents=tuple(self._open))
        self.elements.append(element)
        if tag not in {"meta", "link", "br", "hr", "img", "input", "area", "base", "col", "wbr"}:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data


def parse(html: str) -> list[Element]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.elements


def problems(html: str) -> list[str]:
    """Every accessibility problem found in ``html``; empty when it passes."""
    elements = parse(html)
    found: list[str] = []
    by_tag: dict[str, list[Element]] = {}
    for element in elements:
        by_tag.setdefault(element.tag, []).append(element)

    html_tags = by_tag.get("html", [])
    if not html_tags or html_tags[0].attrs.get("lang") != "en-GB":
        found.append('the page does not declare lang="en-GB"')
    titles = by_tag.get("title", [])
    if not titles or not titles[0].text.strip():
        found.append("the page has no title")

    h1s = by_tag.get("h1", [])
    if len(h1s) != 1:
        found.append(f"the page has {len(h1s)} h1 elements; it needs exactly one")
    level = 0
    for element in elements:
        if len(element.tag) == 2 and element.tag[0] == "h" and element.tag[1].isdigit():
            new = int(element.tag[1])
            if new > level + 1:
                found.append(f"heading `{element.text.strip()}` skips from h{level} to h{new}")
            if not element.text.strip():
                found.append(f"an empty h{new}")
            level = new

    ids = [e.attrs["id"] for e in elements if "id" in e.attrs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        found.append(f"duplicate ids: {duplicates}")

    links = by_tag.get("a", [])
    first_link = links[0] if links else None
    if first_link is None or first_link.attrs.get("href") != "#main":
        found.append("the first link is not a skip link to #main")
    mains = by_tag.get("main", [])
    if len(mains) != 1 or mains[0].attrs.get("id") != "main":
        found.append('the page needs one <main id="main">')
    for landmark in ("header", "nav", "footer"):
        if landmark not in by_tag:
            found.append(f"the page has no <{landmark}> landmark")
    navs = by_tag.get("nav", [])
    if len(navs) > 1 and any(not n.attrs.get("aria-label") for n in navs):
        found.append("several <nav> landmarks, not each with its own aria-label")
    for link in links:
        href = link.attrs.get("href", "")
        if href.startswith("#") and len(href) > 1 and href[1:] not in ids:
            found.append(f"link to `{href}`, which is on no element")
        if not link.text.strip() and not link.attrs.get("aria-label"):
            found.append(f"link to `{href}` has no text")
    for element in elements:
        target = element.attrs.get("aria-labelledby")
        if target and target not in ids:
            found.append(f"aria-labelledby=`{target}` names no element")

    captioned = [c.parents[-1] for c in by_tag.get("caption", []) if c.parents]
    for table in by_tag.get("table", []):
        if not any(parent is table for parent in captioned):
            found.append("a table has no caption")
    for th in by_tag.get("th", []):
        if th.attrs.get("scope") not in {"col", "row", "colgroup", "rowgroup"}:
            found.append(f"table header `{th.text.strip()}` has no scope")

    labelled = {e.attrs.get("for") for e in by_tag.get("label", [])}
    for control in (e for e in elements if e.tag in FORM_CONTROLS):
        if control.attrs.get("type") in NOT_LABELLED:
            continue
        if (
            control.attrs.get("id") not in labelled
            and not any(parent.tag == "label" for parent in control.parents)
            and not control.attrs.get("aria-label")
        ):
            found.append(f"form control `{control.attrs.get('name', '?')}` has no label")
    for image in by_tag.get("img", []):
        if "alt" not in image.attrs:
            found.append(f"image `{image.attrs.get('src', '?')}` has no alt text")

    if "script" in by_tag:
        found.append("the page has a <script>; pages must work without JavaScript")
    for element in elements:
        handlers = [name for name in element.attrs if name.startswith("on")]
        if handlers:
            found.append(f"<{element.tag}> has inline event handlers {handlers}")
        if "style" in element.attrs:
            found.append(f"<{element.tag}> has an inline style, which the CSP blocks")
    return found
