"""The dashboard's HTML (server-rendered, no script, printable). Every text is escaped here."""

from __future__ import annotations

import datetime as dt
import html
import json
from urllib.parse import urlencode

from core.clock import format_date, format_datetime_local
from core.dossiers.indicators import INDICATORS
from core.dossiers.targets import RAG_LABELS
from core.hub import dashboard
from core.textfold import fold, vi_sort_key

E = html.escape
SHOWN_INDICATORS = ("digitised_rate", "online_rate", "on_time_rate", "result_digitised_rate", "vneid_rate")
SHORT_NAMES = {"digitised_rate": "Số hóa hồ sơ", "online_rate": "Trực tuyến", "on_time_rate": "Đúng hạn",
               "result_digitised_rate": "Kết quả điện tử", "vneid_rate": "VNeID", "reuse_rate": "Tái sử dụng",
               "online_payment_rate": "Thanh toán trực tuyến"}

CSS = """
body { font-family: "Liberation Sans", Arial, sans-serif; margin: 0; color: #1d1d1d; font-size: 14px; }
header { background: #0b4f8a; color: #fff; padding: 8px 16px; display: flex; align-items: center; gap: 18px; flex-wrap: wrap; }
header a { color: #fff; text-decoration: none; }
header a.on { font-weight: bold; text-decoration: underline; }
header .who { margin-left: auto; }
header form { display: inline; margin: 0; }
header button { background: #fff; color: #0b4f8a; border: 0; padding: 4px 10px; cursor: pointer; }
main { padding: 12px 16px; }
h1 { font-size: 20px; margin: 6px 0 10px; } h2 { font-size: 17px; margin: 18px 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #b9c2cc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #e8eef5; position: sticky; top: 0; }
th a { color: #1d1d1d; }
td.n, th.n { text-align: right; white-space: nowrap; }
.green { background: #dcf2dc; } .amber { background: #fff1c9; } .red { background: #fbd9d7; } .grey { background: #eceff1; }
.badge { padding: 1px 6px; border-radius: 3px; white-space: nowrap; }
.cards { display: flex; gap: 10px; flex-wrap: wrap; margin: 8px 0; }
.card { border: 1px solid #b9c2cc; padding: 6px 10px; min-width: 140px; }
.card b { font-size: 20px; display: block; }
a.card { color: #1d1d1d; text-decoration: none; }
td.name { white-space: nowrap; }
th { font-weight: 600; font-size: 13px; }
form.filters { margin: 8px 0; display: flex; gap: 10px; flex-wrap: wrap; align-items: end; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; }
.note { color: #444; font-size: 12px; }
.error { background: #fbd9d7; padding: 8px; border: 1px solid #c0392b; }
.login { max-width: 360px; margin: 60px auto; border: 1px solid #b9c2cc; padding: 20px; }
.login label { display: block; margin: 10px 0 4px; }
.login input { width: 100%; padding: 6px; box-sizing: border-box; font-size: 15px; }
.login button { margin-top: 14px; padding: 6px 16px; font-size: 15px; }
a.export { font-size: 12px; margin-left: 8px; }
@media print {
  header, form.filters, a.export, .noprint { display: none !important; }
  body { font-size: 10pt; } main { padding: 0; }
  th { position: static; } tr { page-break-inside: avoid; }
  .green, .amber, .red, .grey { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

NAV = [("/", "Tổng quan"), ("/san-sang", "Sẵn sàng hội nghị"), ("/chi-tieu", "Chỉ tiêu hồ sơ"),
       ("/chi-dao", "Văn bản chỉ đạo"), ("/tu-choi", "Gói bị từ chối")]


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}".replace(".", ",") + "%"


def layout(title: str, body: str, *, session=None, active: str = "") -> str:
    nav = ""
    if session is not None:
        links = NAV + ([("/quan-tri", "Quản trị"), ("/docs", "API")] if session.user.is_admin else [])
        nav = "".join(f'<a href="{href}"{" class=on" if href == active else ""}>{E(label)}</a>'
                      for href, label in links)
        nav += (f'<span class="who">{E(session.user.name)} ({E(session.user.role)})</span>'
                f'<form method="post" action="/logout"><input type="hidden" name="csrf" value="{E(session.csrf)}">'
                f'<button type="submit" id="logout">Đăng xuất</button></form>')
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{E(title)} — Máy chủ đồng bộ tỉnh</title><style>{CSS}</style></head>
<body><header><strong>Một Cửa Xã — Máy chủ tỉnh</strong>{nav}</header>
<main>{body}</main></body></html>"""


