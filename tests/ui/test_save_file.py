from pathlib import Path

from ui.save_file import FILTERS, filter_suffix, with_chosen_suffix

OFFERED = (".pdf", ".docx")


def test_the_chosen_type_decides_a_bare_or_unknown_extension():
    word = FILTERS[".docx"]
    assert filter_suffix(word) == ".docx" and filter_suffix("Tất cả (*)") == ""
    assert with_chosen_suffix("/r/bao cao thang 6", word, OFFERED) == Path("/r/bao cao thang 6.docx")
    assert with_chosen_suffix("/r/bc.so.6", word, OFFERED) == Path("/r/bc.so.6.docx")  # dots in the name
    assert with_chosen_suffix("/r/bc.PDF", word, OFFERED) == Path("/r/bc.PDF")  # an offered type typed: kept
    assert with_chosen_suffix("/r/bc", "Tất cả (*)", OFFERED) == Path("/r/bc")  # nothing to add: core refuses
