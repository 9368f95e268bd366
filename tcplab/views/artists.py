"""A figure's own artists, found without making tick marks.

`Figure.findobj` asks every axis for its ticks, and an axis makes them on demand: on a ladder
that costs more than drawing it.  Ticks carry no gid, halo or mark of ours, so the walks that
look for those can pass the axes' `Axis` objects by.
"""
import matplotlib.axis
import matplotlib.text


def artists(fig):
    """Every artist of *fig* except the `Axis` objects and their ticks, parents first."""
    stack = [fig]
    while stack:
        artist = stack.pop()
        yield artist
        stack.extend(a for a in reversed(artist.get_children()) if not isinstance(a, matplotlib.axis.Axis))


def texts(fig):
    """The `Text` artists of *fig* (annotations included), tick labels excepted."""
    return [a for a in artists(fig) if isinstance(a, matplotlib.text.Text)]
