"""Synthetic directives the parser never saw while its rules were written (different phrasing)."""

PLAN_2024 = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG NGÃI
Số: 77/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ngãi, ngày 05 tháng 4 năm 2024

KẾ HOẠCH
Triển khai Đề án 06 về dữ liệu dân cư trên địa bàn tỉnh năm 2024

I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Nâng cao hiệu quả khai thác dữ liệu dân cư phục vụ giải quyết thủ tục hành chính.
2. Yêu cầu
- Bảo đảm đúng tiến độ, chất lượng.
II. NHIỆM VỤ CỤ THỂ
1. Công an tỉnh chủ trì, phối hợp với Sở Tư pháp và UBND các huyện, thị xã, thành phố làm sạch dữ liệu hộ tịch.
Thời hạn: hoàn thành trước ngày 30/9/2024.
2. Sở Thông tin và Truyền thông
a) Nâng cấp hạ tầng mạng truyền số liệu chuyên dùng đến cấp xã. Thời hạn: Quý III/2024.
b) Hướng dẫn các địa phương kết nối Hệ thống thông tin giải quyết thủ tục hành chính với Cơ sở dữ liệu quốc gia về dân cư, hoàn thành trong tháng 10/2024.
3. UBND các huyện, thị xã, thành phố:
- Chỉ đạo UBND cấp xã rà soát, cập nhật dữ liệu hộ tịch; thời gian thực hiện: trong năm 2024.
- Báo cáo kết quả thực hiện định kỳ hàng tháng về Công an tỉnh.
III. TỔ CHỨC THỰC HIỆN
Giao Công an tỉnh theo dõi, đôn đốc, tổng hợp báo cáo UBND tỉnh./.
Nơi nhận:
- Như trên;
- Lưu: VT, NC.
"""

LETTER_DASHES_2025 = """UỶ BAN NHÂN DÂN TỈNH QUẢNG NGÃI
Số: 3120/UBND-NC
V/v rà soát trụ sở làm việc
của chính quyền cấp xã
Quảng Ngãi, ngày 12 tháng 8 năm 2025
Kính gửi: UBND các xã, phường, đặc khu.

Để kịp thời bố trí trụ sở làm việc sau sắp xếp, Chủ tịch UBND tỉnh đề nghị UBND các xã, phường, đặc khu khẩn trương thực hiện các nội dung sau:
- Rà soát hiện trạng trụ sở, nhà làm việc, tài sản công dôi dư; hoàn thành trước ngày 25/8/2025.
- Lập danh mục trụ sở cần sửa chữa, nâng cấp gửi Sở Tài chính chậm nhất ngày 05 tháng 9 năm 2025.
- Phối hợp với Sở Xây dựng kiểm tra hiện trạng các công trình xuống cấp; thời gian: Quý IV/2025.
Trong quá trình thực hiện nếu có vướng mắc, kịp thời báo cáo về Sở Tài chính để tổng hợp./.
Nơi nhận:
- Như trên;
- Lưu: VT.
"""

DECISION_MULTILEVEL = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG NGÃI
Số: 15/QĐ-UBND
Quảng Ngãi, ngày 20 tháng 1 năm 2026
QUYẾT ĐỊNH
Ban hành Danh mục nhiệm vụ cải cách hành chính năm 2026
Điều 1. Ban hành kèm theo Quyết định này Danh mục nhiệm vụ.
1. Cải cách thể chế
1.1. Sở Tư pháp chủ trì rà soát văn bản quy phạm pháp luật của tỉnh. Tiến độ thực hiện: Quý II/2026.
1.2. UBND cấp xã tự kiểm tra văn bản do mình ban hành; Tiến độ thực hiện: 6 tháng đầu năm 2026.
2. Cải cách thủ tục hành chính
2.1. UBND các xã, phường công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa. Thời gian hoàn thành: Nhiệm vụ thường xuyên.
2.2. Sở Nội vụ phối hợp với Văn phòng UBND tỉnh đánh giá chỉ số cải cách hành chính, hoàn thành trước ngày 15/12/2026.
Nơi nhận:
- Như Điều 3;
- Lưu: VT.
"""

POST_MERGER_DISTRICT_WORDING = """ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI
Số: 999/UBND-KT
V/v thống kê đất đai
Quảng Ngãi, ngày 10 tháng 10 năm 2025
Kính gửi: Sở Nông nghiệp và Môi trường.
Chủ tịch UBND tỉnh có ý kiến như sau:
1. Sở Nông nghiệp và Môi trường tổng hợp số liệu thống kê đất đai của các huyện cũ trước sáp nhập, hoàn thành trong tháng 11 năm 2025.
2. Sở Tài chính phối hợp với Sở Nông nghiệp và Môi trường thẩm định kinh phí./.
Nơi nhận:
- Như trên;
- Lưu: VT.
"""

NO_ITEMS = """ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI
Số: 4001/UBND-VX
V/v dự họp
Quảng Ngãi, ngày 02 tháng 6 năm 2025
Kính gửi: Sở Văn hóa, Thể thao và Du lịch.
UBND tỉnh mời đại diện lãnh đạo Sở dự họp vào lúc 14 giờ ngày 05/6/2025 tại phòng họp số 1./.
Nơi nhận:
- Như trên;
- Lưu: VT.
"""

ASSIGNING_WORDS = """UBND TỈNH QUẢNG NGÃI
Số: 55/UBND-NC
Quảng Ngãi, ngày 3 tháng 9 năm 2025
Kính gửi: Các sở, ngành; UBND các xã, phường, đặc khu.
Để triển khai kịp thời, Chủ tịch UBND tỉnh chỉ đạo như sau:
1. Giao Sở Nội vụ chủ trì, phối hợp với Sở Tài chính tham mưu phương án bố trí biên chế cho cấp xã; báo cáo UBND tỉnh trước ngày 30 tháng 9 năm 2025.
2. Đề nghị UBND các xã, phường, đặc khu rà soát vị trí việc làm, gửi Sở Nội vụ chậm nhất ngày 20/9/2025.
3. Yêu cầu Chủ tịch UBND các xã, phường, đặc khu chịu trách nhiệm về tiến độ thực hiện; kết quả tổng hợp hằng quý.
4. Văn phòng UBND tỉnh theo dõi, đôn đốc; thời hạn: trong tháng 10/2025./.
Nơi nhận:
- Như trên;
- Lưu: VT.
"""
