"""The clinic profile: text values only, each refused at its line when it is not one."""

import pytest
from conftest import DATA, load_profile, raised

from handouts.errors import ProfileError
from handouts.load.profile import MAX_VALUE, REQUIRED_SENTENCES, SENTENCES, localized, sentences_digest

GOOD = (DATA / "clinic.yaml").read_text(encoding="utf-8")
# The clinic's sentences, which every profile needs (words of no importance here).
SENTENCE_LINES = "".join(f"{key}: Sentence {n}.\n" for n, key in enumerate(SENTENCES))


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

    profile = load_profile(write(tmp_path, "sample: true\nname: Lakeside\nphone: '(512) 413-2270'\n"
                                           "address: 2 Lake Dr\n" + SENTENCE_LINES))
    assert sample_fields(profile) == ["sample"] and "sample" not in profile
    real = "sample: false\nname: L\nphone: '413-2270'\naddress: 2 Lake\n" + SENTENCE_LINES
    assert sample_fields(load_profile(write(tmp_path, real))) == []
    finding = raised(load_profile, write(tmp_path, "sample: maybe\nname: L\nphone: '1'\naddress: 2\n")).finding
    assert (finding.rule, finding.key, finding.line) == ("profile-value", "sample", 1)


def test_the_sentences_are_the_profiles_own_and_each_is_needed(tmp_path):
    profile = load_profile(write(tmp_path, GOOD))
    assert profile["before_visit_eating"] == "Call us at (512) 555-0100 to ask what you may eat and drink."
    # No words of the program's own: a profile without a sentence is refused, naming it and where the wording is.
    error = raised(load_profile, write(tmp_path, GOOD.replace("safety_driving:", "# safety_driving:")))
    assert isinstance(error, ProfileError) and len(error.findings) == 1
    finding = error.finding
    assert (finding.rule, finding.key, finding.line) == ("profile-key-missing", "safety_driving", None)
    assert "drives the patient home" in finding.message and "content/clinic.yaml" in finding.hint
    # The instructions before the visit are the clinic's own, and optional: without them the documents send the
    # patient to the phone in one call. An empty one is no instruction.
    empty = load_profile(write(tmp_path, GOOD.replace(
        "before_visit_bring: Call us at (512) 555-0100 to ask what to bring.", "before_visit_bring:")))
    assert empty["before_visit_bring"] is None
    minimal = raised(load_profile, write(tmp_path, "name: C\nphone: '1'\naddress: A\n"))
    assert [f.key for f in minimal.findings] == list(REQUIRED_SENTENCES)


@pytest.mark.parametrize("infusion,rest,minutes,hours", [
    ("40-60", "30", "90", "1½"), ("40 to 60", "30", "90", "1½"), ("45", "15", "60", "1"), ("60", "35", "95", "2"),
])
def test_the_visit_length_is_computed_from_the_session_fields(tmp_path, infusion, rest, minutes, hours):
    profile = load_profile(write(tmp_path, GOOD + f"infusion_minutes: {infusion}\nrest_minutes: {rest}\n"))
    assert (profile["visit_minutes"], profile["visit_hours"]) == (minutes, hours)
    assert localized(profile, "es-US")["visit_hours"] == hours
    without = load_profile(write(tmp_path, GOOD))
    assert without["visit_hours"] is None


@pytest.mark.parametrize("infusion,english,spanish", [
    ("40-60", "40 to 60", "de 40 a 60"), ("40–60", "40 to 60", "de 40 a 60"), ("40 to 60", "40 to 60", "de 40 a 60"),
    ("60-40", "40 to 60", "de 40 a 60"), ("45", "45", "45"), ("45-45", "45", "45"),
])
def test_the_infusions_minutes_are_said_in_each_language(tmp_path, infusion, english, spanish):
    """A range is printed in words ("40-60" may be read aloud as "40 minus 60"), with or without the rest time."""
    for rest in ("rest_minutes: 30\n", ""):
        profile = load_profile(write(tmp_path, GOOD + f"infusion_minutes: {infusion}\n{rest}"))
        assert profile["infusion_range"] == english
        assert localized(profile, "es-US")["infusion_range"] == spanish
        assert profile["infusion_minutes"] == infusion  # the clinic's own value stays as written
    assert load_profile(write(tmp_path, GOOD))["infusion_range"] is None


def test_a_computed_value_is_not_a_key_a_profile_may_set(tmp_path):
    finding = raised(load_profile, write(tmp_path, GOOD + "infusion_range: 40-60\n"))
    assert (finding.findings[0].rule, finding.findings[0].key) == ("profile-unknown-key", "infusion_range")


def test_a_session_field_that_is_not_minutes_is_refused(tmp_path):
    finding = raised(load_profile, write(tmp_path, GOOD + "rest_minutes: half an hour\n")).finding
    assert (finding.rule, finding.key, finding.line) == ("profile-value", "rest_minutes", len(GOOD.splitlines()) + 1)


