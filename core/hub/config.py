"""Which store a hub uses: `<data-dir>/hub.json`.

    {"store": "postgresql", "database": "postgresql://USER@HOST:PORT/DB", "hub_id": "…"}

An absent file, or `{"store": "sqlite"}`, is the embedded default: `<data-dir>/hub.sqlite3`.
The keys, the raw bundles, the outgoing bundles and the temporary files stay in the data dir
whichever store holds the tables. The URL never carries a password (PGPASSWORD or ~/.pgpass
give it: core.hub.database.check_postgres_url).

`hub_id` is also written into the database's `hub_meta`: a data dir and a database that do not
belong together (two provinces pointed at one database, a hub.json copied to the wrong server)
are refused when the hub opens, instead of mixing two provinces' rows and keys.

`MOTCUA_HUB_DATABASE`: when `hub init` is given no `--database`, this environment variable is
used if set (a service manager or a test run chooses the store for every hub it creates).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from core import durable
from core.errors import DatabaseError
from core.hub.database import POSTGRESQL, SQLITE, check_postgres_url

CONFIG_FILE = "hub.json"
DATABASE_ENV = "MOTCUA_HUB_DATABASE"


@dataclass(frozen=True)
class HubConfig:
    store: str = SQLITE
    database: str | None = None
    hub_id: str | None = None

    @property
    def is_postgres(self) -> bool:
        return self.store == POSTGRESQL

    def as_json(self) -> dict:
        if not self.is_postgres:
            return {"store": SQLITE}
        return {"store": POSTGRESQL, "database": self.database, "hub_id": self.hub_id}


def read_config(root: Path) -> HubConfig:
    path = Path(root) / CONFIG_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return HubConfig()
    except (OSError, ValueError) as exc:
        raise DatabaseError(f"Không đọc được tệp cấu hình máy chủ tỉnh “{path}”.", details=repr(exc)) from exc
    if not isinstance(data, dict) or data.get("store", SQLITE) not in (SQLITE, POSTGRESQL):
        raise DatabaseError(f"Tệp cấu hình máy chủ tỉnh “{path}” không hợp lệ: "
                            "“store” phải là “sqlite” hoặc “postgresql”.")
    if data.get("store") != POSTGRESQL:
        return HubConfig()
    database = data.get("database")
    if not isinstance(database, str):
        raise DatabaseError(f"Tệp cấu hình máy chủ tỉnh “{path}” thiếu địa chỉ cơ sở dữ liệu (“database”).")
    check_postgres_url(database)
    hub_id = data.get("hub_id")
    return HubConfig(POSTGRESQL, database, hub_id if isinstance(hub_id, str) else None)


def write_config(root: Path, config: HubConfig) -> Path:
    text = json.dumps(config.as_json(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return durable.write_text_atomic(Path(root) / CONFIG_FILE, text)


def database_from_environment() -> str | None:
    value = (os.environ.get(DATABASE_ENV) or "").strip()
    return value or None
