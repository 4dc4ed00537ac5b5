"""The clinic profile: text values only, each refused at its line when it is not one."""

import pytest
from conftest import DATA, raised

from handouts.errors import ProfileError
from handouts.load.profile import MAX_VALUE, load_profile

GOOD = (DATA / "clinic.yaml").read_text(encoding="utf-8")


def write(tmp_path, text: str):
    path = tmp_path / "clinic.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_test_profile_loads(tmp_path):
    profile = load_profile(write(tmp_path, GOOD))
    assert profile["name"] == "Test Clinic" and profile["after_hours_phone"] == "(512) 555-0101"


@pytest.mark.parametrize("value,words", [
    ("[a, b]", "not a list or mapping"),
    ("{a: b}", "not a list or mapping"),
    (".nan", "is .nan or .inf, not text"),
    (".inf", "is .nan or .inf, not text"),
    ("-.inf", "is .nan or .inf, not text"),
    ("yes", "is true or false, not text"),
    ("x" * (MAX_VALUE + 1), f"longer than {MAX_VALUE} characters"),
    ("9" * 5000, "is not a valid value"),
])
def test_values_that_are_not_one_piece_of_text_are_refused(tmp_path, value, words):
    text = GOOD + f"email: {value}\n"
    error = raised(load_profile, write(tmp_path, text))
    assert isinstance(error, ProfileError)
    assert error.finding.line == len(GOOD.splitlines()) + 1
    assert words in error.finding.message and error.finding.hint


@pytest.mark.parametrize("keys", ["1: x", "true: y", "null: z"])
def test_keys_that_are_not_names_are_refused(tmp_path, keys):
    finding = raised(load_profile, write(tmp_path, GOOD + keys + "\n")).finding
    assert (finding.rule, finding.line) == ("yaml-key", len(GOOD.splitlines()) + 1)


def test_a_missing_required_value_names_its_line(tmp_path):
    finding = raised(load_profile, write(tmp_path, GOOD.replace('phone: "(512) 555-0100"', "phone: ''"))).finding
    assert (finding.rule, finding.key, finding.line) == ("profile-key-missing", "phone", 2)


def test_sample_marker_is_read_and_never_a_template_value(tmp_path):
    from handouts.load.profile import sample_fields

    profile = load_profile(write(tmp_path, "sample: true\nname: Lakeside\nphone: '(512) 413-2270'\naddress: 2 Lake Dr\n"))
    assert sample_fields(profile) == ["sample"] and "sample" not in profile
    assert sample_fields(load_profile(write(tmp_path, "sample: false\nname: L\nphone: '413-2270'\naddress: 2 Lake\n"))) == []
    finding = raised(load_profile, write(tmp_path, "sample: maybe\nname: L\nphone: '1'\naddress: 2\n")).finding
    assert (finding.rule, finding.key, finding.line) == ("profile-value", "sample", 1)


def test_safety_text_and_instructions_have_defaults(tmp_path):
    from handouts.load.profile import INSTRUCTIONS, SAFETY, default_instructions

    profile = load_profile(write(tmp_path, GOOD))
    assert {key: profile[key] for key in SAFETY} == SAFETY
    assert profile["before_visit_eating"] == "Call us at (512) 555-0100 to ask what you may eat and drink."
    assert default_instructions(profile) == list(INSTRUCTIONS)
    own = load_profile(write(tmp_path, GOOD + "before_visit_eating: Eat a light breakfast.\n"
                             "safety_driving: Someone must drive you home.\n"))
    assert own["before_visit_eating"] == "Eat a light breakfast." and own["safety_driving"] == "Someone must drive you home."
    assert "before_visit_eating" not in default_instructions(own)
