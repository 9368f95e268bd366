"""Figures a reader can read: text above the floor at every width the book shows them, colours
with enough contrast on the light and the dark page, nothing drawn over the gap labels or
off the edge, and a text alternative with every figure."""

import re

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tcplab import scenarios
from tcplab.views import header, ladder, state_diagram, time_sequence
from tcplab.views.export import PX_PER_PT, TEXT_FLOOR_PX, display_widths, smallest_text, to_html
from tcplab.views.style import COLORS
from tcplab.views.theme import (DARK_BACKGROUND, LIGHT_BACKGROUND, LINE_CONTRAST, TEXT_CONTRAST, contrast,
                               dark_variant)
from tcplab import State

#: Content-column widths in CSS px: a 390 px phone (354 px column), a small laptop, the desktop.
COLUMNS = (354, 640, 730, 880)

LADDERS = ("handshake", "lost-syn", "syn-timeout", "old-duplicate-syn", "lost-final-ack", "data-loss",
           "fast-retransmit", "zero-window", "four-way-teardown", "simultaneous-open", "rst-closed-port")


def _kernel_traces():
    from tcplab.chapters import realtraffic as rt
    run = rt.kernel_run("withheld-final-ack")
    return {"kernel-withheld": run.kernel, "kernel-unanswered": rt.kernel_run("unanswered-syn-ack").kernel}


@pytest.fixture(scope="module")
def traces():
    found = {name: scenarios.run(name) for name in LADDERS}
    found.update(_kernel_traces())
    return found


@pytest.fixture(scope="module")
def figures(traces):
    segment = traces["handshake"].flights()[1].segment
    found = {name: ladder(trace) for name, trace in traces.items()}
    found["state-diagram"] = state_diagram({"client": State.SYN_SENT, "server": State.LISTEN})
    found["header"] = header(segment, highlight=("SYN", "ACK", "seq"))
    found["time-sequence"] = time_sequence(traces["data-loss"])
    return found


