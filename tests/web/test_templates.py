"""The filters the pages use: dates as written in the UK, slugs for reading, safe code spans."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from infoshare.web.templates import code_spans, long_date, vocabulary


def test_long_date_is_written_the_uk_way() -> None:
    assert long_date(date(2002, 10, 1)) == "1 October 2002"
    assert long_date(date(2002, 7, 25)) == "25 July 2002"


def test_vocabulary_slugs_read_as_words() -> None:
    assert vocabulary("primary-care-trust") == "Primary care trust"
    assert vocabulary("police") == "Police"


def test_code_spans_show_quoted_input_as_code() -> None:
    assert str(code_spans("run `infoshare init` first")) == "run <code>infoshare init</code> first"


@given(st.text())
def test_code_spans_never_let_markup_through(text: str) -> None:
    html = str(code_spans(text))
    # Whatever the message holds, the only tags in the result are the code spans we made.
    stripped = html.replace("<code>", "").replace("</code>", "")
    assert "<" not in stripped
    assert ">" not in stripped
    assert '"' not in stripped
