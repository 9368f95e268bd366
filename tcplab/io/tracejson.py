"""Traces as JSON files, which keep what a pcap loses: a host's own states, withheld segments, measurements.

`trace_to_dict` gives a Trace as plain JSON-ready data and `trace_from_dict` reads it back,
naming any missing or malformed entry; `save_trace` and `load_trace` put that in a file.
"""

import json
from pathlib import Path

from ..core.errors import InvalidArgument
from ..core.segment import Options, Segment
from ..core.trace import Event, Host, Trace
from ..core.validation import check_instance


def save_trace(trace, path):
    """Write *trace* (with its measurements) to *path* as JSON (`trace_to_dict`)."""
    Path(path).write_text(json.dumps(trace_to_dict(trace), indent=1) + "\n")


def load_trace(path):
    """The Trace that `save_trace` wrote to *path*."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path must be an existing JSON trace file, got {str(path)!r}")
    return trace_from_dict(json.loads(path.read_text()))


def trace_to_dict(trace):
    """Everything in *trace* as plain JSON-ready data (`trace_from_dict` reads it back)."""
    check_instance("trace", trace, Trace)
    data = {"title": trace.title, "hosts": [[h.name, h.ip, h.port] for h in trace.hosts],
            "measurements": dict(trace.measurements), "events": [_event_to_dict(e) for e in trace.events]}
    if trace.truncated:
        data["truncated"] = True
    return data


def trace_from_dict(data):
    """The Trace that `trace_to_dict` produced; a missing or malformed entry raises InvalidArgument naming it."""
    _need("data", data, ("events", "hosts", "title"))
    hosts = []
    for i, item in enumerate(_list_of("data['hosts']", data["hosts"], (list, tuple))):
        if len(item) != 3:
            raise InvalidArgument(f"data['hosts'][{i}] must be [name, ip, port], got {item!r}")
        hosts.append(Host(*item))
    events = [_event_from_dict(item, f"data['events'][{i}]")
              for i, item in enumerate(_list_of("data['events']", data["events"], dict))]
    return Trace(events, hosts, data["title"], data.get("measurements"), data.get("truncated", False))


def _list_of(name, items, kind):
    """*items* (a list or tuple) as a tuple, each an instance of *kind*."""
    check_instance(name, items, (list, tuple), "a list")
    for i, item in enumerate(items):
        check_instance(f"{name}[{i}]", item, kind)
    return tuple(items)


def _need(name, mapping, keys):
    check_instance(name, mapping, dict, "a dict")
    missing = [key for key in keys if key not in mapping]
    if missing:
        raise InvalidArgument(f"{name} is missing the key(s) {', '.join(map(repr, missing))}")


# --- plain-data form of events and segments (for JSON) -------------------------------------
def _segment_to_dict(seg):
    o = seg.options
    return {"sport": seg.sport, "dport": seg.dport, "seq": seg.seq, "ack": seg.ack, "flags": int(seg.flags),
            "window": seg.window, "payload": seg.payload.hex(),
            "options": {"mss": o.mss, "wscale": o.wscale, "sack_ok": o.sack_ok,
                        "timestamps": list(o.timestamps) if o.timestamps else None}}


def _segment_from_dict(data, name):
    _need(name, data, ("sport", "dport", "seq", "ack", "flags", "window", "options", "payload"))
    o = data["options"]
    _need(f"{name}['options']", o, ("mss", "wscale", "sack_ok", "timestamps"))
    stamps = o["timestamps"]
    if stamps is not None:
        stamps = tuple(_list_of(f"{name}['options']['timestamps']", stamps, int))
    options = Options(o["mss"], o["wscale"], o["sack_ok"], stamps)
    return Segment(data["sport"], data["dport"], data["seq"], data["ack"], data["flags"], data["window"],
                   options, _from_hex(f"{name}['payload']", data["payload"]))


def _from_hex(name, text):
    check_instance(name, text, str, "a hexadecimal string")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise InvalidArgument(f"{name} must be a hexadecimal string, got {text!r:.60}") from None


def _event_to_dict(e):
    item = {"time": e.time, "host": e.host, "kind": e.kind.value}
    if e.segment is not None:
        item["segment"] = _segment_to_dict(e.segment)
    for name in ("state", "before"):
        if getattr(e, name) is not None:
            item[name] = getattr(e, name).value
    if e.detail:
        item["detail"] = e.detail
    if e.packet is not None:
        item["packet"] = e.packet
    if e.retransmission:
        item["retransmission"] = True
    if e.data:
        item["data"] = e.data.hex()
    return item


def _event_from_dict(item, name):
    _need(name, item, ("time", "host", "kind"))
    return Event(item["time"], item["host"], item["kind"],
                 segment=_segment_from_dict(item["segment"], f"{name}['segment']") if "segment" in item else None,
                 state=item.get("state"), before=item.get("before"),
                 detail=item.get("detail", ""), packet=item.get("packet"),
                 retransmission=item.get("retransmission", False),
                 data=_from_hex(f"{name}['data']", item.get("data", "")))
