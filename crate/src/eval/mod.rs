//! Scoring against the eval data in `shared/eval` (formats in its README): outline ground truth,
//! needle QA, and (from `tests/eval`) the manual questions' gold sections. Used by `tome eval`
//! and by the integration tests.

pub mod outlines;
pub mod qa;
pub mod sections;
