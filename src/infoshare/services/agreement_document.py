"""The ISA document: one version of an agreement as HTML and as PDF (Section 1.1, App. 3).

Real agreements are documents people sign, file and publish (Appendix 3 is one), so each
version is rendered in their usual shape: a summary sheet, purpose, partners, powers
(legal grounds), process (information shared, the need-to-know matrix, transfers, reports),
data quality, security and retention, complaints and breaches (Procedure C5), review and
amendments (Section 4.4), subject access (DPA 1998 s.7), freedom of information, and
signatures. Identifiers are shown by the names the stored protocol pack gives them.

The HTML and the PDF come from the same template (``infoshare/agreements/document``) and
stylesheet, whose print rules lay the PDF out on A4; WeasyPrint makes the PDF. The HTML
links its stylesheet (the Content-Security-Policy forbids inline styles); the PDF has it
applied directly.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

import jinja2

import infoshare.agreements
from infoshare.domain.agreement import ConsentModel, InformationSharingAgreement, Participation
from infoshare.protocol.schema import ProtocolPack
from infoshare.services.agreements import IN_FORCE, _find
from infoshare.services.clock import now_or
from infoshare.services.protocol_overview import _stored_pack
from infoshare.store.unit_of_work import UnitOfWork

DOCUMENT_DIR = Path(infoshare.agreements.__file__).parent / "document"
TEMPLATE = "agreement.html"
STYLESHEET = DOCUMENT_DIR / "agreement.css"

CONSENT_MODELS = {
    ConsentModel.CONSENT: "with the person's explicit consent only (Principle 5, Procedures A1–A4)",
    ConsentModel.CONSENT_OR_STATUTORY: "with consent; without it only on a statutory ground "
    "where consent cannot be obtained or seeking it would prejudice the purpose, approved by "
    "a designated officer (Principle 6, Procedure A5)",
    ConsentModel.ANONYMISED_ONLY: "anonymised information only: nothing that identifies a "
    "person is shared (Principle 11, Procedure B8)",
}
PARTICIPATION = {
    Participation.PROVIDES: "Provides information",
    Participation.RECEIVES: "Receives information",
    Participation.BOTH: "Provides and receives",
}


def _long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _vocabulary(value: str) -> str:
    return value.replace("-", " ").capitalize()


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(DOCUMENT_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["long_date"] = _long_date
    environment.filters["vocabulary"] = _vocabulary
    return environment


def stylesheet() -> str:
    """The document's stylesheet, served beside the HTML."""
    return STYLESHEET.read_text(encoding="utf-8")


def render_document(
    isa: InformationSharingAgreement,
    pack: ProtocolPack,
    *,
    produced_on: date,
    stylesheet_href: str | None = None,
) -> str:
    """The agreement as an HTML document (pure: everything it shows is passed in)."""
    context = {
        "isa": isa,
        "pack": pack,
        "in_force": isa.status in IN_FORCE,
        "produced_on": produced_on,
        "stylesheet_href": stylesheet_href,
        "review_months": pack.review.isa_review_max_months,
        "organisations": {o.code: o.name for o in pack.organisations},
        "purposes": {p.id: p.title for p in pack.purposes},
        "categories": {c.id: c.title for c in pack.data_categories},
        "roles": {r.id: r.title for r in pack.roles},
        "grounds": {g.id: (g.title, g.citation) for g in pack.legal_grounds},
        "methods": {m.id: (m.title, m.procedure) for m in pack.transfer_methods},
        "safeguards": {s.id: s.text for m in pack.transfer_methods for s in m.safeguards},
        "consent_models": CONSENT_MODELS,
        "participation": PARTICIPATION,
    }
    return _environment().get_template(TEMPLATE).render(context)


def _load(
    uow: UnitOfWork, reference: str, version: int | None
) -> tuple[InformationSharingAgreement, ProtocolPack]:
    with uow.reading():
        record = _find(uow.session, reference, version)
        isa = InformationSharingAgreement.model_validate(record.content)
        return isa, _stored_pack(uow.session)


def agreement_html(
    uow: UnitOfWork,
    reference: str,
    version: int | None = None,
    *,
    stylesheet_href: str,
    today: date | None = None,
) -> str:
    """The stored version (the latest if None) as an HTML document linking its stylesheet."""
    isa, pack = _load(uow, reference, version)
    on = today if today is not None else now_or(None).date()
    return render_document(isa, pack, produced_on=on, stylesheet_href=stylesheet_href)


def agreement_pdf(
    uow: UnitOfWork, reference: str, version: int | None = None, *, today: date | None = None
) -> bytes:
    """The stored version (the latest if None) as a PDF, laid out on A4."""
    # Imported here: WeasyPrint loads Pango and fonts, which only PDF requests need.
    import weasyprint  # type: ignore[import-untyped]

    isa, pack = _load(uow, reference, version)
    on = today if today is not None else now_or(None).date()
    html = render_document(isa, pack, produced_on=on)
    document = weasyprint.HTML(string=html)
    pdf: bytes = document.write_pdf(stylesheets=[weasyprint.CSS(string=stylesheet())])
    return pdf
