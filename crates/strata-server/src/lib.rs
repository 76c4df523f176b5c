//! `strata server`: the central scanning service. One process with its state in
//! a data directory: scan history, API tokens, the layer-index cache and the
//! vulnerability database, kept fresh in the background. The native API is
//! `/api/v1` (see `docs/server-api.md` and the OpenAPI file it serves); the
//! Clair v1 API that Klar speaks is [`clair`], on its own listener.

pub mod clair;
