//! The allocator's settings for a long-lived server that hashes passwords.
//!
//! glibc raises its mmap threshold to the largest block it has freed (up to
//! 32 MiB), so after the first sign-up or log-in argon2's 19 MiB block would
//! come from the heap, and the heap keeps it resident for good. A fixed
//! threshold keeps every block of 128 KiB or more in a mapping of its own,
//! returned to the system when freed: the local runner rests at half the
//! memory (see the README's performance figures).

/// Call once, first thing in `main`.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets a parameter of glibc's allocator, under its own lock.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}
