"""placeholder"""


def state_diagram(*args, **kwargs):
    raise NotImplementedError
