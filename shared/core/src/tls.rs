//! One TLS crypto provider per process: aws-lc-rs, which the AWS SDK uses
//! too. HTTP clients (providers, tools, the OTLP exporter) take the process
//! default, so a binary links one provider rather than ring beside it.

/// Makes aws-lc-rs the process's default provider; later calls do nothing.
pub fn install_provider() {
    // An error only says a default is already installed, which is what was wanted.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
