"""Ordering a list by the column a person clicked, in SQL.

Each list declares the orders it allows as SQL templates where `{dir}` stands for ASC or DESC,
e.g. `"deadline": "(deadline IS NULL), deadline {dir}, position"` (rows without a deadline last
whichever way). Only those keys are accepted, so nothing typed can reach the SQL.
"""

from __future__ import annotations

Sort = tuple[str, bool]  # (column key, descending)


def order_by(sort: Sort | None, orders: dict[str, str], default: str) -> str:
    """The ORDER BY expression for `sort` (a key of `orders`), else `default`'s ascending order."""
    key, descending = sort if sort and sort[0] in orders else (default, False)
    return orders[key].format(dir="DESC" if descending else "ASC")


def sort_rows(rows: list, sort: Sort | None, keys: dict, default: str) -> list:
    """For the few lists that are not a query (files on disk, personal names ordered by the given
    name): the same `sort`, applied off the UI thread by the function that loads them."""
    key, descending = sort if sort and sort[0] in keys else (default, False)
    return sorted(rows, key=keys[key], reverse=descending)
