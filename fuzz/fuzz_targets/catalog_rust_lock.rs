#![no_main]

mod catalog_common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    catalog_common::run(Box::new(strata_catalog::catalogers::rust::RustCataloger::default()), "app/Cargo.lock", data);
});
