"""The province's setup file (`provision.json`): hub address and province key, pre-filled.

The province's IT team sends each commune the installer together with a small settings file,
so nobody has to type a 44-character key by hand:

    {
      "hub_url": "https://dongbo.quangngai.gov.vn",
      "province_public_key": "<44 ký tự base64, như in trên phiếu đăng ký>",
      "unit_code": "21025"
    }

All keys are optional except that the file must carry at least one of them. The installer
copies it beside the executable; it may also be put in the data folder. It is applied when
the workspace opens: values are filled in only where the workspace has none yet (a key or
address that staff already set in Cài đặt is never overwritten), and a file that was applied
once is remembered by its digest, so opening the app again costs a `stat` and nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.clock import utc_iso
from core.errors import AppError, UserInputError
from core.paths import AppPaths, executable_dir
from db.settings import HUB_URL, PROVINCE_KEY, UNIT_CODE, get_setting, set_setting
from db.store import Store

PROVISION_FILENAME = "provision.json"
APPLIED_SETTING = "provision_applied"
MAX_BYTES = 64 * 1024  # a settings file, not a document: anything bigger is the wrong file
KNOWN_KEYS = {"hub_url", "province_public_key", "unit_code", "lan_hosts", "comment", "_comment", "ghi_chu"}


class ProvisionError(UserInputError):
    """The province's setup file cannot be used as it is."""


# Plain classes rather than dataclasses: this module is imported on every start-up, on the
# database thread the first window waits for, and each dataclass costs ~1 ms to create.
class Provision:
    """A checked setup file."""

    __slots__ = ("source", "digest", "hub_url", "province_public_key", "unit_code", "lan_hosts")

    def __init__(self, source: Path, digest: str, hub_url: str | None = None,
                 province_public_key: str | None = None, unit_code: str | None = None,
                 lan_hosts: list[str] | None = None):
        self.lan_hosts = lan_hosts
        self.source = source
        self.digest = digest
        self.hub_url = hub_url
        self.province_public_key = province_public_key
        self.unit_code = unit_code


class ProvisionResult:
    """What applying the file did."""

    def __init__(self, source: Path, unit_code: str | None = None):
        self.source = source
        self.applied: list[str] = []   # setting keys filled from the file
        self.kept: list[str] = []      # already set in the workspace: left alone
        self.unit_code = unit_code     # suggested unit for the setup wizard
        self.already_applied = False

    def __repr__(self) -> str:
        return (f"ProvisionResult(source={str(self.source)!r}, applied={self.applied}, kept={self.kept}, "
                f"unit_code={self.unit_code!r}, already_applied={self.already_applied})")


def candidate_files(paths: AppPaths) -> list[Path]:
    """Where the file is looked for: the data folder first (put there by hand), then beside the program."""
    return [paths.data_dir / PROVISION_FILENAME, executable_dir() / PROVISION_FILENAME]


def find_provision_file(paths: AppPaths) -> Path | None:
    for candidate in candidate_files(paths):
        if candidate.is_file():
            return candidate
    return None


def read_provision(path: Path) -> Provision:
    """Read and check a setup file; every problem is a ProvisionError naming the file."""
    where = f"Tệp thiết lập của tỉnh “{path}”"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProvisionError(f"{where} không đọc được.", details=repr(exc)) from exc
    if len(raw) > MAX_BYTES:
        raise ProvisionError(f"{where} quá lớn ({len(raw) // 1024} KB); tệp đúng chỉ vài trăm byte.")
    try:
        text = raw.decode("utf-8-sig")  # Notepad on Windows saves UTF-8 with a BOM
    except UnicodeDecodeError as exc:
        raise ProvisionError(f"{where} không phải văn bản UTF-8.", details=repr(exc)) from exc
    if not text.strip():
        raise ProvisionError(f"{where} trống.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProvisionError(f"{where} sai định dạng JSON ở dòng {exc.lineno}, cột {exc.colno}.",
                             details=exc.msg) from exc
    if not isinstance(data, dict):
        raise ProvisionError(f"{where} phải là một đối tượng JSON {{…}} gồm các mục hub_url, "
                             "province_public_key, unit_code.")
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise ProvisionError(f"{where} có mục không hiểu được: {', '.join(unknown)}. Các mục hợp lệ: "
                             "hub_url, province_public_key, unit_code.")
    values = {}
    for key in ("hub_url", "province_public_key", "unit_code"):
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ProvisionError(f"{where}: mục {key} phải là chuỗi ký tự trong dấu nháy kép.")
        value = value.strip()
        if value:
            values[key] = value
    if data.get("lan_hosts") is not None:  # the province's LAN addresses, where http:// is allowed
        from core.sync.hub_trust import check_lan_hosts

        try:
            values["lan_hosts"] = check_lan_hosts(data["lan_hosts"])
        except AppError as exc:
            raise ProvisionError(f"{where}: {exc.message}") from exc
    if not values:
        raise ProvisionError(f"{where} không có mục nào để thiết lập (hub_url, province_public_key, unit_code).")
    _check_values(where, values)
    import hashlib  # here, not at the top: start-up imports this module on every run (~2 ms for OpenSSL)

    return Provision(source=path, digest=hashlib.sha256(raw).hexdigest(), **values)


