"""Fixtures of the reconciliation tests: a roster of every kind of line, and that roster imported by 泉州."""

import pytest

from tests.reconcile.helpers import HEADER_2020, csv_bytes, every_kind, upload_and_import


@pytest.fixture
def roster(tree, year):
    """(applications, roster lines): one of each kind the lists tell apart (helpers.every_kind)."""
    return every_kind(tree, year)


@pytest.fixture
def imported(roster, reviewer_quanzhou):
    """(applications, the upload): the roster imported by the 泉州 考点."""
    apps, rows = roster
    result = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, rows))
    assert result.ok, result.upload.errors
    return apps, result.upload
