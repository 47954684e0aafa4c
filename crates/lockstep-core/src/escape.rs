//! Untrusted text (account names, object values, post ids, header names) shown
//! on a terminal: control characters would move the cursor, clear the screen or
//! set the window title, and a 10 MB value would flood it.

use std::borrow::Cow;

/// Characters shown escaped: C0 and C1 controls, DEL, and the invisible
/// formatting characters that reorder or hide text (bidirectional overrides and
/// isolates, zero-width characters, the BOM).
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// `s` made safe for a terminal: every control or invisible formatting
/// character written as a visible escape (`\n`, `\t`, `\u{1b}`, `\u{202e}`),
/// and the result cut after `max_chars` characters with `…` and the count of
/// characters left out. Borrowed when nothing needs changing.
///
/// ```
/// use lockstep_core::terminal_safe;
/// assert_eq!(terminal_safe("alice", 40), "alice");
/// assert_eq!(terminal_safe("\x1b]0;pwned\x07x", 40), "\\u{1b}]0;pwned\\u{7}x");
/// assert_eq!(terminal_safe("abcdefghij", 4), "abcd… (6 more characters)");
/// ```
pub fn terminal_safe(s: &str, max_chars: usize) -> Cow<'_, str> {
    let long = s.len() > max_chars && s.chars().nth(max_chars).is_some();
    if !long && !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().min(4 * max_chars + 32));
    for c in s.chars().take(max_chars) {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    if long {
        let rest = s.chars().count() - max_chars;
        out.push_str(&format!("… ({rest} more characters)"));
    }
    Cow::Owned(out)
}

/// A longer text (an error message) safe for a terminal: as
/// [`terminal_safe`], except that line breaks stay line breaks.
pub fn terminal_safe_lines(s: &str, max_chars_per_line: usize) -> String {
    s.split('\n').map(|line| terminal_safe(line, max_chars_per_line)).collect::<Vec<_>>().join("\n")
}

/// The usual bound for one name or value on a terminal.
pub const NAME_CHARS: usize = 120;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_cuts() {
        // Clear screen, set title, a right-to-left override, a bell.
        let evil = "\x1b[2J\x1b]0;title\x07\u{202e}gnp.exe\u{9b}";
        let safe = terminal_safe(evil, 100);
        assert!(!safe.chars().any(hidden), "{safe}");
        assert_eq!(safe, "\\u{1b}[2J\\u{1b}]0;title\\u{7}\\u{202e}gnp.exe\\u{9b}");
        assert!(matches!(terminal_safe("plain ü ✓", 100), Cow::Borrowed(_)));
        let big = "x".repeat(10_000_000);
        let cut = terminal_safe(&big, NAME_CHARS);
        assert_eq!(cut, format!("{}… (9999880 more characters)", "x".repeat(NAME_CHARS)));
        assert_eq!(terminal_safe_lines("a\x1b\nb", 10), "a\\u{1b}\nb");
    }
}
