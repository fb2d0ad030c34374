//! Project Gutenberg header and footer boilerplate.
