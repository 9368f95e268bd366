"""The TCP header (RFC 9293 §3.1) as 32-bit rows, with one segment's values filled in.

Artist ids, by field name (`FIELDS`): ``field-<name>`` for the cell, ``name-<name>``
for its caption, ``value-<name>`` for the value (e.g. ``value-ACK`` is "1",
``value-ack`` the acknowledgment number), ``note-ack`` when the number is unused.
"""

import ipaddress

from matplotlib.patches import Rectangle

from ..core.segment import Flags, Segment
from ..core.validation import check_instance
from ..io.scapy_convert import to_scapy
from .describe import header_description
from .style import COLORS, WIDTH, figure_and_axes, styled

FLAG_NAMES = ("CWR", "ECE", "URG", "ACK", "PSH", "RST", "SYN", "FIN")

#: The rows of the header: (field name, caption, first bit, number of bits).
ROWS = (
    (("sport", "Source Port", 0, 16), ("dport", "Destination Port", 16, 16)),
    (("seq", "Sequence Number", 0, 32),),
    (("ack", "Acknowledgment Number", 0, 32),),
    (("offset", "Data Offset", 0, 4), ("reserved", "Rsrvd", 4, 4))
    + tuple((name, name, 8 + k, 1) for k, name in enumerate(FLAG_NAMES))
    + (("window", "Window", 16, 16),),
    (("checksum", "Checksum", 0, 16), ("urgent", "Urgent Pointer", 16, 16)),
    (("options", "Options (and padding)", 0, 32),),
)
FIELDS = ("sport", "dport", "seq", "ack", "offset", "flags") + FLAG_NAMES + ("window", "checksum", "urgent",
                                                                            "options")

BIT = 0.19          # inches per bit
LEFT = (WIDTH - 32 * BIT) / 2
ROW_H = 0.46


def _check(segment, highlight, src_ip, dst_ip):
    check_instance("segment", segment, Segment)
    wanted = (highlight,) if isinstance(highlight, str) else tuple(highlight)
    for name in wanted:
        if name not in FIELDS:
            raise ValueError(f"highlight must name fields among {', '.join(FIELDS)}; got {name!r}")
    for arg, value in (("src_ip", src_ip), ("dst_ip", dst_ip)):
        if value is not None:
            try:
                ipaddress.IPv4Address(value)
            except ValueError:
                raise ValueError(f"{arg} must be an IPv4 address such as '10.0.0.1', got {value!r}") from None
    highlighted = set(wanted)
    if "flags" in highlighted:
        highlighted |= set(FLAG_NAMES)
    return highlighted


def _wire_values(segment, src_ip, dst_ip):
    """Checksum, data offset and option bytes, as scapy builds the packet."""
    from scapy.layers.inet import TCP

    tcp = to_scapy(segment, src_ip, dst_ip)[TCP]
    raw = bytes(tcp)
    return tcp.chksum, tcp.dataofs, raw[20:tcp.dataofs * 4]


def _values(segment, src_ip, dst_ip):
    checksum, offset, option_bytes = _wire_values(segment, src_ip, dst_ip)
    values = {"sport": str(segment.sport), "dport": str(segment.dport), "seq": str(segment.seq),
              "ack": str(segment.ack), "offset": str(offset), "reserved": "0",
              "window": str(segment.window), "checksum": f"0x{checksum:04x}", "urgent": "0"}
    for name in FLAG_NAMES:
        values[name] = "1" if segment.flags & Flags[name] else "0"
    if option_bytes:
        values["options"] = f"{segment.options}   [{option_bytes.hex(' ')}]"
    else:
        values["options"] = "none"
    return values


@styled
def header(segment, *, highlight=(), src_ip=None, dst_ip=None, ax=None, title=None):
    """The TCP header of *segment* as a Figure; fields named in *highlight* are coloured.

    The checksum and data offset come from the packet scapy builds between *src_ip*
    and *dst_ip* (default 10.0.0.1 and 10.0.0.2).
    """
    highlighted = _check(segment, highlight, src_ip, dst_ip)
    src, dst = src_ip or "10.0.0.1", dst_ip or "10.0.0.2"
    values = _values(segment, src, dst)
    if title is None:
        title = f"TCP header of {segment}"
    top = 0.62 if title else 0.3
    height = top + 0.25 + len(ROWS) * ROW_H + 0.35
    own_figure = ax is None
    fig, ax = figure_and_axes(ax, WIDTH, height)
    if own_figure:
        fig.alt = header_description(segment, highlight)
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    if title:
        ax.text(0.1, 0.12, title, ha="left", va="top", fontsize=10, fontweight="bold").set_gid("title")

    for bit in range(32):                                   # the bit ruler
        ax.text(LEFT + (bit + 0.5) * BIT, top + 0.12, str(bit), ha="center", va="center", fontsize=7,
                color=COLORS["faint"]).set_gid(f"bit-{bit}")
    y = top + 0.25
    for r, row in enumerate(ROWS):
        ax.text(LEFT - 0.08, y + ROW_H / 2, f"{4 * r}", ha="right", va="center", fontsize=7,
                color=COLORS["faint"]).set_gid(f"offset-{4 * r}")
        for name, caption, first, bits in row:
            _cell(ax, name, caption, values[name], LEFT + first * BIT, y, bits * BIT, name in highlighted,
                  narrow=bits == 1, faded=name == "reserved")
        y += ROW_H
    if segment.flags & Flags.ACK == 0:
        ax.text(LEFT + 31.7 * BIT, top + 0.25 + 2.5 * ROW_H, "not used: the ACK bit is 0", ha="right",
                va="center", fontsize=7, style="italic", color=COLORS["muted"], zorder=4).set_gid("note-ack")
    ax.text(LEFT, y + 0.2, f"{src}:{segment.sport} → {dst}:{segment.dport}   ·   {len(segment.payload)} bytes "
            f"of data follow the header", ha="left", va="center", fontsize=7, color=COLORS["muted"]).set_gid(
        "caption")
    return fig


def _cell(ax, name, caption, value, x, y, width, highlighted, narrow=False, faded=False):
    fill = COLORS["highlight"] if highlighted else ("#f7f7f7" if faded else "white")
    if narrow and value == "1" and not highlighted:
        fill = COLORS["client_fill"]
    cell = Rectangle((x, y), width, ROW_H, facecolor=fill, edgecolor=COLORS["ink"],
                     lw=1.6 if highlighted else 0.7, zorder=3 if highlighted else 2)
    cell.set_gid(f"field-{name}")
    caption_color = COLORS["ink"] if highlighted else COLORS["muted"]      # grey is too faint on yellow
    ax.add_patch(cell)
    if narrow:
        # A one-bit cell is narrow: its name runs upwards in the top part, its value sits below.
        ax.text(x + width / 2, y + 0.15, caption, ha="center", va="center", fontsize=7, rotation=90,
                color=caption_color, zorder=4).set_gid(f"name-{name}")
        ax.text(x + width / 2, y + 0.36, value, ha="center", va="center", fontsize=8.5, fontweight="bold",
                zorder=4).set_gid(f"value-{name}")
        return
    ax.text(x + 0.05, y + 0.09, caption, ha="left", va="center", fontsize=7, color=caption_color,
            zorder=4).set_gid(f"name-{name}")
    size = 8 if name == "options" or width < 4 * BIT + 0.01 else 9.5
    ax.text(x + width / 2, y + 0.28, value, ha="center", va="center", fontsize=size,
            fontweight="bold" if name != "options" else "normal", zorder=4).set_gid(f"value-{name}")