def login_page(token: str, *, next_path: str = "/", error: str | None = None, user_name: str = "") -> str:
    err = f'<p class="error" role="alert">{E(error)}</p>' if error else ""
    body = f"""<div class="login"><h1>Đăng nhập</h1>{err}
<form method="post" action="/login">
<input type="hidden" name="csrf" value="{E(token)}">
<input type="hidden" name="next" value="{E(next_path)}">
<label for="user">Tên đăng nhập</label><input id="user" name="user" autocomplete="username" value="{E(user_name)}" required autofocus>
<label for="password">Mật khẩu</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" id="login">Đăng nhập</button>
</form><p class="note">Tài khoản do quản trị máy chủ tỉnh cấp (lệnh “hub user add”).</p></div>"""
    return layout("Đăng nhập", body)


def message_page(title: str, message: str, session=None) -> str:
    return layout(title, f'<h1>{E(title)}</h1><p class="error">{E(message)}</p><p><a href="/">Về trang tổng quan</a></p>',
                  session=session)


# -- the units table -------------------------------------------------------------------------

def _sort_key(key: str):
    if key in INDICATORS:
        return lambda u: (u.values[key].value is None, u.values[key].value or 0)
    return {
        "code": lambda u: u.code,
        "name": lambda u: vi_sort_key(u.name),
        "state": lambda u: dashboard.STATE_ORDER.index(u.state),
        "last_sync": lambda u: u.status["last_sync"] or "",
        "bundles": lambda u: u.status["bundles"],
        "received": lambda u: u.sums.received,
        "overdue": lambda u: u.overdue,
        "ready": lambda u: (u.readiness is None, not (u.readiness or {}).get("ready", False)),
    }.get(key, lambda u: u.code)


def select_units(model: dashboard.DashboardModel, params: dict) -> list:
    rows = list(model.units)
    state = params.get("state") or ""
    if state in dashboard.STATES:
        rows = [u for u in rows if u.state == state]
    q = fold(params.get("q") or "").strip()
    if q:
        rows = [u for u in rows if q in fold(u.name) or q in u.code]
    rag_key, rag_colour = params.get("chi_tieu") or "", params.get("mau") or ""
    if rag_key in INDICATORS and rag_colour in ("green", "amber", "red", "none"):
        rows = [u for u in rows if (u.values[rag_key].rag or "none") == rag_colour]
    key = params.get("sort") or "code"
    rows.sort(key=_sort_key(key), reverse=params.get("dir") == "desc")
    return rows


def _query(params: dict, **changes) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v}
    return "?" + urlencode(merged) if merged else "?"


def _th(label: str, key: str, params: dict, cls: str = "", title: str = "") -> str:
    current, direction = params.get("sort") or "code", params.get("dir") or "asc"
    new_dir = "desc" if key == current and direction == "asc" else "asc"
    arrow = (" ▲" if direction == "asc" else " ▼") if key == current else ""
    tip = f' title="{E(title)}"' if title else ""
    return f'<th{cls}{tip}><a href="{E(_query(params, sort=key, dir=new_dir))}">{E(label)}{arrow}</a></th>'


def _ind_th(key: str, params: dict) -> str:
    d = INDICATORS[key]
    return _th(f"{d.number} {SHORT_NAMES[key]}", key, params, " class=n", f"{d.name}: {d.numerator} / {d.denominator}")


