//! Clair v2's API v1 (`/v1/layers`, `/v1/namespaces`), so Klar works unmodified.
