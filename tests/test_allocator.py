"""The malloc arena cap: applied on glibc, a harmless no-op elsewhere."""

import platform

import pytest

from cm_advisor.allocator import limit_arenas


def test_limit_arenas_reports_whether_it_applied() -> None:
    assert isinstance(limit_arenas(), bool)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_limit_arenas_applies_on_glibc() -> None:
    assert limit_arenas() is True
    assert limit_arenas(2) is True  # idempotent: create_app calls it once per app
