from hypothesis import given, strategies as st
import pytest

from tcplab.core.seqspace import (MODULUS, check_seq, seq_add, seq_ge, seq_gt, seq_in_window, seq_le, seq_lt, seq_max,
                             seq_sub)

seqs = st.integers(0, MODULUS - 1)
offsets = st.integers(-(2**31) + 1, 2**31 - 1)


def test_wraparound_comparisons():
    top = MODULUS - 1
    assert seq_add(top, 1) == 0
    assert seq_lt(top, 0) and seq_gt(0, top)
    assert seq_sub(5, top) == 6
    assert seq_in_window(3, top - 2, 10)
    assert not seq_in_window(top - 3, top - 2, 10)
    assert seq_max(top, 2) == 2


def test_zero_window_contains_nothing():
    assert not seq_in_window(100, 100, 0)


@pytest.mark.parametrize("bad", [-1, MODULUS, 1.5, "1", True, None])
def test_check_seq_rejects(bad):
    with pytest.raises(ValueError, match="seq must be"):
        check_seq(bad)


@given(seqs, offsets)
def test_add_then_subtract_is_identity(a, n):
    assert seq_sub(seq_add(a, n), a) == n


@given(seqs, st.integers(1, 2**31 - 1))
def test_later_numbers_compare_greater_across_wrap(a, n):
    b = seq_add(a, n)
    assert seq_lt(a, b) and seq_le(a, b) and seq_gt(b, a) and seq_ge(b, a)
    assert not seq_lt(b, a)


@given(seqs, st.integers(0, 2**20), st.integers(1, 2**20))
def test_window_membership_matches_offset(start, offset, size):
    assert seq_in_window(seq_add(start, offset), start, size) == (offset < size)


def test_relative_numbers_count_from_the_isn_across_wrap():
    from tcplab.core.seqspace import seq_relative
    assert seq_relative(5, MODULUS - 10) == 15
    assert seq_relative(1001, 1000) == 1
