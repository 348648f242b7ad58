//! Live cases: connections.

use crate::common::Case;

pub const CASES: &[Case] = &[];
