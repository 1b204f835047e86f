//! Reading a Prometheus text exposition (`/metrics`), as the metrics tests check it.

/// The value of the first sample named `name` whose labels include every one of `labels`
/// (each written as in the exposition: `key="value"`); a sample without labels matches any.
pub fn sample(exposition: &str, name: &str, labels: &[&str]) -> Option<f64> {
    let labelled = format!("{name}{{");
    exposition.lines().find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let matches = series == name
            || (series.starts_with(&labelled) && labels.iter().all(|l| series.contains(l)));
        matches.then(|| value.parse().ok()).flatten()
    })
}

/// Whether the exposition holds a sample of the metric `name`, with labels or without.
pub fn exposes(exposition: &str, name: &str) -> bool {
    let (labelled, bare) = (format!("{name}{{"), format!("{name} "));
    exposition
        .lines()
        .any(|line| line.starts_with(&labelled) || line.starts_with(&bare))
}

#[cfg(test)]
mod tests {
    use super::{exposes, sample};

    const EXPOSITION: &str = "# TYPE requests_count counter\n\
        requests_count{route=\"/a\",status=\"2xx\"} 3\n\
        requests_count{route=\"/b\",status=\"4xx\"} 1\n\
        uptime 12.5\n";

    #[test]
    fn a_sample_is_found_by_its_name_and_labels() {
        assert_eq!(
            sample(EXPOSITION, "requests_count", &[r#"route="/b""#]),
            Some(1.0)
        );
        assert_eq!(sample(EXPOSITION, "requests_count", &[]), Some(3.0));
        assert_eq!(sample(EXPOSITION, "uptime", &[r#"any="x""#]), Some(12.5));
        assert_eq!(
            sample(EXPOSITION, "requests_count", &[r#"route="/c""#]),
            None
        );
        assert_eq!(sample(EXPOSITION, "requests", &[]), None);
    }

    #[test]
    fn a_metric_is_exposed_with_or_without_labels_but_not_by_its_comments() {
        assert!(exposes(EXPOSITION, "requests_count"));
        assert!(exposes(EXPOSITION, "uptime"));
        assert!(!exposes(EXPOSITION, "requests"));
        assert!(!exposes("# TYPE absent counter\n", "absent"));
    }
}
