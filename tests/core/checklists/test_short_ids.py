"""checklist runs shows the shortest tail that names a run alone; resolve_run_id accepts it."""

from core.checklists.history import short_ids


def test_tails_grow_until_unique_and_never_shorter_than_six():
    ids = ["01a24ce4-ac5d-7258-ac6d-917c4d2f9faa", "01a24ce4-ac50-7228-9a73-0724992f9faa",
           "01a24ce4-ac43-71f7-8477-4d4b97961f4c"]
    short = short_ids(ids)
    assert short[ids[2]] == "961f4c"
    assert short[ids[0]] == "d2f9faa" and short[ids[1]] == "92f9faa"   # "2f9faa" is shared: one more
    assert all(i.endswith(s) for i, s in short.items()) and len(set(short.values())) == 3


def test_a_tail_that_is_also_another_ids_head_is_lengthened():
    ids = ["abcdef12-0000-7000-8000-000000abcdef", "abcdef99-0000-7000-8000-000000123456"]
    short = short_ids(ids)
    assert short[ids[0]] != "abcdef" and ids[0].endswith(short[ids[0]])
    assert not ids[1].startswith(short[ids[0]])