def _check_values(where: str, values: dict) -> None:
    # The checks the Settings page and `init` use, so a file cannot pin what a person could not type.
    if "hub_url" in values:
        from core.sync.client import normalise_hub_url

        try:
            values["hub_url"] = normalise_hub_url(values["hub_url"], values.get("lan_hosts") or ())
        except AppError as exc:
            raise ProvisionError(f"{where}: {exc.message}", details=exc.details) from exc
    if "province_public_key" in values:
        from core.sync import keys

        try:
            values["province_public_key"] = keys.public_key_text(keys.parse_public_key(values["province_public_key"]))
        except AppError as exc:
            raise ProvisionError(f"{where}: {exc.message}", details=exc.details) from exc
    if "unit_code" in values:
        from core.units import find_unit

        try:
            find_unit(values["unit_code"])
        except AppError as exc:
            raise ProvisionError(f"{where}: {exc.message}", details=exc.details) from exc


def apply_lan_hosts(store: Store, paths: AppPaths) -> None:
    """Only the province's LAN list (where http:// is allowed), so a hub address typed next can use it."""
    source = find_provision_file(paths)
    if source is None:
        return
    provision = read_provision(source)
    if provision.lan_hosts is not None:
        from core.sync.hub_trust import HUB_LAN_HOSTS

        set_setting(store, HUB_LAN_HOSTS, provision.lan_hosts)


def apply_provision(store: Store, paths: AppPaths) -> ProvisionResult | None:
    """Fill the hub address and province key from the setup file, if there is one.

    Returns None when there is no file. Raises ProvisionError for a malformed file or a file
    meant for another unit; the workspace is then left exactly as it was.
    """
    source = find_provision_file(paths)
    if source is None:
        return None
    provision = read_provision(source)
    result = ProvisionResult(source=source, unit_code=provision.unit_code)
    applied_before = get_setting(store, APPLIED_SETTING) or {}
    if applied_before.get("sha256") == provision.digest:
        result.already_applied = True
        return result
    own_unit = get_setting(store, UNIT_CODE)
    if provision.unit_code and own_unit and provision.unit_code != own_unit:
        raise ProvisionError(
            f"Tệp thiết lập “{source}” của tỉnh dành cho đơn vị mã {provision.unit_code}, nhưng dữ liệu trên máy "
            f"này thuộc đơn vị mã {own_unit}. Hãy xin tỉnh đúng tệp của đơn vị mình.")
    wanted = {HUB_URL: provision.hub_url, PROVINCE_KEY: provision.province_public_key}
    with store.transaction():
        if provision.lan_hosts is not None:  # the province's list, not a staff setting: always its latest
            from core.sync.hub_trust import HUB_LAN_HOSTS

            set_setting(store, HUB_LAN_HOSTS, provision.lan_hosts)
        for key, value in wanted.items():
            if value is None:
                continue
            current = get_setting(store, key)
            if current and current != value:
                result.kept.append(key)
                continue
            if not current:
                set_setting(store, key, value)
                result.applied.append(key)
        set_setting(store, APPLIED_SETTING, {"file": str(source), "sha256": provision.digest,
                                             "applied_at": utc_iso(), "applied": result.applied,
                                             "kept": result.kept})
    return result


def describe(result: ProvisionResult) -> str:
    """One Vietnamese line for the CLI and the log."""
    names = {HUB_URL: "địa chỉ máy chủ tỉnh", PROVINCE_KEY: "khóa công khai của tỉnh"}
    if result.already_applied:
        return f"Tệp thiết lập của tỉnh đã được áp dụng trước đây ({result.source})."
    parts = []
    if result.applied:
        parts.append("đã điền " + ", ".join(names[k] for k in result.applied))
    if result.kept:
        parts.append("giữ nguyên " + ", ".join(names[k] for k in result.kept) + " đã có trên máy")
    if not parts:
        parts.append("không có gì cần điền")
    return f"Tệp thiết lập của tỉnh ({result.source}): " + "; ".join(parts) + "."
