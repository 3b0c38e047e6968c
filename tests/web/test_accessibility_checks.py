"""The accessibility checker finds what it claims to, so a clean page means something."""

from __future__ import annotations

import pytest

from tests.web.accessibility import problems

GOOD = """<!doctype html><html lang="en-GB"><head><title>A page</title></head><body>
<a href="#main">Skip to main content</a><header><nav aria-label="Main"><a href="/">Home</a></nav>
</header><main id="main"><h1>Title</h1><h2 id="s">Section</h2><section aria-labelledby="s">
<table><caption>Things</caption><tr><th scope="col">Thing</th></tr></table>
<label for="q">Search</label><input id="q" name="q"></section></main><footer>f</footer>
</body></html>"""


def test_a_good_page_has_no_problems() -> None:
    assert problems(GOOD) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('lang="en-GB"', 'lang="en"'), 'lang="en-GB"'),
        (('<h2 id="s">Section</h2>', '<h1 id="s">Section</h1>'), "2 h1 elements"),
        (('<h2 id="s">Section</h2>', '<h3 id="s">Section</h3>'), "skips from h1 to h3"),
        (('<a href="#main">Skip to main content</a>', ""), "skip link"),
        (('<main id="main">', "<main>"), '<main id="main">'),
        (("<caption>Things</caption>", ""), "no caption"),
        (('<th scope="col">', "<th>"), "has no scope"),
        (('<label for="q">Search</label>', ""), "has no label"),
        (("</main>", '<script src="/x.js"></script></main>'), "<script>"),
        (("<table>", '<table style="color:red">'), "inline style"),
        (('aria-labelledby="s"', 'aria-labelledby="t"'), "names no element"),
        (("<h1>Title</h1>", '<h1 id="s">Title</h1>'), "duplicate ids"),
    ],
)
def test_each_problem_is_found(change: tuple[str, str], expected: str) -> None:
    before, after = change
    assert before in GOOD
    found = problems(GOOD.replace(before, after, 1))
    assert any(expected in problem for problem in found), found
