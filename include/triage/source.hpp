// triage — source text and locations.
//
// The syntax tree stores byte spans into a `source_file`; lines and columns are computed
// only when something is printed. Columns count Unicode code points from 1 (a tab is one
// column), as editors do, not bytes.
#ifndef TRIAGE_SOURCE_HPP
#define TRIAGE_SOURCE_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

/// A half-open byte range [begin, end) into a source file's text.
struct span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;

  [[nodiscard]] constexpr std::uint32_t size() const noexcept { return end - begin; }
  [[nodiscard]] constexpr bool empty() const noexcept { return begin == end; }
  /// Returns the smallest span covering both `a` and `b`.
  [[nodiscard]] friend constexpr span merge(span a, span b) noexcept {
    return {a.begin < b.begin ? a.begin : b.begin, a.end > b.end ? a.end : b.end};
  }
  friend constexpr bool operator==(span, span) noexcept = default;
};

/// A 1-based line and a 1-based column counted in code points.
struct position {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
  friend constexpr bool operator==(position, position) noexcept = default;
};

/// Owns a policy's text and its name, and maps byte offsets to lines and columns.
///
/// Immutable after construction and safe to share between threads.
/// Example:
///   triage::source_file src{"routing.rules", text};
///   triage::position p = src.position_of(span.begin);   // {12, 11}
class source_file {
 public:
  source_file() = default;
  /// Takes the file's display name (used in diagnostics) and its whole text.
  source_file(std::string name, std::string text);

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::string& text() const noexcept { return text_; }
  /// Returns the text a span covers.
  [[nodiscard]] std::string_view text_of(span s) const noexcept;

  /// Returns the line and code-point column of a byte offset (clamped to the text's end).
  /// An offset inside a multi-byte sequence maps to that character's column.
  [[nodiscard]] position position_of(std::uint32_t offset) const noexcept;
  /// Returns the 1-based line number holding a byte offset.
  [[nodiscard]] std::uint32_t line_of(std::uint32_t offset) const noexcept;
  /// Returns the text of a 1-based line, without its line end ("\n" or "\r\n").
  [[nodiscard]] std::string_view line_text(std::uint32_t line) const noexcept;
  /// Returns the number of lines (an empty file has one, empty, line).
  [[nodiscard]] std::uint32_t line_count() const noexcept {
    return static_cast<std::uint32_t>(line_starts_.size());
  }

 private:
  std::string name_;
  std::string text_;
  std::vector<std::uint32_t> line_starts_{0};  // byte offset of each line's first byte
};

}  // namespace triage

#endif  // TRIAGE_SOURCE_HPP