def test_translations_are_used_only_while_made_from_the_english_as_it_is(tmp_path):
    profile = load_profile(write(tmp_path, GOOD))
    spanish = localized(profile, "es-US")
    assert spanish["safety_driving"].startswith("Usted debe") and spanish["phone"] == profile["phone"]
    # The English sentence is rewritten; the Spanish one still says what the English said before.
    changed = GOOD.replace("after your infusion.\n", "after your infusion, and stay with you tonight.\n", 1)
    rewritten = load_profile(write(tmp_path, changed))
    finding = raised(localized, rewritten, "es").finding
    assert (finding.rule, finding.key) == ("profile-translation-outdated", "translations")
    assert finding.line == changed.splitlines().index("  es:") + 1
    assert f'source_hash: "{sentences_digest(rewritten)}"' in finding.hint
    assert sentences_digest(rewritten) != sentences_digest(profile)
    # Checked and re-hashed, the translations are used again; English never needs them.
    current = changed.replace(f'source_hash: "{sentences_digest(profile)}"',
                              f'source_hash: "{sentences_digest(rewritten)}"')
    assert localized(load_profile(write(tmp_path, current)), "es")["safety_driving"].startswith("Usted debe")
    assert localized(rewritten, "en-US") is rewritten
    # Translations that do not say which English they translate are not used either.
    unhashed = GOOD.replace(f'    source_hash: "{sentences_digest(profile)}"\n', "")
    finding = raised(localized, load_profile(write(tmp_path, unhashed)), "es").finding
    assert finding.rule == "profile-translation-outdated" and "do not say which" in finding.message
    # A sentence with no translation at all is named.
    finding = raised(localized, load_profile(write(tmp_path, GOOD.replace("    safety_session:", "    # x:"))),
                     "es").finding
    assert (finding.rule, finding.key) == ("profile-translation-missing", "safety_session")


@pytest.mark.parametrize("value", ["3f2a", "not hex at all", "123456789012"])
def test_a_source_hash_is_twelve_hex_digits_in_quotes(tmp_path, value):
    text = GOOD.replace(f'source_hash: "{sentences_digest(load_profile(write(tmp_path, GOOD)))}"',
                        f"source_hash: {value}")
    finding = raised(load_profile, write(tmp_path, text)).finding
    assert (finding.rule, finding.line) == ("profile-translations", text.splitlines().index(
        f"    source_hash: {value}") + 1)


def test_a_translation_that_holds_the_samples_number_is_a_sample_field(tmp_path):
    from handouts.load.profile import field_line, sample_fields

    text = GOOD.replace("(512) 555-0100", "(512) 413-2270").replace("(512) 555-0101", "(512) 413-2271")
    text = text.replace("Llámenos al (512) 413-2270 para preguntar qué debe traer.",
                        "Llámenos al (512) 555-0142 para preguntar qué debe traer.")
    profile = load_profile(write(tmp_path, text))
    fields = sample_fields(profile)
    assert "before_visit_bring" not in fields and "phone" not in fields
    assert [f for f in fields if f.startswith("translations")] == ["translations.es.before_visit_bring"]
    assert field_line(profile, "translations.es.before_visit_bring") == text.splitlines().index(
        "    before_visit_bring: Llámenos al (512) 555-0142 para preguntar qué debe traer.") + 1


@pytest.mark.parametrize("value", [
    "(512) 555-0142", "555.0199", "555) 0100", "info@clinic.example", "https://www.Example.COM/x",
    "mail@EXAMPLE.org", "12 Example Street", "12 EXAMPLE STREET, Austin", "a.b-c.Example", "ExAmPlE.net",
    "(512) 555 - 0123 ext 4", "(512) 556-0142", "clinic.examples", "examplestreet", "Main Street", "",
])
def test_the_quick_look_at_a_value_never_hides_a_sample_pattern(value):
    """`sample_fields` searches with the patterns only the values that hold "555" or "example": each pattern's
    matches hold one of them, in any case the patterns accept."""
    from handouts.load import profile

    patterns = (profile._SAMPLE_PHONE, profile._SAMPLE_DOMAIN, profile._SAMPLE_STREET)
    if any(pattern.search(value) for pattern in patterns):
        assert profile._may_be_sample(value)
    for variant in (value.upper(), value.lower(), value.swapcase()):
        assert profile._may_be_sample(variant) or not any(pattern.search(variant) for pattern in patterns)


def test_the_sample_profile_is_still_found_a_sample_and_the_test_profile_names_the_same_fields():
    from conftest import REPO

    from handouts.load import profile

    for path in (REPO / "content" / "clinic.yaml", DATA / "clinic.yaml"):
        clinic, _ = profile.read_profile(path)
        fields = [key for key, value in clinic.items() if isinstance(value, str) and any(
            pattern.search(value) for pattern in (profile._SAMPLE_PHONE, profile._SAMPLE_DOMAIN,
                                                  profile._SAMPLE_STREET))]
        assert [field for field in profile.sample_fields(clinic) if "." not in field and field != "sample"] == fields
    assert profile.sample_fields(profile.read_profile(REPO / "content" / "clinic.yaml")[0])
