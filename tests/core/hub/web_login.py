"""Logging in to the hub's pages as a browser would: GET the form, POST it with its hidden fields."""

from __future__ import annotations

import re

import httpx

HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


def hidden_fields(page: str) -> dict[str, str]:
    import html

    return {name: html.unescape(value) for name, value in HIDDEN.findall(page)}


def login(client: httpx.Client, user: str, password: str, next_path: str = "/") -> httpx.Response:
    form = client.get(f"/login?next={next_path}")
    assert form.status_code == 200, form.text
    fields = hidden_fields(form.text)
    assert set(fields) >= {"csrf", "next"}
    return client.post("/login", data={**fields, "user": user, "password": password}, follow_redirects=True)
