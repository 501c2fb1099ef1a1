"""Lead units, headers, outline and deadline forms from the misses of the tuning corpus (split history in
docs/DIRECTIVES.md). Short made-up sentences; the corpus test is test_layouts_and_prose.test_real_corpus_scores."""

from __future__ import annotations

import datetime as dt

from core.directives.deadlines import find_deadline
from core.directives.metadata import DocumentInfo, extract_document_info
from core.directives.normative import is_normative
from core.directives.outline import build_outline
from core.directives.parser import assigned_unit, parse_directive
from core.directives.sentences import subject_lead
from core.directives.textclean import clean_text
from core.directives.unit_roles import split_lead


def lead(text: str) -> str | None:
    return split_lead(text)[0]


def test_plural_level_of_government_is_a_unit_without_a_unit_word():
    assert lead("Các huyện tổ chức di dời dân khỏi vùng nguy hiểm.") == "Các huyện"
    assert lead("Các xã, phường rà soát hộ nghèo trước ngày 30/6.") == "Các xã, phường"
    assert lead("Từng ngành, từng địa phương chủ động rà soát nhiệm vụ.") == "Từng ngành, từng địa phương"
    # Without a plural word, a place opening a sentence is not taken for a unit (prefer none to wrong).
    assert lead("Tỉnh đã hoàn thành số hóa hồ sơ năm 2024.") is None
    assert lead("Huyện có 12 xã đạt chuẩn nông thôn mới.") is None


def test_numbered_item_led_by_plural_localities():
    text = ("UBND tỉnh chỉ đạo:\n1- Cho học sinh nghỉ học ngày 17/11/2008;\n"
            "2- Các huyện tổ chức di dời dân đến nơi an toàn, xong trước 14 giờ ngày 17-11-2008.\n")
    tasks = parse_directive(text).tasks
    assert [t.lead_unit for t in tasks] == [None, "Các huyện"]
    assert tasks[1].deadline.due == dt.date(2008, 11, 17)


def test_to_chuc_between_commas_is_an_organisation_not_an_action():
    sentence = "Đồng thời, yêu cầu các cơ quan, đơn vị, tổ chức, cá nhân thực hiện treo cờ Tổ quốc."
    assert assigned_unit(sentence) == "các cơ quan, đơn vị, tổ chức, cá nhân"
    assert lead("Các sở, ngành, tổ chức và cá nhân liên quan thực hiện nghiêm.") == "Các sở, ngành, tổ chức và cá nhân liên quan"
    # "tổ chức" that opens an action stays the verb.
    assert lead("UBND các xã tổ chức, hướng dẫn người dân di dời.") == "UBND các xã"
    assert lead("Sở Nội vụ, tổ chức tập huấn cho công chức cấp xã.") == "Sở Nội vụ"


def test_long_addressee_list_with_a_describing_clause():
    sentence = ("Đề nghị UBND các huyện, các đơn vị quản lý công trình thủy lợi và các cơ quan liên quan "
                "kiểm tra an toàn đập trước mùa mưa bão.")
    assert assigned_unit(sentence) == ("UBND các huyện, các đơn vị quản lý công trình thủy lợi và các cơ quan "
                                       "liên quan")
    # No further group of units after the clause: the list ends at the first verb (shorter, never wrong).
    assert lead("Các đơn vị quản lý, vận hành hồ chứa báo cáo tình hình hằng ngày.") == "Các đơn vị"
    # "công trình", "giao thông" are nouns, not the verbs "trình" (submit) and "giao" (assign).
    assert lead("Ban Quản lý dự án công trình giao thông báo cáo tiến độ.") == "Ban Quản lý dự án công trình giao thông"
    assert lead("Ban An toàn giao thông tỉnh kiểm tra các bến đò.") == "Ban An toàn giao thông tỉnh"
    assert lead("Giao Sở Y tế chủ trì, giao thông tin cho các xã.") == "Sở Y tế"
    # Two clauses joined by "và", each with its own action: not one long unit.
    assert lead("Các đơn vị rà soát hồ sơ và các cơ quan liên quan phối hợp kiểm tra.") == "Các đơn vị"


