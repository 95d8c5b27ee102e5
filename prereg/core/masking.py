"""Masking of personal numbers in lists, notices, logs and default exports."""


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]


def birth_text(value, full_numbers: bool) -> str:
    """出生日期: the date where full numbers are shown, else its year only (with a masked ID number's
    first and last four digits the whole date would give the number back)."""
    if not value:
        return ""
    return value.isoformat() if full_numbers else str(value.year)


def chsi_text(code: str, full_numbers: bool) -> str:
    """学信网在线验证码: the code where full numbers are shown, else only whether one was given (its
    report names the whole ID number)."""
    if full_numbers or not code or code == "无":
        return code
    return "已填写"
