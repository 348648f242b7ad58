//! Live cases: tokens.

use crate::common::Case;

pub const CASES: &[Case] = &[];
