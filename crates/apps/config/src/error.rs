use crate::env::UPSTREAM_VARIABLES;

/// Why the configuration cannot be used. The message always names the offending key and
/// the variables that can set it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A value has the wrong type or shape.
    #[error("configuration error: `{key}` {problem} (set by {sources})")]
    Load {
        key: String,
        problem: String,
        sources: String,
    },
    /// A value is well-formed but unusable.
    #[error("configuration error: `{key}` {problem}")]
    Invalid { key: &'static str, problem: String },
}

impl From<figment::Error> for ConfigError {
    fn from(error: figment::Error) -> Self {
        // Env keys arrive upper-cased; the documented keys are lower-case.
        let key = error.path.join(".").to_lowercase();
        let mut sources = vec![format!("ENTS_{}", key.to_uppercase().replace('.', "__"))];
        sources.extend(
            UPSTREAM_VARIABLES
                .iter()
                .filter(|(_, k)| *k == key)
                .map(|(var, _)| (*var).to_owned()),
        );
        sources.push("the TOML file".into());
        let origin = error
            .metadata
            .as_ref()
            .map(|m| format!(" in {}", m.name))
            .unwrap_or_default();
        Self::Load {
            key,
            problem: format!("is invalid: {}{origin}", error.kind),
            sources: sources.join(", "),
        }
    }
}
