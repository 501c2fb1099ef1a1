"""The province hub: a FastAPI server, its database, ingest of commune bundles, province bundles."""
