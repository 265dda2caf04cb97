//! Elapsed time for the iteration reports. std's `Instant` where the platform has a clock; on
//! wasm32-unknown-unknown, where `Instant::now()` panics, a clock the binding installs with
//! [`set_clock`] (the core does no I/O itself), or none (every duration is then 0).

/// Measures seconds since it was started.
#[derive(Debug, Clone, Copy)]
pub struct Stopwatch {
    #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
    start: std::time::Instant,
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    start: f64,
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
static CLOCK: std::sync::OnceLock<fn() -> f64> = std::sync::OnceLock::new();

/// Installs a monotonic clock in seconds for platforms without one (the first call wins;
/// elsewhere std's clock is used and this does nothing).
pub fn set_clock(now_seconds: fn() -> f64) {
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    let _ = CLOCK.set(now_seconds);
    #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
    let _ = now_seconds;
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
        return Stopwatch { start: std::time::Instant::now() };
        #[cfg(all(target_family = "wasm", target_os = "unknown"))]
        return Stopwatch { start: now() };
    }

    pub fn seconds(&self) -> f64 {
        #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
        return self.start.elapsed().as_secs_f64();
        #[cfg(all(target_family = "wasm", target_os = "unknown"))]
        return (now() - self.start).max(0.0);
    }
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
fn now() -> f64 {
    CLOCK.get().map_or(0.0, |f| f())
}