def _ind_cell(value) -> str:
    cls = f' class="n {value.rag}"' if value.rag else ' class=n'
    title = f"{value.numerator}/{value.denominator}"
    if value.target:
        title += f" — chỉ tiêu {pct(value.target.target)}: {RAG_LABELS.get(value.rag or '', 'chưa đánh giá')}"
    return f'<td{cls} title="{E(title)}">{pct(value.value)}</td>'


def _readiness_cell(r: dict | None) -> str:
    if r is None:
        return '<td class="grey">Chưa có phiếu</td>'
    if r["ready"]:
        return '<td class="green">SẴN SÀNG</td>'
    return f'<td class="red" title="{E("; ".join(r["failing"]))}">CHƯA SẴN SÀNG</td>'


def filters_form(model: dashboard.DashboardModel, params: dict, action: str) -> str:
    states = "".join(f'<option value="{k}"{" selected" if params.get("state") == k else ""}>{E(v[0])}</option>'
                     for k, v in dashboard.STATES.items())
    inds = "".join(f'<option value="{k}"{" selected" if params.get("chi_tieu") == k else ""}>'
                   f'{E(d.number + " " + d.name)}</option>' for k, d in INDICATORS.items())
    colours = "".join(f'<option value="{k}"{" selected" if params.get("mau") == k else ""}>{E(label)}</option>'
                      for k, label in (("red", "Đỏ — chưa đạt"), ("amber", "Vàng — gần đạt"),
                                       ("green", "Xanh — đạt"), ("none", "Chưa đánh giá")))
    keep = "".join(f'<input type="hidden" name="{k}" value="{E(params[k])}">' for k in ("sort", "dir") if params.get(k))
    return f"""<form class="filters" method="get" action="{action}">{keep}
<label>Từ tháng (mm/yyyy)<input name="ky" size="8" value="{model.period.start.strftime('%m/%Y')}"></label>
<label>Đến tháng<input name="den" size="8" value="{model.period.end.strftime('%m/%Y')}"></label>
<label>Ngày hội nghị (dd/mm/yyyy)<input name="hoi_nghi" size="10" value="{format_date(model.meeting_date)}"></label>
<label>Trạng thái<select name="state"><option value="">Tất cả</option>{states}</select></label>
<label>Chỉ tiêu<select name="chi_tieu"><option value="">—</option>{inds}</select></label>
<label>Mức<select name="mau"><option value="">—</option>{colours}</select></label>
<label>Tìm đơn vị<input name="q" value="{E(params.get('q') or '')}" placeholder="tên hoặc mã"></label>
<button type="submit">Xem</button></form>"""


def dashboard_page(model: dashboard.DashboardModel, params: dict, session) -> str:
    body = model.rendered("dashboard", params, lambda: _dashboard_body(model, params))
    return layout("Tổng quan", body, session=session, active="/")


