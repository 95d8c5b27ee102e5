"""The muted and help grey (app.css --muted) reads at 4.5:1 on the page's grounds (WCAG 1.4.3): #6b7685
gave 4.2 on the page (#f3f5f8) and on a success message (#e9f7ef) (phone-journey probe)."""

import re
from pathlib import Path

import pytest

APP_CSS = Path(__file__).resolve().parents[2] / "prereg" / "static" / "prereg" / "app.css"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("ground", ["#ffffff", "#f3f5f8", "#e9f7ef", "#fafbfc", "#fdecea", "#fef5e7"])
def test_the_muted_grey_reads_at_four_and_a_half_to_one(ground):
    muted = re.search(r"--muted:\s*(#[0-9a-fA-F]{6})", APP_CSS.read_text()).group(1)
    assert _contrast(muted, ground) >= 4.5, (muted, ground, round(_contrast(muted, ground), 2))
