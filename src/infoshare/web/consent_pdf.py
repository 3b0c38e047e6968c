"""The consent form as a PDF: WeasyPrint lays out the very page the browser prints.

The PDF is rendered from the same template and stylesheet as the printable page, so the
paper form and the screen can never differ (Appendix 4). Only the site's own stylesheet is
read, from the package; every other URL is refused, so rendering never reaches the network.
"""

from __future__ import annotations

from typing import Any

from infoshare.web.templates import STATIC_DIR

STATIC_PREFIX = "/static/"


def _stylesheet(url: str) -> bytes:
    path = url.removeprefix("file://")
    if path.startswith(STATIC_PREFIX):
        target = (STATIC_DIR / path.removeprefix(STATIC_PREFIX)).resolve()
        if target.is_relative_to(STATIC_DIR.resolve()) and target.is_file():
            return target.read_bytes()
    raise ValueError(f"the consent form PDF reads nothing but its stylesheet, not `{url}`")


def pdf_of(html: str) -> bytes:
    """``html`` (a page of the site) laid out on A4 with the site's print styles."""
    # Imported here: WeasyPrint loads Pango and fonts, which only PDF requests need.
    import weasyprint  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            body = _stylesheet(url)
            return URLFetcherResponse(url, body=body, headers={"Content-Type": "text/css"})

    document = weasyprint.HTML(string=html, base_url="file:///", url_fetcher=StaticOnly())
    pdf: bytes = document.write_pdf()
    return pdf
