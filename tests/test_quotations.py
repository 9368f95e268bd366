"""Every RFC passage the book quotes is the RFC's own words, and every section it cites exists.

The book marks a quotation as a Markdown blockquote whose last line is the citation:

    > The figure omits a transition from FIN-WAIT-1 to TIME-WAIT if a FIN is received and ...
    >
    > — RFC 9293 §3.3.2, Figure 5, Note 2

Each paragraph of the blockquote must appear, whitespace-normalised, inside the cited section
of the RFC text kept in tests/rfc/ (an RFC the book quotes must be kept there; README.md there
says which texts are whole and which are excerpts).  "…" marks an omission: the pieces must appear
in order.  A section is a numbered heading ("3.10.7.4.  Other States", RFC 1122's
"4.2.3.6  TCP Keep-Alives") or one of RFC 6298's numbered rules ("(2.4) Whenever RTO ...").
"""
import json
import re
from pathlib import Path

import pytest

from tcplab import TRANSITIONS

ROOT = Path(__file__).resolve().parents[1]
RFC_DIR = Path(__file__).resolve().parent / "rfc"
CITATION = re.compile(r"^[—–-]+\s*RFC\s+(\d+)\s*(.*)$")
SECTION = re.compile(r"§\s*(\d+(?:\.\d+)*)")
FIGURE = re.compile(r"Figure\s+(\d+)")
HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.?\s{2,}\S", re.MULTILINE)
RULE = re.compile(r"^\s+\((\d+\.\d+)\)\s", re.MULTILINE)
RFC_9293_SECTION = re.compile(r"RFC 9293,? (?:§|Section )\s*(\d+(?:\.\d+)*)")
RFC_6298_SECTIONS = re.compile(r"RFC 6298,? §\s*(\d+(?:\.\d+)*)((?:,? (?:and|or) §\s*\d+(?:\.\d+)*)*)")


def normalise(text):
    text = " ".join(text.split())
    return re.sub(r"(\w)- (\w)", r"\1-\2", text)  # words hyphenated across the RFC's line breaks


def rfc_text(number):
    path = RFC_DIR / f"rfc{number}.txt"
    assert path.is_file(), f"the book quotes RFC {number}; keep its text in {path.relative_to(ROOT)}"
    return path.read_text()


def sections(text):
    """{number: text of that section, subsections included}."""
    heads = sorted(((m.group(1), m.start()) for pattern in (HEADING, RULE) for m in pattern.finditer(text)),
                   key=lambda head: head[1])
    found = {}
    for i, (number, start) in enumerate(heads):
        end = next((s for n, s in heads[i + 1:] if not n.startswith(number + ".")), len(text))
        found[number] = text[start:end]
    return found


def pages():
    """(page, markdown text) for every Markdown cell and Markdown page of the book."""
    for path in sorted((ROOT / "book").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        cells = json.loads(path.read_text())["cells"]
        yield path.relative_to(ROOT), "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for path in sorted((ROOT / "book").rglob("*.md")):
        yield path.relative_to(ROOT), path.read_text()


def blockquotes(markdown):
    """Each run of lines starting with '>' (quote markers stripped)."""
    block = []
    for line in markdown.splitlines() + [""]:
        stripped = line.strip()
        if stripped.startswith(">"):
            block.append(stripped[1:].strip())
        elif block:
            yield block
            block = []


def quotations():
    """(page, rfc number, citation, [paragraphs]) for every blockquote that ends in an RFC citation."""
    for page, markdown in pages():
        for block in blockquotes(markdown):
            lines = [line for line in block]
            while lines and not lines[-1]:
                lines.pop()
            match = CITATION.match(lines[-1]) if lines else None
            if not match:
                continue
            paragraphs, current = [], []
            for line in lines[:-1] + [""]:
                if line:
                    current.append(line)
                elif current:
                    paragraphs.append(" ".join(current))
                    current = []
            yield page, match.group(1), match.group(2), paragraphs


QUOTATIONS = list(quotations())


def test_the_book_quotes_rfcs():
    assert len(QUOTATIONS) >= 10
    assert all(paragraphs for *_, paragraphs in QUOTATIONS)


@pytest.mark.parametrize("page, number, citation, paragraphs", QUOTATIONS,
                         ids=[f"{q[0]}:{q[2]}" for q in QUOTATIONS])
def test_quotation_is_verbatim_in_the_cited_section(page, number, citation, paragraphs):
    text = rfc_text(number)
    cited = SECTION.findall(citation)
    assert cited, f"{page}: the citation {citation!r} must name a section (§…)"
    parts = sections(text)
    for section in cited:
        assert section in parts, f"{page}: RFC {number} has no section {section}"
    for figure in FIGURE.findall(citation):
        assert f"Figure {figure}:" in text, f"{page}: RFC {number} has no Figure {figure}"
    where = normalise(" ".join(parts[s] for s in cited))
    for paragraph in paragraphs:
        position = 0
        for piece in re.split(r"\s*(?:…|\.\.\.)\s*", paragraph):
            piece = normalise(piece)
            if not piece:
                continue
            found = where.find(piece, position)
            assert found >= 0, f"{page}: not verbatim in RFC {number} {citation}: {piece!r}"
            position = found + len(piece)


def test_every_cited_section_of_rfc_9293_exists():
    parts = sections(rfc_text(9293))
    cited = {(str(page), s) for page, markdown in pages() for s in RFC_9293_SECTION.findall(markdown)}
    assert cited
    missing = sorted((page, s) for page, s in cited if s not in parts)
    assert not missing, f"sections cited but absent from RFC 9293: {missing}"


def test_every_cited_section_of_rfc_6298_exists():
    """Prose, printed tables and chapter helpers alike: "RFC 6298 §2.1 and §5.5" names rules (2.1) and (5.5)."""
    parts = sections(rfc_text(6298))
    files = [*(ROOT / "book").rglob("*.ipynb"), *(ROOT / "book").rglob("*.md"), *(ROOT / "tcplab" / "chapters").glob("*.py")]
    cited = {(str(path.relative_to(ROOT)), s) for path in files for first, more in RFC_6298_SECTIONS.findall(path.read_text())
             for s in [first, *SECTION.findall(more)]}
    assert {s for _, s in cited} >= {"2.1", "2.4", "5.5"}
    missing = sorted((page, s) for page, s in cited if s not in parts)
    assert not missing, f"sections cited but absent from RFC 6298: {missing}"


def test_rfc_6298_rules_are_sections():
    parts = sections(rfc_text(6298))
    assert normalise(parts["2.4"]).startswith("(2.4) Whenever RTO is computed, if it is less than 1 second")
    assert "(2.5)" not in parts["2.4"] and "(5.5)" in parts["5"]


def test_transition_references_name_existing_sections():
    parts = sections(rfc_text(9293))
    for row in TRANSITIONS:
        for section in SECTION.findall(row.reference):
            assert section in parts, f"{row}: RFC 9293 has no section {section}"


def test_abort_is_section_3_10_5():
    assert "3.10.5.  ABORT Call" in rfc_text(9293)
    assert all("§3.10.5" in row.reference for row in TRANSITIONS if row.event == "ABORT")
