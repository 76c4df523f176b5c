//! `strata cache prune`.

use strata_catalog::cache::LayerCache;

use crate::EXIT_OK;
use crate::cli::PruneArgs;
use crate::failure::Failure;

pub(crate) fn prune(args: &PruneArgs, cache_dir: &std::path::Path) -> Result<u8, Failure> {
    let max = parse_size(&args.max_size).ok_or_else(|| {
        Failure::from(anyhow::anyhow!(
            "--max-size {:?} is not a size",
            args.max_size
        ))
        .hint("e.g. --max-size 500M")
    })?;
    let mut cache = LayerCache::open(cache_dir)?;
    let before = cache.size()?;
    let evicted = cache.prune(max)?;
    let after = cache.size()?;
    eprintln!("layer cache: {evicted} layer(s) evicted, {before} → {after} bytes");
    Ok(EXIT_OK)
}

fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, scale) = match text.char_indices().last()? {
        (i, 'K' | 'k') => (text.get(..i)?, 1u64 << 10),
        (i, 'M' | 'm') => (text.get(..i)?, 1 << 20),
        (i, 'G' | 'g') => (text.get(..i)?, 1 << 30),
        _ => (text, 1),
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(scale)
}
