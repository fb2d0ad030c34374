//! Scoring against the eval data in `shared/eval` (formats in its README): outline ground truth
//! and needle QA. Used by `tome eval` and by the integration tests.

pub mod outlines;
pub mod qa;
