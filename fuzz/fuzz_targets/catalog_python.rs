#![no_main]

mod catalog_common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    catalog_common::run(Box::new(strata_catalog::catalogers::python::PythonCataloger::default()), "usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA", data);
});
