//! Teaching: the examples the page opens (`presets`, every scenario of `examples/`) and the guided lessons
//! over them (`lessons`).

pub mod lessons;
pub mod presets;
