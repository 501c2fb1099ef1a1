"""Who this workspace is for sync: its unit code, its key pair, the pinned province key, the hub."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from core.paths import AppPaths
from core.sync import keys
from core.sync.errors import SyncKeyError
from core.workspace import require_initialised
from db.settings import HUB_URL, PROVINCE_KEY, get_setting, set_setting
from db.store import Store


def own_unit_code(store: Store) -> str:
    return require_initialised(store).code


def commune_keypair(paths: AppPaths, store: Store | None = None) -> keys.KeyPair:
    """This device's signing key (core.sync.device). Without a store: the key of the workspace
    in `paths` as it was made at setup (kept for callers that have no database open)."""
    from core.sync import device

    if store is None:
        with open_store_for(paths) as own:
            return device.current(own).keypair(paths)
    return device.current(store).keypair(paths)


def open_store_for(paths: AppPaths) -> Store:
    from core.workspace import open_workspace

    return open_workspace(paths, check_integrity=False)


def describe(store: Store, paths: AppPaths) -> dict:
    """What `keys show --json` prints and the registration sheet carries."""
    from core.sync import device

    dev = device.current(store)
    pair = dev.keypair(paths)
    return {"unit": own_unit_code(store), "device": dev.device_id, "public_key": pair.public_text,
            "fingerprint": pair.fingerprint}


def province_key(store: Store) -> Ed25519PublicKey:
    text = get_setting(store, PROVINCE_KEY)
    if not text:
        raise SyncKeyError(
            "Chưa có khóa công khai của tỉnh nên chưa thể kiểm tra gói do tỉnh gửi. Hãy nhập khóa của tỉnh "
            "trong Cài đặt (hoặc chạy “python main.py init --unit MÃ --province-key KHÓA”).")
    return keys.parse_public_key(text)


def hub_url(store: Store) -> str | None:
    return get_setting(store, HUB_URL) or None


def configure(store: Store, paths: AppPaths, *, hub: str | None = None, province_key_text: str | None = None) -> None:
    """Pin the province key and the hub address; also makes sure the commune key pair exists."""
    if province_key_text is not None:
        key = keys.parse_public_key(province_key_text)
        set_setting(store, PROVINCE_KEY, keys.public_key_text(key))
    if hub is not None:
        from core.sync.client import normalise_hub_url
        from core.sync.hub_trust import lan_hosts

        set_setting(store, HUB_URL, normalise_hub_url(hub, lan_hosts(store)))
    commune_keypair(paths, store)