def _renderer(fig):
    """A renderer for *fig* after one draw: legends and other layouts place their text while drawing."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _gid(artist):
    return artist.get_gid() or ""


def _texts(fig):
    return [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]


# --- size -------------------------------------------------------------------------------

def test_smallest_text_is_at_least_9_css_px_at_every_column_width(figures):
    for name, fig in figures.items():
        natural, least = display_widths(fig)
        for column in COLUMNS:
            shown = max(min(column, natural), least)           # the CSS of to_html: 100%, min, max
            assert smallest_text(fig) * PX_PER_PT * shown / natural >= TEXT_FLOOR_PX - 1e-9, (name, column)
        html = to_html(fig, fig.alt)
        assert f"min-width:{least:.0f}px" in html and f"max-width:{natural:.0f}px" in html


def test_ladders_shrink_little_so_a_phone_scrolls_little(figures):
    for name in list(LADDERS) + ["kernel-withheld"]:
        assert smallest_text(figures[name]) >= 8, name
        natural, least = display_widths(figures[name])
        assert least <= 0.85 * natural


def test_header_flag_names_are_readable(figures):
    names = [t for t in _texts(figures["header"]) if _gid(t) in ("name-SYN", "name-ACK", "name-FIN")]
    assert len(names) == 3 and all(t.get_fontsize() >= 7 for t in names)


# --- placement ------------------------------------------------------------------------------

def test_no_cross_of_a_lost_segment_touches_a_gap_label_or_a_note(figures, traces):
    checked = 0
    for name, trace in traces.items():
        fig = figures[name]
        renderer = _renderer(fig)
        crosses = [a.get_window_extent(renderer) for a in fig.findobj(lambda a: _gid(a).startswith("drop-"))]
        texts = [t.get_window_extent(renderer) for t in _texts(fig)
                 if re.match(r"(gap|call|timer|error|read|state|time)-", _gid(t))]
        for cross in crosses:
            assert not any(cross.overlaps(box) for box in texts), name
            checked += 1
    assert checked >= 8


def test_no_text_is_cut_off_at_the_figure_edge(figures):
    for name, fig in figures.items():
        renderer = _renderer(fig)
        width, height = fig.bbox.width, fig.bbox.height
        ticks = {id(t) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis) for t in axis.get_ticklabels()}
        for t in _texts(fig):
            if id(t) in ticks:          # matplotlib lays out (and hides) tick labels outside the axes
                continue
            box = t.get_window_extent(renderer)
            assert box.x0 >= -0.5 and box.x1 <= width + 0.5 and box.y0 >= -0.5 and box.y1 <= height + 0.5, \
                (name, t.get_text())


def test_the_syn_timeout_failure_is_written_in_full(figures):
    (error,) = [t for t in _texts(figures["syn-timeout"]) if _gid(t).startswith("error-")]
    assert " ".join(error.get_text().split()) == "no acknowledgment after 3 retransmissions"


def test_the_ladder_says_it_is_not_to_scale(figures):
    for name in LADDERS:
        notes = [t.get_text() for t in _texts(figures[name]) if _gid(t) == "time-scale"]
        assert notes == ["not to scale"], name


def test_old_duplicate_enters_from_the_network_tagged_and_numbered_per_connection(figures, traces):
    fig, trace = figures["old-duplicate-syn"], traces["old-duplicate-syn"]
    old = trace.flights()[0]
    assert "old duplicate" in old.send.detail
    by = {_gid(a): a for a in fig.findobj(lambda a: _gid(a) != "")}
    assert by[f"injected-{old.packet}"].get_text() == "old duplicate"
    (x_mark,), _ = by[f"network-{old.packet}"].get_data()
    client_x = by["timeline-client"].get_xdata()[0]
    server_x = by["timeline-server"].get_xdata()[0]
    assert client_x < x_mark < server_x
    labels = [by[f"label-{f.packet}"].get_text() for f in trace.flights()]
    assert labels == ["SYN seq=0", "SYN seq=0", "SYN,ACK seq=0 ack=1", "RST seq=1 win=0",
                      "SYN,ACK seq=0 ack=1", "ACK seq=1 ack=1"]


def test_listen_is_drawn_before_the_first_syn(figures, traces):
    for name in ("handshake", "lost-final-ack"):
        fig, trace = figures[name], traces[name]
        by = {_gid(a): a for a in fig.findobj(lambda a: _gid(a) != "")}
        listen = next(i for i, e in enumerate(trace.events) if e.kind == "state" and str(e.state) == "LISTEN")
        syn = trace.flights()[0]
        assert by[f"state-server-{listen}"].get_position()[1] < by[f"flight-{syn.packet}"]._posA_posB[0][1]


def test_segments_that_arrive_at_once_still_slant(figures, traces):
    fig = figures["kernel-withheld"]
    arrows = [a for a in fig.findobj(matplotlib.patches.FancyArrowPatch) if _gid(a).startswith("flight-")]
    assert len(arrows) > 10
    assert all(a._posA_posB[1][1] > a._posA_posB[0][1] for a in arrows)


def test_each_transfer_scenario_has_its_own_title(traces):
    assert traces["data-loss"].title != traces["fast-retransmit"].title


def test_labels_have_a_halo(figures):
    labels = [t for t in _texts(figures["lost-final-ack"]) if _gid(t).startswith("label-")]
    assert labels and all(t.get_path_effects() for t in labels)
    assert 'class="tcplab-halo"' in to_html(figures["lost-final-ack"], "x")


# --- colour ---------------------------------------------------------------------------------

def _svg_colors(html, attribute):
    return {m.lower() for m in re.findall(attribute + r": var\(--tcplab-[0-9a-f]{6}, (#[0-9a-f]{6})\)", html)}


#: Decorative strokes, not information: the TSG grid and the legend frame.
DECORATIVE = {"#e6e6e6", "#dddddd"}


def test_text_and_lines_contrast_with_the_light_and_the_dark_page(figures):
    for name, fig in figures.items():
        html = to_html(fig, fig.alt)
        styles = dict(re.findall(r"#tcplab-[0-9a-f]{10} \.(s\d+)\{([^}]*)\}", html))
        texts = {m.group(1) for cls in re.findall(r'<text [^>]*class="(?:[^"]* )?(s\d+)[ "]', html)
                 for m in [re.search(r"fill: var\(--tcplab-[0-9a-f]{6}, (#[0-9a-f]{6})\)", styles[cls])] if m}
        assert texts, name
        if "#ffffff" in texts:            # white names on the state diagram's host-coloured chips
            texts.remove("#ffffff")
            for chip in (COLORS["client"], COLORS["server"]):
                assert contrast("#ffffff", chip) >= TEXT_CONTRAST
                assert contrast(dark_variant("#ffffff"), dark_variant(chip)) >= TEXT_CONTRAST
        for color in texts:
            assert contrast(color, LIGHT_BACKGROUND) >= TEXT_CONTRAST, (name, color)
            assert contrast(dark_variant(color), DARK_BACKGROUND) >= TEXT_CONTRAST, (name, color)
        lines = {_color for _color in _svg_colors(html, "stroke")} - DECORATIVE
        for color in lines:
            ok = contrast(color, LIGHT_BACKGROUND) >= LINE_CONTRAST
            ok_dark = contrast(dark_variant(color), DARK_BACKGROUND) >= LINE_CONTRAST
            boxes_only = color in (COLORS["client_fill"], COLORS["server_fill"], "#ffffff")
            assert boxes_only or (ok and ok_dark), (name, color)


def test_text_in_boxes_contrasts_with_the_box(figures):
    boxed = 0
    for name, fig in figures.items():
        for t in _texts(fig):
            patch = t.get_bbox_patch()
            if patch is None:
                continue
            fill = matplotlib.colors.to_hex(patch.get_facecolor())
            ink = matplotlib.colors.to_hex(t.get_color())
            assert contrast(ink, fill) >= TEXT_CONTRAST, (name, t.get_text())
            assert contrast(dark_variant(ink), dark_variant(fill)) >= TEXT_CONTRAST, (name, t.get_text())
            boxed += 1
    assert boxed > 20


def test_header_cells_keep_their_text_readable():
    pairs = [(COLORS["ink"], COLORS["highlight"])] + [(ink, fill) for ink in (COLORS["ink"], COLORS["muted"])
                                                     for fill in (COLORS["client_fill"], "#f7f7f7", "#ffffff")]
    for ink, fill in pairs:
        assert contrast(ink, fill) >= TEXT_CONTRAST
        assert contrast(dark_variant(ink), dark_variant(fill)) >= TEXT_CONTRAST


def test_the_palette_reads_on_both_pages():
    for key in ("ink", "muted", "faint", "client", "server", "both", "unusual", "retransmission", "drop",
                "timer", "ack", "window"):
        color = COLORS[key]
        assert contrast(color, LIGHT_BACKGROUND) >= TEXT_CONTRAST, key
        assert contrast(dark_variant(color), DARK_BACKGROUND) >= TEXT_CONTRAST, key


def test_the_dark_palette_is_chosen_by_the_page_theme(figures):
    html = to_html(figures["handshake"], figures["handshake"].alt)
    assert "html[data-theme=dark] #tcplab-" in html and "prefers-color-scheme:dark" in html
    assert f"--tcplab-ffffff:var(--pst-color-background, {DARK_BACKGROUND})" in html


# --- text alternatives -------------------------------------------------------------------

def test_every_figure_has_a_description_from_its_data(figures, traces):
    for name, fig in figures.items():
        assert fig.alt and len(fig.alt) > 60, name
        html = to_html(fig, fig.alt)
        assert 'role="img"' in html and "<title " in html and "<desc " in html
    lost = figures["lost-final-ack"].alt
    assert lost.startswith("Sequence diagram: Lost final ACK.")
    assert "client sends ACK seq=2 ack=2, which is lost on the link" in lost
    assert "server's RTO timer fires" in lost
    old = figures["old-duplicate-syn"].alt
    assert "an old duplicate SYN seq=0 enters from the network towards server" in old
    assert "Client is in SYN-SENT" in figures["state-diagram"].alt
    assert "Highlighted: SYN, ACK, seq" in figures["header"].alt


def test_description_requires_words():
    fig = ladder(scenarios.run("handshake"))
    with pytest.raises(ValueError, match="alt"):
        to_html(fig, "  ")


def test_an_old_segment_of_an_unrecorded_connection_keeps_its_own_numbers():
    from tcplab.chapters import teardown
    trace, _ = teardown.stale_segment(time_wait=False)
    old = next(f for f in trace.flights() if "duplicate" in (f.send.detail or ""))
    fig = ladder(trace)
    (label,) = [t for t in _texts(fig) if _gid(t) == f"label-{old.packet}"]
    # seq falls in the new server's space (that is the danger); ack 1001 is before the new client's ISN.
    assert old.segment.ack < trace.isn("client")
    assert label.get_text() == "PSH,ACK seq=1 ack=1001 len=8"
    assert [t.get_text() for t in _texts(fig) if _gid(t) == f"injected-{old.packet}"] == ["old duplicate"]


def test_panels_take_only_book_figures():
    from tcplab.views.figure import Panels
    with pytest.raises(ValueError, match="figures"):
        Panels()
    with pytest.raises(ValueError, match="figures"):
        Panels(matplotlib.figure.Figure())


def test_a_figure_wider_than_the_screen_can_be_scrolled_from_the_keyboard(figures):
    html = to_html(figures["handshake"], figures["handshake"].alt)
    assert re.search(r'<div class="tcplab-figure-scroll" tabindex="0" role="group" aria-labelledby="tcplab-[0-9a-f]+-title">',
                     html)
    assert 'class="tcplab-figure-open" href="#tcplab-' in html