def _dashboard_body(model: dashboard.DashboardModel, params: dict) -> str:
    rows = select_units(model, params)
    counts = {k: 0 for k in dashboard.STATES}
    for u in model.units:
        counts[u.state] += 1
    cards = "".join(f'<a class="card {dashboard.STATES[k][1]}" href="{E(_query(params, state=k))}">'
                    f'<b>{counts[k]}</b>{E(dashboard.STATES[k][0])}</a>' for k in dashboard.STATE_ORDER)
    ready = sum(1 for u in model.units if u.readiness and u.readiness["ready"])
    not_ready = sum(1 for u in model.units if u.readiness and not u.readiness["ready"])
    body_rows = []
    for u in rows:
        s = u.status
        body_rows.append(
            f'<tr><td>{E(u.code)}</td><td class=name><a href="/don-vi/{E(u.code)}{E(_query(params))}">{E(u.name)}</a></td>'
            f'<td class="{s["colour"]}">{E(s["state_label"])}</td>'
            f'<td>{E(format_datetime_local(s["last_sync"]) if s["last_sync"] else "chưa gửi")}</td>'
            f'<td class=n>{s["bundles"]}</td>{_readiness_cell(u.readiness)}'
            f'<td class=n>{u.sums.received}</td>'
            + "".join(_ind_cell(u.values[k]) for k in SHOWN_INDICATORS)
            + f'<td class="n{" red" if u.overdue else ""}">{u.overdue}</td></tr>')
    th = (_th("Mã", "code", params) + _th("Đơn vị", "name", params) + _th("Trạng thái đồng bộ", "state", params)
          + _th("Lần gửi cuối", "last_sync", params) + _th("Số gói đã nhận", "bundles", params, " class=n")
          + _th(f"Hội nghị {format_date(model.meeting_date)}", "ready", params)
          + _th("Hồ sơ tiếp nhận", "received", params, " class=n")
          + "".join(_ind_th(k, params) for k in SHOWN_INDICATORS)
          + _th("Nhiệm vụ quá hạn", "overdue", params, " class=n"))
    body = f"""<h1>Tình hình các xã, phường, đặc khu — kỳ {E(model.period.label())}</h1>
<div class="cards">{cards}</div>
<p>Hội nghị ngày {format_date(model.meeting_date)}: <b>{ready}</b> đơn vị SẴN SÀNG, <b>{not_ready}</b> CHƯA SẴN SÀNG,
<b>{len(model.units) - ready - not_ready}</b> chưa có phiếu kiểm tra.</p>
{filters_form(model, params, "/")}
<h2>{len(rows)} / {len(model.units)} đơn vị <a class="export" href="/xuat/don-vi.xlsx{E(_query(params))}">Xuất Excel</a></h2>
<table id="units"><thead><tr>{th}</tr></thead><tbody>
{"".join(body_rows)}
</tbody></table>
<p class="note">{E(dashboard.OVERDUE_RULE)} Chỉ tiêu hồ sơ tính bằng đúng các hàm của phần mềm xã (sổ đăng ký và số liệu
tổng hợp theo ngày), so với chỉ tiêu tỉnh giao có hiệu lực ngày cuối kỳ: xanh đạt, vàng gần đạt, đỏ chưa đạt.
Trạng thái “quá {dashboard.STALE_DAYS} ngày chưa gửi”: lần nhận gói cuối cách đây hơn {dashboard.STALE_DAYS} ngày.</p>
<h2>Xu hướng toàn tỉnh (12 tháng)</h2>
{trend_svg(model.trend)}
<p class="note">Cập nhật lúc {E(format_datetime_local(model.made_at))}.</p>"""
    return body


