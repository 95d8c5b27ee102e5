"""Django reads `{# … #}` as a comment only on one line: a longer one is shown to users as text."""

import pathlib
import re

import pytest

TEMPLATES = sorted(pathlib.Path(__file__).resolve().parent.parent.joinpath("prereg").rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p).split("prereg/", 1)[-1])
def test_no_comment_of_a_template_spans_lines(path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for opening in re.finditer(r"\{#", line):
            assert "#}" in line[opening.end():], f"{path.name}:{number}: a {{# #}} comment spans lines; use {{% comment %}}"
