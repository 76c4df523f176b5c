#![no_main]

mod catalog_common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    catalog_common::run(Box::new(strata_catalog::catalogers::ruby::GemCataloger::default()), "usr/lib/ruby/gems/3.1.0/specifications/x-1.0.gemspec", data);
});
