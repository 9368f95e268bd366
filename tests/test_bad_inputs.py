"""Every bad input in tests/bad_input_cases.py raises an error that names the argument: no traceback
from deep inside, no hang, no silent acceptance (benchmarks/census_inputs.py counts the same cases)."""

import pytest

from tests.bad_input_cases import CASES, classify


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_is_rejected_naming_the_argument(case):
    verdict, detail = classify(case, timeout=10.0)
    assert verdict == "clean", detail
