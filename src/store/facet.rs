//! What every list's facets share (as Datasette's `_facet`): names parsed from the query, value
//! counts ranked the same way, and the cap on how many values one facet lists.

/// A field a list can be faceted by.
pub trait FacetName: Copy + Ord + 'static {
    /// Every facet of the list, in the order the spec names them.
    const ALL: &'static [Self];

    fn as_str(self) -> &'static str;

    /// The facet named `raw`, or a message listing the names there are.
    fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|facet| facet.as_str() == raw)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|f| f.as_str()).collect();
                format!("each name must be one of {}", names.join(", "))
            })
    }
}

/// The most values a facet lists (the most frequent first); vendors can be many.
pub const MAX_FACET_VALUES: usize = 100;

/// One value of a facet and how many items of the filtered set hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: i64,
}

/// Most frequent first, ties by value, cut at [`MAX_FACET_VALUES`]; values counted zero times
/// are left out.
pub fn ranked(counts: impl IntoIterator<Item = (String, i64)>) -> Vec<FacetCount> {
    let mut counts: Vec<FacetCount> = counts
        .into_iter()
        .filter(|(_, count)| *count > 0)
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    counts.truncate(MAX_FACET_VALUES);
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_puts_the_most_frequent_first_and_ties_by_value() {
        let ranked = ranked(vec![
            ("b".into(), 2),
            ("a".into(), 2),
            ("c".into(), 5),
            ("z".into(), 0),
        ]);
        let values: Vec<&str> = ranked.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(values, ["c", "a", "b"]);
    }
}
