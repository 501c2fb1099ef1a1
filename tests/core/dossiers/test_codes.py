import datetime as dt

import pytest
from hypothesis import given, strategies as st

from core.dossiers.codes import InvalidCodeError, code_date, normalise_code


@pytest.mark.parametrize("raw, expected", [
    ("000.00.53.H48-220921-0099", "000.00.53.H48-220921-0099"),
    ("  000.00.53.h48-220921-0099\n", "000.00.53.H48-220921-0099"),
    ("000.00.53.H48 - 220921 - 0099", "000.00.53.H48-220921-0099"),
    ("000.00.53.H48–220921–0099", "000.00.53.H48-220921-0099"),  # en dashes from Word
    ("H48.45.18-250701-000123", "H48.45.18-250701-000123"),
    ("G22.101-240115-001", "G22.101-240115-001"),
])
def test_accepts_variants_and_normalises(raw, expected):
    assert normalise_code(raw) == expected


@pytest.mark.parametrize("raw, fragment", [
    ("", "Thiếu mã hồ sơ"),
    ("   ", "Thiếu mã hồ sơ"),
    ("hello world", "không đúng dạng"),
    ("000.00.53.H48-220921", "không đúng dạng"),
    ("000.00.53.H48-220931-0099", "không phải ngày có thật"),
    ("000.00.53.H48-221301-0099", "không phải ngày có thật"),
    ("12345-220921-0099", "thiếu mã cơ quan"),
    ("000.00.53.H48-220921-0099; DROP TABLE", "không đúng dạng"),
    ("x" * 80, "quá dài"),
])
def test_rejects_garbage_with_reason(raw, fragment):
    with pytest.raises(InvalidCodeError) as info:
        normalise_code(raw)
    assert fragment in info.value.message


def test_code_date():
    assert code_date("000.00.53.H48-220921-0099").isoformat() == "2022-09-21"


_group = st.text(alphabet="0123456789ABCDEFGHKLMNPQRSTUVXY", min_size=1, max_size=5)


@given(agency=st.lists(_group, min_size=2, max_size=5),
       day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
       seq=st.integers(min_value=0, max_value=999999), noise=st.sampled_from(["", " ", "  ", "\t"]),
       lower=st.booleans())
def test_any_well_formed_code_survives_scanner_noise(agency, day, seq, noise, lower):
    canonical = f"{'.'.join(agency)}-{day:%y%m%d}-{seq:04d}"
    typed = noise + (canonical.lower() if lower else canonical).replace("-", f"{noise}-{noise}") + noise
    assert normalise_code(typed) == canonical
    assert normalise_code(normalise_code(typed)) == canonical  # idempotent