def test_issuer_name_over_two_lines_joined_at_va():
    lines = clean_text("BỘ NÔNG NGHIỆP\n\nVÀ PHÁT TRIỂN NÔNG THÔN\n\nSố: 47/2010/TT-BNNPTNT\n\n"
                       "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nHà Nội, ngày 03 tháng 8 năm 2010\n")
    assert extract_document_info(lines).issuer == "BỘ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN"
    lines = clean_text("ỦY BAN NHÂN DÂN\nTỈNH GIA LAI\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                       "Số: 12/UBND-KT\nGia Lai, ngày 03 tháng 8 năm 2024\n")
    assert extract_document_info(lines).issuer == "ỦY BAN NHÂN DÂN TỈNH GIA LAI"


def test_decision_title_without_its_type_heading():
    text = ("ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |\n"
            "Số: 41/2019/QĐ-UBND | Quảng Trị, ngày 22 tháng 10 năm 2019 |\n"
            "BAN HÀNH QUY ĐỊNH CHẾ ĐỘ BÁO CÁO ĐỊNH KỲ\nỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ\n"
            "Căn cứ Luật Tổ chức chính quyền địa phương;\n")
    info = extract_document_info(clean_text(text))
    assert info.subject == "BAN HÀNH QUY ĐỊNH CHẾ ĐỘ BÁO CÁO ĐỊNH KỲ"
    assert info.issuer == "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ"
    # A letter with no title lines before its prose keeps no subject (none invented from the body).
    letter = ("ỦY BAN NHÂN DÂN TỈNH GIA LAI\nSố: 12/UBND-KT\nGia Lai, ngày 03 tháng 8 năm 2024\n"
              "Kính gửi: UBND các xã.\nUBND tỉnh đề nghị UBND các xã rà soát.\n")
    assert extract_document_info(clean_text(letter)).subject is None


def test_numbered_item_after_a_dotted_one_is_not_its_child():
    root = build_outline(clean_text("2.3. Tiết kiệm thời gian.\n2.4. Xác định trách nhiệm của thủ trưởng.\n"
                                    "1. Các sở, ngành thực hiện đúng tiến độ.\n2. Việc đánh giá phải thống nhất.\n"))
    assert [child.ref for child in root.children] == ["2.3", "2.4", "1", "2"]
    # "1." under "I." or after "1.2." with its "1." present still nests as before.
    root = build_outline(clean_text("1. Sở Nội vụ\n1.1. Rà soát biên chế.\n1.2. Báo cáo UBND tỉnh.\n2. Sở Tài chính\n"))
    assert [child.ref for child in root.children] == ["1", "2"]
    assert [child.ref for child in root.children[0].children] == ["1.1", "1.2"]


def test_short_window_is_not_a_deadline_but_a_period_to_finish_in_is():
    flags = find_deadline("treo cờ Tổ quốc từ chiều ngày 24/4/2018 đến hết ngày 25/4/2018")
    assert flags.kind == "none"
    duty = find_deadline("bố trí trực từ ngày 29/4 đến hết ngày 3/5", default_year=2025)
    assert duty.kind == "none"
    finish = find_deadline("hoàn thành từ ngày 01/7/2025 đến ngày 03/7/2025")
    assert finish.due == dt.date(2025, 7, 3)
    period = find_deadline("thực hiện từ ngày 01/7/2025 đến ngày 31/12/2025")
    assert period.due == dt.date(2025, 12, 31)
    assert find_deadline("hoàn thành trước ngày 25/4/2018").due == dt.date(2018, 4, 25)


def test_periodic_report_named_by_its_period_is_recurring():
    half = find_deadline("Báo cáo 6 tháng gửi trước ngày 05/6", default_year=2012)
    assert (half.kind, half.period) == ("recurring", "half")
    assert find_deadline("Báo cáo quý gửi trước ngày 05 tháng cuối quý").kind == "recurring"
    # One period's report is a one-off deadline.
    assert find_deadline("Báo cáo tháng 6 gửi trước ngày 05/7/2025").due == dt.date(2025, 7, 5)
    assert find_deadline("báo cáo 6 tháng đầu năm 2025 trước ngày 15/6/2025").due == dt.date(2025, 6, 15)
    assert find_deadline("báo cáo năm 2025 trước ngày 10/1/2026").due == dt.date(2026, 1, 10)


# --- round 2: from the misses of the second held-out part, read once it had been scored ---------------

def prose(text: str):
    return [(t.content[:30], t.lead_unit) for t in parse_directive(text, require_tasks=False).tasks]


def test_subject_that_acts_is_the_lead_in_prose():
    text = ("UBND tỉnh yêu cầu các sở, ngành tăng cường phòng chống dịch. Sở Y tế hướng dẫn UBND các xã lấy mẫu "
            "xét nghiệm. Công an tỉnh chủ trì, cùng Sở Y tế truy vết các trường hợp nghi nhiễm. Đặc biệt, các địa "
            "phương cần bố trí kinh phí gia cố đê bao.\n")
    assert [lead for _start, lead in prose(text)] == ["các sở, ngành", "Sở Y tế", "Công an tỉnh", "các địa phương"]


def test_subject_that_reports_or_is_the_issuer_gives_no_task():
    text = ("Chủ tịch UBND tỉnh vừa ban hành công điện về phòng chống bão. UBND tỉnh tổ chức hội nghị sơ kết. "
            "Các cấp, các ngành trên địa bàn tỉnh đã quán triệt, triển khai nghiêm túc. Các phường Ngô Quyền, "
            "Gia Viên đang tích cực triển khai. Sau khi nghe Văn phòng, Cục Quản lý chất lượng trình bày dự thảo, "
            "Bộ trưởng kết luận. Trường hợp phát sinh khó khăn, tổng hợp, báo cáo ngay về UBND tỉnh.\n")
    assert prose(text) == []
    # The units of the sentence before ("Những địa phương này …") continue its task: no new one.
    follow = ("Thủ tướng yêu cầu UBND các tỉnh ven biển khắc phục hậu quả mưa lũ. Những địa phương này phải phục hồi "
              "sản xuất.\n")
    assert [lead for _start, lead in prose(follow)] == ["UBND các tỉnh ven biển"]


def test_a_unit_directing_its_own_people_leads():
    assert assigned_unit("Sở Tài nguyên và Môi trường chỉ đạo đơn vị liên quan thu gom rác thải.") == \
        "Sở Tài nguyên và Môi trường"
    assert assigned_unit("UBND huyện, thị xã chỉ đạo các cơ quan chuyên môn hướng dẫn người dân.") == "UBND huyện, thị xã"
    # The issuer directing others: the others lead.
    assert assigned_unit("Chủ tịch UBND tỉnh chỉ đạo các sở, ngành rà soát hồ sơ.") == "các sở, ngành"
    # "Ban Chỉ đạo phòng, chống dịch" is a name, not the verb "chỉ đạo".
    text = ("Trưởng ban Ban chỉ đạo Phòng, chống dịch thành phố ban hành văn bản gửi các quận. Văn bản nêu rõ:\n"
            "1. Giao Ủy ban nhân dân các quận, huyện tăng cường kiểm tra.\n2. Các chốt kiểm soát rà soát từng hộ dân.\n")
    assert [t.lead_unit for t in parse_directive(text).tasks] == ["Ủy ban nhân dân các quận, huyện", None]


def test_addressee_list_over_a_semicolon_and_heads_of_units():
    sentence = ("UBND tỉnh yêu cầu Giám đốc, thủ trưởng các sở, ban, ngành; Chủ tịch UBND các huyện, thị xã tiếp tục "
                "tăng cường các biện pháp phòng dịch.\n")
    assert [lead for _start, lead in prose(sentence)] == [
        "Giám đốc, thủ trưởng các sở, ban, ngành; Chủ tịch UBND các huyện, thị xã"]
    assert lead("Bí thư Đảng ủy, Chủ tịch UBND các xã trực tiếp chỉ đạo thi công.") == "Bí thư Đảng ủy, Chủ tịch UBND các xã"
    assert split_lead("Giao trách nhiệm cho Trưởng ban Ban Tổ chức chính quyền hướng dẫn thực hiện.")[0] == \
        "Trưởng ban Ban Tổ chức chính quyền"
    assert lead("Văn phòng UBND tỉnh là đơn vị đầu mối tổng hợp, báo cáo.") == "Văn phòng UBND tỉnh"
    assert lead("Trường hợp vượt thẩm quyền, báo cáo UBND tỉnh.") is None


def test_headline_and_cut_off_teaser_are_no_tasks():
    text = ("Bộ Nội vụ đề nghị các tỉnh tạm dừng việc thành lập đơn vị hành chính đô thị\n\n"
            "Văn bản đề nghị UBND các tỉnh tạm dừng việc xin chủ trương thành lập đơn vị hành chính đô thị.\n"
            "Đồng chí Bí thư Thành ủy đề nghị Công ty CP Gốm…\n")
    assert [lead for _start, lead in prose(text)] == ["UBND các tỉnh"]


def test_menu_lines_of_a_web_page_are_not_the_directive():
    text = ("• Cart Image\n  Turmeric Powder\n  $ 34.99\n • Cart Image\n  Coffee\n  $ 26.99\n\n"
            "Chủ tịch UBND tỉnh chỉ đạo Sở Nông nghiệp và Môi trường chủ trì theo dõi đàn gia súc.\n\n"
            "UBND các xã chỉ đạo cán bộ thú y hướng dẫn người dân tái đàn.\n")
    assert [lead for _start, lead in prose(text)] == ["Sở Nông nghiệp và Môi trường", "UBND các xã"]


def test_title_over_a_blank_line_goes_on_in_lower_case():
    text = ("BỘ GIÁO DỤC VÀ ĐÀO TẠO\n\nSố: 455/TB-BGDĐT\n\nHà Nội, ngày 19 tháng 7 năm 2017\n\nTHÔNG BÁO\n\n"
            "Kết luận của Bộ trưởng\n\ntại Hội nghị Giám đốc sở giáo dục và đào tạo năm 2017\n\n"
            "Chiều ngày 14 tháng 7 năm 2017, Bộ trưởng chủ trì làm việc.\n")
    assert extract_document_info(clean_text(text)).subject == (
        "Kết luận của Bộ trưởng tại Hội nghị Giám đốc sở giáo dục và đào tạo năm 2017")


# Round 3 (from the misses of the third held-out part, now tuning material; docs/DIRECTIVES.md).

def test_provisions_of_a_thong_tu_are_not_tasks():
    body = ("Điều 1. Phạm vi điều chỉnh\nThông tư này quy định về việc cấp tem cho sản phẩm rượu.\n"
            "Điều 2. Đối tượng áp dụng\n1. Các cơ quan thuế, hải quan và doanh nghiệp sản xuất rượu.\n"
            "2. Danh hiệu “Lao động tiên tiến” được xét tặng hằng năm cho cá nhân đủ tiêu chuẩn.\n"
            "Điều 3. Tổ chức thực hiện\n1. Giao Cục Thuế chủ trì hướng dẫn các Chi cục Thuế thực hiện.\n"
            "2. Cá nhân được cử đi đào tạo dưới 01 năm được tính thời gian công tác.\n")
    thong_tu = ("BỘ TÀI CHÍNH\nSố: 12/2024/TT-BTC\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                "Hà Nội, ngày 02 tháng 5 năm 2024\nTHÔNG TƯ\nHướng dẫn về tem rượu\n" + body)
    assert [t.lead_unit for t in parse_directive(thong_tu, require_tasks=False).tasks] == ["Cục Thuế"]
    # Known by its type heading alone (no number), and a nghị định by its number.
    assert [t.lead_unit for t in parse_directive(thong_tu.replace("Số: 12/2024/TT-BTC\n", ""),
                                                 require_tasks=False).tasks] == ["Cục Thuế"]
    assert is_normative([], DocumentInfo(number="94/2012/NĐ-CP"))
    # A decision's or a plan's points are the work itself: the same items stay tasks there.
    plan = ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI\nSố: 12/KH-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Quảng Ngãi, ngày 02 tháng 5 năm 2024\nKẾ HOẠCH\nRà soát hồ sơ\n"
            "1. Sở Y tế rà soát các cơ sở khám bệnh.\n2. UBND các xã báo cáo kết quả trước ngày 30/6/2024.\n")
    assert [t.lead_unit for t in parse_directive(plan).tasks] == ["Sở Y tế", "UBND các xã"]
    assert not is_normative(clean_text(plan), DocumentInfo(number="12/KH-UBND"))


def test_list_items_above_the_national_motto_belong_to_the_page():
    text = ("• Hiệu lực: Còn hiệu lực\n• Ngày có hiệu lực: 01/01/2014\nỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI\n"
            "Số: 12/KH-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nQuảng Ngãi, ngày 02 tháng 5 năm 2024\n"
            "1. Sở Y tế rà soát các cơ sở khám bệnh.\n")
    parsed = parse_directive(text)
    assert [t.lead_unit for t in parsed.tasks] == ["Sở Y tế"]
    assert parsed.document.number == "12/KH-UBND"
    # Without a motto nothing is taken for page furniture: a plain list stays a list of tasks.
    plain = "- UBND các xã rà soát hộ nghèo.\n- Sở Nội vụ tổng hợp kết quả.\n"
    assert [t.lead_unit for t in parse_directive(plain).tasks] == ["UBND các xã", "Sở Nội vụ"]


def test_assigning_verb_followed_by_a_colon():
    assert assigned_unit("Công văn số 12/UBND-NC yêu cầu: Chủ tịch UBND các xã ứng trực 24/24 giờ để theo dõi "
                         "tình hình.") == "Chủ tịch UBND các xã"
    assert assigned_unit("Chủ tịch UBND tỉnh cũng giao: Giám đốc Sở Y tế chủ trì, phối hợp với các xã "
                         "chuẩn bị phòng họp trực tuyến.") == "Giám đốc Sở Y tế"
    assert assigned_unit("Chủ tịch UBND tỉnh đề nghị: “Thủ trưởng các sở, ngành triển khai nghiêm các nội "
                         "dung”.") == "Thủ trưởng các sở, ngành"
    # What follows the colon is no unit: nobody is named; a colon ending the sentence opens a list.
    assert assigned_unit("Nội dung yêu cầu: báo cáo tình hình thực hiện trong tháng.") is None
    assert assigned_unit("Chủ tịch UBND tỉnh yêu cầu các sở, ngành thực hiện các nội dung sau:") is None


def test_head_of_a_lower_level_in_lower_case_after_an_opening_clause():
    assert subject_lead("Bên cạnh đó, lãnh đạo xã, phường phải giữ vững đoàn kết nội bộ.")[0] == \
        "lãnh đạo xã, phường"
    assert subject_lead("Chủ tịch UBND các xã tập trung chỉ đạo sơ tán dân.")[0] == "Chủ tịch UBND các xã"
    # The issuer's own leaders tell, they are not told.
    assert subject_lead("Bên cạnh đó, lãnh đạo tỉnh yêu cầu tăng cường kiểm tra.")[0] is None
    assert subject_lead("Chủ tịch UBND tỉnh tập trung chỉ đạo sơ tán dân.")[0] is None
    # A lower-case word that names no unit or head stays out.
    assert subject_lead("Bên cạnh đó, người dân cần chủ động tích trữ lương thực.")[0] is None


def test_cong_bo_ends_a_unit_name():
    assert lead("UBND huyện Ba Tơ công bố công khai danh sách hộ nghèo năm 2024.") == "UBND huyện Ba Tơ"
    # In capitals it is part of a name.
    assert lead("Trung tâm Công bố thông tin tỉnh cập nhật số liệu hằng tuần.") == "Trung tâm Công bố thông tin tỉnh"


def test_instruction_that_names_nobody_is_a_task_without_lead():
    text = ("Báo cáo tình hình thực hiện công tác giảm nghèo từ đầu năm đến nay, nêu rõ khó khăn, vướng mắc.\n"
            "UBND tỉnh giao Sở Nội vụ tổng hợp, báo cáo UBND tỉnh.\n"
            "UBND tỉnh Gia Lai vừa ban hành chỉ thị yêu cầu có biện pháp xử lý nghiêm việc hái cà phê non.\n")
    assert [lead for _start, lead in prose(text)] == [None, "Sở Nội vụ", None]
    # Not: a sentence after a task (it goes on with that task), a headline, a report of what was done,
    # a noun that folds like a verb ("Cán bộ" ~ "cần"), "yêu cầu" as a noun.
    negatives = ("Sở Y tế tăng cường kiểm tra an toàn thực phẩm. Phải có kế hoạch giám sát các cơ sở kinh doanh.\n"
                 "Báo cáo tình hình dịch bệnh trên địa bàn tỉnh\n"
                 "Báo cáo tình hình kinh tế quý I đã được hội nghị thông qua với nhiều ý kiến.\n"
                 "Cán bộ, chiến sĩ Trung đoàn tham gia chiến dịch làm nhà cho người dân vùng lũ.\n"
                 "Các dự án phải đáp ứng yêu cầu phát triển bền vững của địa phương trong giai đoạn tới.\n")
    assert [lead for _start, lead in prose(negatives)] == ["Sở Y tế"]
