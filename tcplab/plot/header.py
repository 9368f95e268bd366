"""placeholder"""


def header(*args, **kwargs):
    raise NotImplementedError
