from core.textfold import fold, fold_words, fts_query, vi_name_sort_key, vi_sort_key


def test_fold_removes_marks_and_d_stroke():
    assert fold("Đỗ") == "do"
    assert fold("Hồ sơ số hóa") == "ho so so hoa"
    assert fold("ĐẶC KHU LÝ SƠN") == "dac khu ly son"
    assert fold("") == "" and fold(None) == ""


def test_fold_handles_decomposed_input():
    decomposed = "Ho\u0302\u0300 so\u031b"  # "Hồ sơ" typed with combining marks
    assert fold(decomposed) == "ho so"


def test_fts_query_prefixes_every_word():
    assert fts_query("ho so so hoa") == '"ho"* "so"* "so"* "hoa"*'
    assert fts_query("Đỗ!") == '"do"*'
    assert fts_query("  ,. ") is None
    assert fold_words('a "b" c*') == ["a", "b", "c"]


def test_vietnamese_alphabet_order():
    words = ["Đức", "Dung", "Ánh", "Ân", "Anh", "Bình", "Ơn", "Ông", "Óc"]
    assert sorted(words, key=vi_sort_key) == ["Anh", "Ánh", "Ân", "Bình", "Dung", "Đức", "Óc", "Ông", "Ơn"]


def test_tones_break_ties_in_dictionary_order():
    # ngang, huyền, hỏi, ngã, sắc, nặng
    words = ["má", "mạ", "mà", "ma", "mã", "mả"]
    assert sorted(words, key=vi_sort_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_names_sort_by_given_name():
    names = ["Trần Văn Đức", "Nguyễn Thị Ánh", "Lê Văn Bình"]
    assert sorted(names, key=vi_name_sort_key) == ["Nguyễn Thị Ánh", "Lê Văn Bình", "Trần Văn Đức"]
