//! Progress of the long commands (`import`, `seed-demo`): a bar on stderr when it is a terminal;
//! otherwise nothing (indicatif draws nowhere else), leaving logs and pipes to the command's one
//! summary line on stdout.

/// A progress bar counting `unit`s, cleared when dropped.
pub struct Progress(indicatif::ProgressBar);

impl Progress {
    pub fn new(unit: &str) -> Self {
        let template = format!("{{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)");
        Self(indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template(&template).expect("a valid template"),
        ))
    }

    /// `done` of `total` (a total that turns out short grows to `done`).
    pub fn update(&self, done: usize, total: usize) {
        self.0.set_length(total.max(done) as u64);
        self.0.set_position(done as u64);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
