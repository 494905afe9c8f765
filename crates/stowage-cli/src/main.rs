//! `stowage`: the native, headless front end of the engine.

fn main() {
    println!("stowage {}", stowage_core::VERSION);
}
