import datetime

import pytest
from django.core.exceptions import ValidationError

from prereg.core.masking import mask_id_number, mask_phone
from prereg.core.validators import normalize_mobile, parse_id_number, validate_chsi_code, validate_mobile


def test_id_number_samples_from_the_reference_pass_and_tell_birth_date_and_gender():
    facts = parse_id_number("52030219891209794x")
    assert facts.number == "52030219891209794X"
    assert facts.birth_date == datetime.date(1989, 12, 9)
    assert facts.gender == "F"
    assert parse_id_number("440308199901101512").gender == "M"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("44030819990110151", "length"),
        ("440308199901101513", "check_digit"),
        ("990308199901101512", "region"),
        ("440308199902301512", "birth_date"),
        ("4403081999011015A2", "format"),
        ("610104620927690", "legacy"),
        # Digits of another script: int() reads "١٩٩٩" as 1999 and "२" as 2, so the number would pass
        # for a second account of the same person under another spelling.
        ("440308١٩٩٩01101512", "format"),
        ("44030819990110151२", "format"),
        ("4403081999011015२2", "format"),
    ],
)
def test_bad_id_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as excinfo:
        parse_id_number(value)
    assert excinfo.value.code == code
    assert "身份证" in excinfo.value.messages[0]


def test_a_full_width_id_number_is_read_as_the_same_number():
    assert parse_id_number("５２０３０２１９８９１２０９７９４ｘ").number == "52030219891209794X"
    assert parse_id_number("44030819990110151²").number == "440308199901101512"  # NFKC: ² is 2, no error
    assert normalize_mobile("１５００５０００４０４") == "15005000404"


def test_id_number_with_birth_date_in_the_future_is_refused():
    from prereg.demo.people import make_id_number

    future = make_id_number("350102", datetime.date.today() + datetime.timedelta(days=400), 11)
    with pytest.raises(ValidationError):
        parse_id_number(future)


# "１５００…": typed in a Chinese input method's full-width (全角) mode, read as the same digits.
@pytest.mark.parametrize("value", ["15005000404", "+86 150 0500 0404", "19912345678", "１５００５０００４０４"])
def test_mobile_numbers_are_accepted(value):
    validate_mobile(value)


@pytest.mark.parametrize("value", ["1500500040", "25005000404", "abc", "150٠5000404"])
def test_bad_mobile_numbers_are_refused(value):
    with pytest.raises(ValidationError):
        validate_mobile(value)


@pytest.mark.parametrize("value", ["090888693519", "无", "AB12CD34EF56"])
def test_chsi_codes_accepted(value):
    validate_chsi_code(value)


@pytest.mark.parametrize("value", ["0908886935", "0908-8869-3519x", "有", "٠٩٠٨٨٨٦٩٣٥١٩"])
def test_chsi_codes_refused(value):
    with pytest.raises(ValidationError):
        validate_chsi_code(value)


def test_masking_keeps_only_the_ends():
    assert mask_id_number("350102198807211058") == "3501**********1058"
    assert mask_phone("15005000404") == "150****0404"
