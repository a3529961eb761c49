//! What leaves the page and comes back: share links, exports and imports (`share`), the player a documentation
//! page embeds (`embed`), and the learner's work kept in the browser (`autosave`).

pub mod autosave;
pub mod embed;
pub mod share;
