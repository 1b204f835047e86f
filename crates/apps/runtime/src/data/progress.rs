//! The progress display of the data commands, on standard error: an `indicatif` bar when it
//! is a terminal, otherwise a plain line at most every few seconds (CI, logs).

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use ents_domain::jobs::ProgressSink;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often the plain display writes a line.
const PLAIN_INTERVAL: Duration = Duration::from_secs(5);

/// Bar positions per unit of progress fraction.
const SCALE: u64 = 1000;

/// Progress of one command. `quiet` shows nothing (tests, scripts).
pub struct Progress {
    bar: Option<ProgressBar>,
    plain: Option<Mutex<Plain>>,
    label: &'static str,
}

struct Plain {
    last: Option<Instant>,
    started: Instant,
}

impl Progress {
    pub fn new(label: &'static str, quiet: bool) -> Self {
        if quiet {
            return Self {
                bar: None,
                plain: None,
                label,
            };
        }
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(SCALE), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{msg} [{elapsed_precise}] {wide_bar} {percent}% ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_message(label);
            Self {
                bar: Some(bar),
                plain: None,
                label,
            }
        } else {
            Self {
                bar: None,
                plain: Some(Mutex::new(Plain {
                    last: None,
                    started: Instant::now(),
                })),
                label,
            }
        }
    }

    /// A line of text above the bar (or on its own line).
    pub fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None if self.plain.is_some() => {
                let _ = writeln!(std::io::stderr(), "{text}");
            }
            None => {}
        }
    }

    /// Sets the position (`fraction` of the work, 0..=1) and the detail shown with it.
    pub fn update(&self, fraction: f32, detail: &str) {
        if let Some(bar) = &self.bar {
            bar.set_position((fraction.clamp(0.0, 1.0) * SCALE as f32) as u64);
            bar.set_message(format!("{} {detail}", self.label));
        }
        if let Some(plain) = &self.plain {
            let Ok(mut plain) = plain.lock() else { return };
            if plain.last.is_some_and(|at| at.elapsed() < PLAIN_INTERVAL) {
                return;
            }
            plain.last = Some(Instant::now());
            let _ = writeln!(
                std::io::stderr(),
                "{}: {:.0}% {detail} ({}s)",
                self.label,
                fraction.clamp(0.0, 1.0) * 100.0,
                plain.started.elapsed().as_secs()
            );
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[async_trait]
impl ProgressSink for Progress {
    async fn report(&self, fraction: f32) {
        self.update(fraction, "");
    }
}

/// Where the import readers report progress: the command's display, or an import job's
/// record (at most once per `interval`: each report is a write that extends the lease).
pub(crate) enum Report<'a> {
    Display(&'a Progress),
    Job {
        sink: &'a dyn ProgressSink,
        interval: Duration,
        last: Option<Instant>,
    },
}

impl Report<'_> {
    /// `fraction` of the input read, and a detail for the display.
    pub(crate) async fn update(&mut self, fraction: f32, detail: &str) {
        match self {
            Self::Display(progress) => progress.update(fraction, detail),
            Self::Job {
                sink,
                interval,
                last,
            } => {
                if last.is_some_and(|at| at.elapsed() < *interval) {
                    return;
                }
                *last = Some(Instant::now());
                // Not 1.0 before the job completes: "finished" is the job state's word.
                sink.report(fraction.clamp(0.0, 0.99)).await;
            }
        }
    }
}
