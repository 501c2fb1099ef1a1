"""Demo tasks: the sample directives the app ships, one made up around today, and progress.

Progress notes, statuses and assignees are drawn from the demo's seeded generator so the
same seed gives the same workspace; some tasks are left overdue on purpose.
"""

from __future__ import annotations

import datetime as dt

import contextlib
import tempfile
from pathlib import Path

from core.directives.parser import parse_directive
from core.paths import DB_FILENAME, AppPaths
from core.directives.readers import read_directive_file
from core.resources import resource
from core.tasks.status import periods_between, reporting_period
from core.tasks.store import add_progress, import_directive

SAMPLES = ["4685_UBND-KGVX_2022-09-19.txt", "draft_2025_two_tier_government.txt"]
NOTES = [
    "Đã giao công chức Văn phòng - Thống kê tham mưu triển khai.",
    "Đã ban hành kế hoạch thực hiện tại xã, đang tổ chức triển khai.",
    "Đã rà soát, tổng hợp số liệu; chờ ý kiến chỉ đạo của Chủ tịch UBND xã.",
    "Tổ công nghệ số cộng đồng đã hỗ trợ người dân tại 6/8 thôn.",
    "Đã báo cáo kết quả về Sở Khoa học và Công nghệ qua hệ thống quản lý văn bản.",
    "Vướng kinh phí mua sắm thiết bị, đã đề xuất bổ sung dự toán.",
    "Đã tập huấn cho công chức Bộ phận Một cửa về ký số và số hóa kết quả.",
]


def current_directive_text(today: dt.date) -> str:
    """A directive dated three weeks ago whose deadlines fall around today."""
    issued = today - dt.timedelta(days=21)
    soon = today + dt.timedelta(days=5)
    later = today + dt.timedelta(days=25)
    past = today - dt.timedelta(days=6)
    quarter = (today.month - 1) // 3 + 1
    roman = ["I", "II", "III", "IV"][quarter - 1]

    def d(day: dt.date) -> str:
        return f"{day.day:02d}/{day.month:02d}/{day.year}"

    return f"""ỦY BAN NHÂN DÂN
TỈNH QUẢNG NGÃI
Số: 2150/UBND-KGVX
V/v triển khai số hóa hồ sơ và hội nghị truyền hình cấp xã
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ngãi, ngày {issued.day} tháng {issued.month} năm {issued.year}
Kính gửi:
- Sở Khoa học và Công nghệ;
- UBND các xã, phường, đặc khu.

Chủ tịch UBND tỉnh yêu cầu các cơ quan, địa phương thực hiện các nội dung sau:
1. UBND các xã, phường, đặc khu
a) Rà soát, cập nhật danh mục thủ tục hành chính tiếp nhận tại Bộ phận Một cửa, hoàn thành trước ngày {d(past)}.
b) Kiểm tra thiết bị điểm cầu hội nghị truyền hình trực tuyến, báo cáo kết quả về Sở Khoa học và Công nghệ trước ngày {d(soon)}.
c) Số hóa 100% hồ sơ, kết quả giải quyết thủ tục hành chính tiếp nhận mới; thời hạn: trong Quý {roman} năm {today.year}.
d) Báo cáo tình hình số hóa hồ sơ định kỳ hàng tháng (trước ngày 20 hằng tháng).
đ) Chủ trì, phối hợp với Công an xã tuyên truyền, hướng dẫn người dân sử dụng dịch vụ công trực tuyến, hoàn thành trước ngày {d(later)}.
2. Sở Khoa học và Công nghệ chủ trì, phối hợp với Trung tâm Phục vụ hành chính công tỉnh hướng dẫn, kiểm tra việc thực hiện; tổng hợp, báo cáo UBND tỉnh trong năm {today.year}.
Yêu cầu các cơ quan, địa phương triển khai thực hiện./.
Nơi nhận:
- Như trên;
- Lưu: VT, KGVX.
"""


def generate(ctx) -> str:
    store = ctx.store
    if store.scalar("SELECT count(*) FROM local_directives"):
        return "Nhiệm vụ: đã có dữ liệu, bỏ qua."
    texts = [(name, read_directive_file(resource("samples", "directives", name))) for name in SAMPLES]
    texts.append(("2150_UBND-KGVX.txt", current_directive_text(ctx.today)))
    task_ids: list[str] = []
    for name, text in texts:
        parsed = parse_directive(text)
        kept = [t for t in parsed.tasks if t.for_commune] or parsed.tasks
        result = import_directive(store, parsed, source_name=name, tasks=kept, allow_duplicate=True,
                                  id_factory=ctx.new_id)
        task_ids.extend(result.task_ids)
    notes = attached = 0
    rng = ctx.rng
    for task_id in task_ids:
        task = store.query("SELECT deadline, deadline_kind, recurring_period, starts_on FROM local_tasks WHERE id = ?",
                           (task_id,))[0]
        assignee = rng.choice(ctx.staff_ids) if ctx.staff_ids else None
        roll = rng.random()
        if task["deadline_kind"] == "recurring":
            # Reports for some past periods, leaving a gap or two to show as missing.
            start = dt.date.fromisoformat(task["starts_on"]) if task["starts_on"] else ctx.today - dt.timedelta(days=200)
            period = reporting_period(task["recurring_period"])
            for code in periods_between(max(start, ctx.today - dt.timedelta(days=300)), ctx.today, period)[:-1]:
                if rng.random() < 0.7:
                    add_progress(store, task_id, note=rng.choice(NOTES), status="doing", assignee_id=assignee,
                                 noted_on=ctx.today - dt.timedelta(days=rng.randint(1, 20)), period=code)
                    notes += 1
            continue
        if roll < 0.35:
            noted_on = ctx.today - dt.timedelta(days=rng.randint(1, 30))
            with _report_file(store, task_id, noted_on, attached) as files:
                add_progress(store, task_id, note=rng.choice(NOTES), status="done", assignee_id=assignee,
                             noted_on=noted_on, **files)
            attached += bool(files)
        elif roll < 0.75:
            add_progress(store, task_id, note=rng.choice(NOTES), status="doing", assignee_id=assignee,
                         noted_on=ctx.today - dt.timedelta(days=rng.randint(1, 30)))
        elif roll < 0.85:
            add_progress(store, task_id, note="Tạm dừng chờ hướng dẫn của tỉnh.", status="paused",
                         assignee_id=assignee, noted_on=ctx.today - dt.timedelta(days=rng.randint(1, 30)))
        else:
            continue  # never touched: stays "chưa thực hiện", overdue when its deadline has passed
        notes += 1
    return f"Nhiệm vụ: {len(texts)} văn bản chỉ đạo, {len(task_ids)} nhiệm vụ, {notes} lần cập nhật tiến độ."


@contextlib.contextmanager
def _report_file(store, task_id: str, noted_on: dt.date, attached: int):
    """The first few completed tasks get a short result report attached (a workspace file only)."""
    if attached >= 3 or store.path.name != DB_FILENAME:
        yield {}
        return
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"bao-cao-ket-qua-{noted_on:%Y%m%d}.txt"
        source.write_text(f"BÁO CÁO KẾT QUẢ THỰC HIỆN NHIỆM VỤ\nNgày {noted_on:%d/%m/%Y}\n"
                          "Nhiệm vụ đã hoàn thành; hồ sơ lưu tại Bộ phận Một cửa.\n", encoding="utf-8")
        yield {"attachments": [source], "attachments_dir": AppPaths(store.path.parent).attachments_dir}
