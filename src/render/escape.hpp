// Internal to the renderers: UTF-8 decoding and escaping for terminals and JSON.
#ifndef TRIAGE_RENDER_ESCAPE_HPP
#define TRIAGE_RENDER_ESCAPE_HPP

#include <cstdint>
#include <string>
#include <string_view>

namespace triage::detail {

/// The code point standing for bytes that are not valid UTF-8.
inline constexpr char32_t replacement_character = 0xFFFD;

/// One character of a line as source_file counts columns: a byte that is not a UTF-8
/// continuation byte, with the continuation bytes that follow it.
struct utf8_cell {
  std::string_view bytes;
  /// The character `bytes` starts with; U+FFFD when they do not start with valid UTF-8.
  char32_t code_point = replacement_character;
  /// True when stray continuation bytes follow a valid character (`a\x80`): they print
  /// as one more U+FFFD, so that no valid character is lost.
  bool trailing_garbage = false;
};

/// Splits `text` into cells exactly where source_file::position_of starts a new column,
/// so that cell k (0-based) of a line that starts with a lead byte is column k + 1.
class utf8_cells {
 public:
  explicit utf8_cells(std::string_view text) noexcept : text_(text) {}
  /// Returns false at the end of the text; otherwise stores the next cell in `out`.
  [[nodiscard]] bool next(utf8_cell& out) noexcept;

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

/// Appends the UTF-8 encoding of a code point (which must be a Unicode scalar value).
void append_utf8(std::string& out, char32_t cp);

/// Returns true for the code points no output shows raw: control characters (C0, DEL, C1),
/// line and paragraph separators and bidirectional controls.
[[nodiscard]] bool is_hostile(char32_t cp) noexcept;

/// Returns how a code point is shown on a terminal: empty when it prints as itself,
/// otherwise an escape such as `\u{1b}`. Control characters (C0, DEL, C1), line and
/// paragraph separators and bidirectional overrides are escaped, so a policy can neither
/// drive the terminal nor reorder what is displayed. A tab is escaped too; source lines
/// show tabs as spaces before calling this.
[[nodiscard]] std::string terminal_escape(char32_t cp);

/// Returns how many terminal columns a code point takes when printed as itself: 2 for
/// East Asian wide and full-width characters, 0 for combining marks, 1 otherwise.
[[nodiscard]] std::uint32_t terminal_width(char32_t cp) noexcept;

/// Appends `text` for a terminal: invalid UTF-8 as U+FFFD, escapes per `terminal_escape`.
void append_terminal_text(std::string& out, std::string_view text);

/// Appends `text` as a JSON string literal with its quotes. Every `is_hostile` code point
/// is escaped (`\u001b`, `\u202e`); invalid UTF-8 becomes U+FFFD, so the output is always
/// valid JSON.
void append_json_string(std::string& out, std::string_view text);

}  // namespace triage::detail

#endif  // TRIAGE_RENDER_ESCAPE_HPP
