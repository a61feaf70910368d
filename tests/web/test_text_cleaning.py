"""tumbuh.web.text: the shared cleaning that imports use and form fields can use (issue 16 item 3)."""

from tumbuh.web.text import clean_field_text, has_control, strip_control


def test_control_characters_are_removed_and_text_kept():
    assert strip_control("\x02¥\x04") == "¥"
    assert strip_control("Siti\x00 Aminah\x7f\x85") == "Siti Aminah"
    assert strip_control("tab\tline\nreturn\r") == "tab\tline\nreturn\r"  # whitespace is not control
    assert strip_control("Ñoño \u2019s") == "Ñoño \u2019s"
    assert strip_control("") == "" and strip_control("\ud800x\uffff") == "x"


def test_has_control_and_form_cleaning():
    assert has_control("a\x1fb") and not has_control("a b") and not has_control("")
    assert clean_field_text("  \x02Budi \t Santoso\n") == "Budi Santoso"
    assert clean_field_text(None) == ""
