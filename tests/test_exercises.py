import pytest

from tcplab.chapters.exercises import check, exercises
from tcplab.chapters.registry import Exercise, exercise


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


def test_an_unanswered_exercise_reads_as_a_question():
    exercise("test-2", "What is 3 + 3?", expected=6, hint="Double three.", explanation="Six.")
    unanswered = check("test-2", None)
    assert not unanswered.answered and not unanswered.correct
    assert "✗" not in str(unanswered) and "None" in str(unanswered) and "Double three." in str(unanswered)
    page = unanswered._repr_html_()
    assert "Not quite" not in page and "✗" not in page
    assert "<details><summary>Hint</summary><p>Double three.</p></details>" in page


def test_a_checked_answer_shows_its_verdict_in_html():
    exercise("test-3", "Which state follows SYN-SENT?", expected="ESTABLISHED", hint="<look at the FSM>",
             explanation="After the SYN-ACK.")
    assert 'class="tcplab-exercise tcplab-correct"' in check("test-3", "established")._repr_html_()
    wrong = check("test-3", "LISTEN")._repr_html_()
    assert 'tcplab-wrong' in wrong and "Not quite: &#x27;LISTEN&#x27;" in wrong and "&lt;look at the FSM&gt;" in wrong


def test_the_site_shows_no_checked_answer_outside_a_solution_dropdown():
    """A cell whose stored output says an answer is correct is removed from the site (tag
    remove-cell): the answers are in each question's solution dropdown."""
    import json
    from pathlib import Path

    book = Path(__file__).resolve().parents[1] / "book"
    shown = []
    for path in sorted(book.rglob("*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            text = json.dumps(cell.get("outputs", []), ensure_ascii=False)
            if "✓ Correct" in text and "remove-cell" not in cell["metadata"].get("tags", []):
                shown.append(f"{path.name} cell {i}")
    assert shown == []
