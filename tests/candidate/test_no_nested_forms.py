"""No <form> inside another on the candidate's pages: the HTML parser drops a nested form on a full page
load (its fields then belong to the outer form), so a row's upload or delete would silently do nothing,
or send the section instead."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import complete_application


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open, self.nested = 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            if self.open:
                self.nested.append(dict(attrs).get("action", "?"))
            self.open += 1

    def handle_endtag(self, tag):
        if tag == "form":
            self.open -= 1


@pytest.mark.parametrize("name", ["candidate:form", "candidate:home", "candidate:progress"])
def test_no_form_is_nested_in_another(client, candidate, year, tree, name):
    complete_application(candidate, year, tree)  # every row table with a row, each row with its 📷 slot
    client.force_login(candidate)
    parser = _Forms()
    parser.feed(client.get(reverse(name)).content.decode())
    assert parser.open == 0 and not parser.nested, parser.nested
