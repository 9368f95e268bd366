import pytest

from tcplab.exercises import Exercise, check, exercise, exercises


def test_check_right_and_wrong():
    exercise("test-1", "What is 2 + 2?", expected=4, hint="Count.", explanation="Four.")
    assert check("test-1", 4).correct and "✓" in str(check("test-1", 4))
    wrong = check("test-1", 5)
    assert not wrong.correct and "Count." in str(wrong)


def test_text_answers_ignore_case_and_underscores():
    assert Exercise("k", "p", expected="TIME-WAIT").is_correct("time_wait")


def test_unknown_key():
    with pytest.raises(ValueError, match="exercise must be one of"):
        check("no-such-exercise", 1)


def test_every_registered_exercise_has_a_prompt_and_an_explanation():
    for key, ex in exercises().items():
        assert ex.prompt and (ex.explanation or key.startswith("test-")), key
