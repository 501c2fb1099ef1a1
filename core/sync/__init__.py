"""Sync with the province: signed bundles (network or USB), keys, the outbox, the hub client.

See docs/BUNDLE_FORMAT.md. Nothing here imports Qt.
"""
