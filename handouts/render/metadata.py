"""Document metadata: Info, XMP (PDF/A-2a and PDF/UA-1 identification), output intent, language, title."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from .. import __version__
from . import _reportlab

PRODUCER = f"handouts {__version__} (ReportLab)"
SRGB_PROFILE = Path(__file__).parent / "sRGB.icc"  # made by tools/make_srgb_icc.py

_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:language><rdf:Bag><rdf:li>{language}</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>{producer}</pdf:Producer>
   <xmp:CreatorTool>{producer}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>A</pdfaid:conformance>
   <pdfuaid:part>1</pdfuaid:part>
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>part</pdfaProperty:name>
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
         <pdfaProperty:category>internal</pdfaProperty:category>
         <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


@lru_cache(maxsize=1)  # no key: the sRGB profile shipped with handouts, read once a process
def _srgb_profile() -> bytes:
    return SRGB_PROFILE.read_bytes()


def escape(text: str) -> str:
    """`text` as XML character data: xml.sax.saxutils.escape's three replacements, without the 14 ms that
    importing it costs every process that writes a PDF (it loads urllib.request and http.client)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def apply_metadata(canv, *, title: str, language: str, subject: str, author: str,
                   created: datetime) -> None:
    """Set Info, XMP, /Lang and /ViewerPreferences on the canvas's document."""
    canv.setTitle(title)
    canv.setSubject(subject)
    canv.setAuthor(author)
    canv.setCreator(PRODUCER)
    canv.setProducer(PRODUCER)
    _reportlab.set_creation_time(canv, created)
    canv.setCatalogEntry("Lang", _reportlab.pdf_string(language))
    # PDF/A-2a beside PDF/UA-1: pages use device RGB, so the file says which RGB (sRGB) it means.
    _reportlab.set_catalog_entry(canv, "OutputIntents", _reportlab.output_intent(_srgb_profile()))
    canv.setCatalogEntry("ViewerPreferences", _reportlab.pdf_dictionary({"DisplayDocTitle": "true"}))
    xmp = xmp_packet(title=title, subject=subject, author=author, language=language, created=created)
    stream = _reportlab.xml_stream(xmp,
                                   {"Type": _reportlab.pdf_name("Metadata"), "Subtype": _reportlab.pdf_name("XML")})
    canv.setCatalogEntry("Metadata", stream)


def xmp_packet(*, title: str, subject: str, author: str, language: str, created: datetime) -> bytes:
    """The XMP metadata: title, language, dates, and the PDF/A-2a and PDF/UA-1 identifications (`xmp_formatted`'s
    bytes, from a template kept by what is not the title and subject)."""
    template = _xmp_template(author, language, created)
    if template is None:
        return xmp_formatted(title=title, subject=subject, author=author, language=language, created=created)
    before, middle, after = template
    return b"".join((before, escape(title).encode("utf-8"), middle, escape(subject).encode("utf-8"), after))


def xmp_formatted(*, title: str, subject: str, author: str, language: str, created: datetime) -> bytes:
    """The XMP metadata, formatted whole."""
    return _XMP.format(
        title=escape(title), subject=escape(subject), author=escape(author), language=escape(language),
        producer=escape(PRODUCER), date=created.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    ).encode("utf-8")


_MARKS = ("\x00title\x00", "\x00subject\x00")  # where the title and subject go: never in an XML document


# Keyed by the author (the clinic's name), the document's language and the creation date: no patient's. The title
# and subject (which name the patient) are never in it: written in for each document.
@lru_cache(maxsize=16)
def _xmp_template(author: str, language: str, created: datetime) -> tuple[bytes, bytes, bytes] | None:
    """The XMP metadata in UTF-8 before the title, between the title and the subject, and after the subject; None
    when the marks are not there once each (an author or language that holds one)."""
    text = xmp_formatted(title=_MARKS[0], subject=_MARKS[1], author=author, language=language,
                         created=created).decode("utf-8")
    if any(text.count(mark) != 1 for mark in _MARKS):
        return None
    before, rest = text.split(_MARKS[0])
    middle, after = rest.split(_MARKS[1])
    return before.encode("utf-8"), middle.encode("utf-8"), after.encode("utf-8")
