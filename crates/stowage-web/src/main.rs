//! Entry point of the playground: mounts the Yew app.

fn main() {
    stowage_web::start();
}
