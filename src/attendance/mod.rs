//! Attendance: fetching the services' reports after a class, counting Join presses where no
//! report exists, and the reports teachers read.

pub mod chart;
pub mod export;
pub mod report;