def trend_svg(trend: list[tuple[str, dict, object]], width: int = 760, height: int = 240) -> str:
    """Lines of three indicators, month by month, as inline SVG (no script)."""
    left, right, top, bottom = 44, 150, 12, 36
    w, h = width - left - right, height - top - bottom
    n = max(len(trend) - 1, 1)
    series = [("digitised_rate", "#0b6e4f", "4.2 Số hóa hồ sơ"), ("online_rate", "#1f5fa8", "3.3 Trực tuyến"),
              ("on_time_rate", "#b9770e", "2.1 Đúng hạn")]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="Xu hướng chỉ tiêu toàn tỉnh" id="trend">']
    for pct_line in (0, 25, 50, 75, 100):
        y = top + h - h * pct_line / 100
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + w}" y2="{y:.1f}" stroke="#d5dbe1"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{pct_line}%</text>')
    for i, (month, _rates, _sums) in enumerate(trend):
        x = left + w * i / n
        parts.append(f'<text x="{x:.1f}" y="{top + h + 16}" font-size="10" text-anchor="middle">'
                     f'{month[5:7]}/{month[2:4]}</text>')
    for j, (key, colour, label) in enumerate(series):
        points = [(left + w * i / n, top + h - h * rates[key]) for i, (_m, rates, _s) in enumerate(trend)
                  if rates.get(key) is not None]
        if points:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                         + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
            parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>' for x, y in points)
        ly = top + 14 + j * 18
        parts.append(f'<line x1="{left + w + 12}" y1="{ly - 4}" x2="{left + w + 30}" y2="{ly - 4}" stroke="{colour}" '
                     f'stroke-width="3"/><text x="{left + w + 34}" y="{ly}" font-size="11">{E(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


# -- other pages -----------------------------------------------------------------------------

def readiness_page(model: dashboard.DashboardModel, params: dict, session) -> str:
    rows = sorted(model.units, key=lambda u: ((u.readiness is None), bool(u.readiness and u.readiness["ready"]),
                                               u.code))
    body_rows = "".join(
        f'<tr><td>{E(u.code)}</td><td><a href="/don-vi/{E(u.code)}">{E(u.name)}</a></td>{_readiness_cell(u.readiness)}'
        f'<td>{E((u.readiness or {}).get("title") or "")}</td><td>{E((u.readiness or {}).get("start_time") or "")}</td>'
        f'<td>{"<br>".join(E(f) for f in (u.readiness or {}).get("failing", []))}</td></tr>' for u in rows)
    body = f"""<h1>Sẵn sàng hội nghị truyền hình ngày {format_date(model.meeting_date)}</h1>
{filters_form(model, params, "/san-sang")}
<h2>Kết quả kiểm tra <a class="export" href="/xuat/san-sang.xlsx{E(_query(params))}">Xuất Excel</a></h2>
<table id="readiness"><thead><tr><th>Mã</th><th>Đơn vị</th><th>Kết luận</th><th>Cuộc họp</th><th>Giờ</th>
<th>Mục thiết yếu chưa đạt</th></tr></thead><tbody>{body_rows}</tbody></table>
<p class="note">Kết luận tính bằng đúng quy tắc của phần mềm xã: SẴN SÀNG khi mọi mục thiết yếu đã kiểm tra và đạt.</p>"""
    return layout("Sẵn sàng hội nghị", body, session=session, active="/san-sang")


def indicators_page(model: dashboard.DashboardModel, params: dict, session) -> str:
    body = model.rendered("indicators", params, lambda: _indicators_body(model, params))
    return layout("Chỉ tiêu hồ sơ", body, session=session, active="/chi-tieu")


def _indicators_body(model: dashboard.DashboardModel, params: dict) -> str:
    rows = select_units(model, params)
    th = _th("Mã", "code", params) + _th("Đơn vị", "name", params) + _th("Hồ sơ tiếp nhận", "received", params, " class=n")
    th += "".join(_ind_th(k, params) for k in INDICATORS)
    body_rows = "".join(
        f'<tr><td>{E(u.code)}</td><td><a href="/don-vi/{E(u.code)}">{E(u.name)}</a></td><td class=n>{u.sums.received}</td>'
        + "".join(_ind_cell(u.values[k]) for k in INDICATORS) + "</tr>" for u in rows)
    targets = next((u.values for u in model.units), {})
    target_text = "; ".join(f"{INDICATORS[k].number}: {pct(v.target.target)}" for k, v in targets.items() if v.target)
    body = f"""<h1>Chỉ tiêu hồ sơ theo đơn vị — kỳ {E(model.period.label())}</h1>
{filters_form(model, params, "/chi-tieu")}
<p>Chỉ tiêu đang áp dụng: {E(target_text or "chưa có")}.</p>
<h2>{len(rows)} đơn vị <a class="export" href="/xuat/chi-tieu.xlsx{E(_query(params))}">Xuất Excel</a></h2>
<table id="indicators"><thead><tr>{th}</tr></thead><tbody>{body_rows}</tbody></table>"""
    return body


def directives_page(model: dashboard.DashboardModel, session) -> str:
    body_rows = "".join(
        f'<tr><td>{E(d["number"] or "")}</td><td>{E(_date(d["issued_on"]))}</td><td>{E(d["subject"] or "")}</td>'
        f'<td class=n>{d["units_sent"]}</td><td class=n>{d["reported"]}</td><td class=n>{d["units_done"]}</td>'
        f'<td class="n{" red" if d["overdue_units"] else ""}">{d["overdue_units"]}</td>'
        f'<td>{E(", ".join(d["overdue_codes"]))}</td></tr>' for d in model.directives)
    body = f"""<h1>Tiến độ văn bản chỉ đạo của tỉnh</h1>
<h2>{len(model.directives)} văn bản <a class="export" href="/xuat/chi-dao.xlsx">Xuất Excel</a></h2>
<table id="directives"><thead><tr><th>Số</th><th>Ngày</th><th>Trích yếu</th><th class=n>Đơn vị được giao</th>
<th class=n>Đơn vị đã báo cáo</th><th class=n>Đơn vị đã hoàn thành</th><th class=n>Đơn vị có nhiệm vụ quá hạn</th>
<th>Mã đơn vị quá hạn</th></tr></thead><tbody>{body_rows}</tbody></table>
<p class="note">“Đã báo cáo”: đơn vị đã gửi lên ít nhất một ghi nhận tiến độ cho nhiệm vụ của văn bản;
“đã hoàn thành”: mọi nhiệm vụ của văn bản giao đơn vị đều ở trạng thái hoàn thành.
{E(dashboard.OVERDUE_RULE)}</p>"""
    return layout("Văn bản chỉ đạo", body, session=session, active="/chi-dao")


def rejections_page(model: dashboard.DashboardModel, session) -> str:
    rej = "".join(
        f'<tr><td>{E(format_datetime_local(r["received_at"]))}</td><td>{E(r["unit"] or "")}</td>'
        f'<td>{E(r["device"] or "")}</td>'
        f'<td>{"đã xác thực" if r["verified"] else "chưa xác thực"}</td><td>{E(r["reason"])}</td>'
        f'<td>{E(r["message"])}</td><td>{E(r["via"])}</td><td>{E(r["bundle_id"] or "")}</td></tr>'
        for r in model.rejections)
    refused = "".join(
        f'<tr><td>{E(format_datetime_local(r["hour"]))}</td><td>{E(r["address"])}</td><td>{E(r["reason"])}</td>'
        f'<td>{E(r["claimed_unit"] or "")} (chưa xác thực)</td><td class=n>{r["count"]}</td></tr>'
        for r in model.refused)
    body = f"""<h1>Gói bị từ chối</h1>
<h2>Gói bị từ chối <a class="export" href="/xuat/tu-choi.xlsx">Xuất Excel</a></h2>
<table id="rejections"><thead><tr><th>Lúc</th><th>Đơn vị ghi trong gói</th><th>Thiết bị ghi trong gói</th><th>Chữ ký</th><th>Lý do</th><th>Chi tiết</th>
<th>Kênh</th><th>Mã gói</th></tr></thead><tbody>{rej}</tbody></table>
<h2>Gửi lên không xác thực (đếm theo địa chỉ, lý do, giờ) <a class="export" href="/xuat/khong-xac-thuc.xlsx">Xuất Excel</a></h2>
<table id="refused"><thead><tr><th>Giờ</th><th>Địa chỉ</th><th>Lý do</th><th>Đơn vị tự xưng</th><th class=n>Số lần</th>
</tr></thead><tbody>{refused}</tbody></table>"""
    return layout("Gói bị từ chối", body, session=session, active="/tu-choi")


def unit_page(model: dashboard.DashboardModel, code: str, params: dict, session, bundles: list[dict],
              months: list[tuple]) -> str:
    u = model.unit(code)
    s = u.status
    devices = "".join(
        f'<tr><td>{E(d["device"])}</td>'
        f'<td><code>{E(str(d["fingerprint"] or ""))}</code></td>'
        f'<td>{E(format_datetime_local(d["registered_at"]) if d["registered_at"] else "")}</td>'
        f'<td>{E(format_datetime_local(d["revoked_at"]) if d["revoked_at"] else "")}</td>'
        f'<td>{E(format_datetime_local(d["last_sync"]) if d["last_sync"] else "chưa gửi")}</td>'
        f'<td class=n>{d["bundles"]}</td><td class=n>{d["bundles_through"]}</td>'
        f'<td>{E(", ".join(f"{a}–{b}" for a, b in d["missing"]) or "không")}</td></tr>'
        for d in s["devices"]) or '<tr><td colspan=8>Chưa đăng ký thiết bị nào.</td></tr>'
    missing = dashboard.missing_text(s) or "không"
    rej = "".join(f'<tr><td>{E(format_datetime_local(r["received_at"]))}</td><td>{E(r["device"] or "")}</td>'
                  f'<td>{E(r["reason"])}</td><td>{E(r["message"])}</td><td>{E(r["bundle_id"] or "")}</td></tr>'
                  for r in s["rejections"]) \
        or '<tr><td colspan=5>Không có.</td></tr>'
    inds = "".join(
        f'<tr><td>{E(v.definition.number)}</td><td>{E(v.definition.name)}</td><td class=n>{v.numerator}</td>'
        f'<td class=n>{v.denominator}</td>{_ind_cell(v)}<td class=n>{pct(v.target.target) if v.target else "—"}</td></tr>'
        for v in u.values.values())
    bundle_rows = "".join(
        f'<tr><td>{E(format_datetime_local(b["received_at"]))}</td><td class=n>{b["seq_from"]}–{b["seq_to"]}</td>'
        f'<td class=n>{b["records"]}</td><td>{E(b["via"])}</td><td>{E(b["bundle_id"])}</td></tr>' for b in bundles)
    month_rows = "".join(f'<tr><td>{m[5:7]}/{m[:4]}</td><td class=n>{sums.received}</td>'
                         + "".join(f'<td class=n>{pct(rates[k])}</td>' for k in SHOWN_INDICATORS) + "</tr>"
                         for m, rates, sums in months)
    r = u.readiness
    readiness = ("Chưa có phiếu kiểm tra." if r is None else ("SẴN SÀNG" if r["ready"] else "CHƯA SẴN SÀNG"))
    failing = ("<p>Mục thiết yếu chưa đạt:</p><ul>" + "".join(f"<li>{E(f)}</li>" for f in r["failing"]) + "</ul>"
               if r and r["failing"] else "")
    body = f"""<p class="noprint"><a href="/{E(_query(params))}">← Tổng quan</a></p>
<h1>{E(u.name)} (mã {E(u.code)})</h1>
<div class="cards"><div class="card {s["colour"]}"><b>{E(s["state_label"])}</b>Trạng thái đồng bộ</div>
<div class="card"><b>{E(format_datetime_local(s["last_sync"]) if s["last_sync"] else "chưa gửi")}</b>Lần gửi cuối</div>
<div class="card"><b>{s["bundles"]}</b>Gói đã nhận</div>
<div class="card"><b>{u.overdue}</b>Nhiệm vụ quá hạn</div></div>
<p>Gói còn thiếu: <b>{E(missing)}</b>.
<a class="export" href="/xuat/don-vi/{E(u.code)}.xlsx{E(_query(params))}" id="unit-export">Xuất Excel</a></p>
<h2>Hội nghị ngày {format_date(model.meeting_date)}: {E(readiness)}</h2>{failing}
<h2>Thiết bị</h2><table id="devices"><thead><tr><th>Thiết bị</th><th>Dấu vân tay khóa</th><th>Đăng ký lúc</th>
<th>Thu hồi</th><th>Lần gửi cuối</th><th class=n>Số gói</th><th class=n>Gói liền mạch đến số</th><th>Thiếu gói</th>
</tr></thead><tbody>{devices}</tbody></table>
<h2>Chỉ tiêu hồ sơ — kỳ {E(model.period.label())}</h2>
<table id="unit-indicators"><thead><tr><th>Số</th><th>Chỉ tiêu</th><th class=n>Tử số</th><th class=n>Mẫu số</th>
<th class=n>Tỉ lệ</th><th class=n>Chỉ tiêu giao</th></tr></thead><tbody>{inds}</tbody></table>
<h2>Theo tháng</h2><table id="unit-months"><thead><tr><th>Tháng</th><th class=n>Hồ sơ tiếp nhận</th>
{"".join(f'<th class=n>{E(INDICATORS[k].number)}</th>' for k in SHOWN_INDICATORS)}</tr></thead><tbody>{month_rows}</tbody></table>
<h2>Gói bị từ chối (30 ngày)</h2><table id="unit-rejections"><thead><tr><th>Lúc</th><th>Thiết bị</th><th>Lý do</th><th>Chi tiết</th>
<th>Mã gói</th></tr></thead><tbody>{rej}</tbody></table>
<h2>Gói đã nhận gần đây</h2><table id="unit-bundles"><thead><tr><th>Nhận lúc</th><th class=n>Thay đổi số</th>
<th class=n>Bản ghi</th><th>Kênh</th><th>Mã gói</th></tr></thead><tbody>{bundle_rows}</tbody></table>"""
    return layout(u.name, body, session=session)


def admin_page(session, users: list[dict], audit: list[dict], message: str | None = None) -> str:
    from core.hub.accounts import AUDIT_LABELS, ROLE_LABELS

    user_rows = "".join(f'<tr><td>{E(u["name"])}</td><td>{E(ROLE_LABELS.get(u["role"], u["role"]))}</td>'
                        f'<td>{E(format_datetime_local(u["created_at"]))}</td><td>{"khóa" if u["disabled"] else ""}</td></tr>'
                        for u in users)
    audit_rows = "".join(
        f'<tr><td>{E(format_datetime_local(a["at"]))}</td><td>{E(a["actor"])}</td><td>{E(a["via"])}</td>'
        f'<td>{E(a["address"] or "")}</td><td>{E(AUDIT_LABELS.get(a["action"], a["action"]))}</td>'
        f'<td>{E(a["target"] or "")}</td><td><code>{E(a["detail"] or "")}</code></td></tr>' for a in audit)
    note = f'<p class="card green">{E(message)}</p>' if message else ""
    body = f"""<h1>Quản trị</h1>{note}
<h2>Đăng ký khóa công khai của một đơn vị</h2>
<form method="post" action="/quan-tri/dang-ky" class="filters">
<input type="hidden" name="csrf" value="{E(session.csrf)}">
<label>Mã đơn vị<input name="unit" required></label>
<label>Khóa công khai (hoặc nội dung mã QR)<input name="public_key" size="60" required></label>
<button type="submit">Đăng ký</button></form>
<p>Máy thứ hai của một đơn vị được <b>thêm</b> khóa, không thay khóa của máy đầu.</p>
<h2>Thu hồi khóa của một máy</h2>
<form method="post" action="/quan-tri/thu-hoi" class="filters">
<input type="hidden" name="csrf" value="{E(session.csrf)}">
<label>Mã đơn vị<input name="unit" required></label>
<label>Dấu vân tay khóa<input name="fingerprint" size="60" required></label>
<button type="submit">Thu hồi</button></form>
<p>Gói máy đó ký trước lúc thu hồi vẫn được nhận; gói ký sau bị từ chối.</p>
<h2>Tài khoản</h2><table><thead><tr><th>Tên</th><th>Vai trò</th><th>Tạo lúc</th><th></th></tr></thead>
<tbody>{user_rows}</tbody></table>
<h2>Nhật ký quản trị <a class="export" href="/xuat/nhat-ky.xlsx">Xuất Excel</a></h2>
<table id="audit"><thead><tr><th>Lúc</th><th>Người</th><th>Qua</th><th>Địa chỉ</th><th>Việc</th><th>Đối tượng</th>
<th>Chi tiết</th></tr></thead><tbody>{audit_rows}</tbody></table>"""
    return layout("Quản trị", body, session=session, active="/quan-tri")


def docs_page() -> str:
    return """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>API máy chủ tỉnh</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head><body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body></html>"""


DOCS_INIT_JS = """window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout", validatorUrl: null});"""


def _date(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return format_date(dt.date.fromisoformat(iso[:10]))
    except ValueError:
        return iso


def failing_json(text: str) -> list[str]:
    return json.loads(text)
