"""scripts/widget_assets.py: how a written page stores its widget state."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import widget_assets  # noqa: E402

STATE = {"version_major": 2, "state": {"a" * 32: {"model_name": "HTMLModel", "state": {"value": "<svg>é</svg>"}}}}
PAGE = ('<p>before</p><script type="application/vnd.jupyter.widget-state+json">\n{}\n</script>'
        '<script type="application/vnd.jupyter.widget-view+json">{{"model_id": "x"}}</script>')


def test_the_state_is_packed_deterministically_and_reads_back():
    page = PAGE.format(json.dumps(STATE))
    packed = widget_assets.pack_widget_state(page)
    assert packed == widget_assets.pack_widget_state(page)
    assert f'<script type="{widget_assets.PACKED_TYPE}">' in packed
    assert '"model_id": "x"' in packed and "<p>before</p>" in packed     # the rest stays as it was
    assert json.loads(widget_assets.unpack_widget_state(packed)) == STATE
    assert json.loads(widget_assets.unpack_widget_state(page)) == STATE


def test_the_packed_state_is_followed_by_the_script_that_inflates_it():
    packed = widget_assets.pack_widget_state(PAGE.format(json.dumps(STATE)))
    assert f"</script>{widget_assets.INFLATE}<script type=\"application/vnd.jupyter.widget-view+json\">" in packed


def test_a_page_without_widgets_is_left_alone():
    assert widget_assets.pack_widget_state("<p>no widgets</p>") == "<p>no widgets</p>"
    assert widget_assets.unpack_widget_state("<p>no widgets</p>") is None
