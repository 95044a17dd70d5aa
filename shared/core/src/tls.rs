//! One TLS crypto provider per process: ring's. HTTP clients (the AWS SDK's,
//! providers, tools, the OTLP exporter) take the process default, so a binary
//! links one provider.

/// Makes ring the process's default provider; later calls do nothing.
pub fn install_provider() {
    // An error only says a default is already installed, which is what was wanted.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
