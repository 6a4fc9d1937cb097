// rulecheck — what `stats` and `diff` share: reading a ticket log (JSON Lines) in constant
// memory, a progress line for long logs, and the pieces of their human reports (shares,
// bars, aligned columns).
#ifndef TRIAGE_RULECHECK_TICKET_LOG_HPP
#define TRIAGE_RULECHECK_TICKET_LOG_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "run_support.hpp"
#include "triage/limits.hpp"

namespace rulecheck {

/// One non-blank line of a ticket log.
struct log_line {
  std::uint64_t number = 0;  ///< 1-based input line
  std::string_view text;     ///< without its line end (and without a leading byte-order mark)
  bool too_long = false;     ///< longer than the limit: `text` is empty, the ticket is rejected
};

/// A ticket log read line by line through `line_reader`, as `eval` reads it: blank lines are
/// skipped (they still count in line numbers), a UTF-8 byte-order mark at the very start is
/// dropped, a line longer than the limit is reported as such without being stored.
class ticket_log {
 public:
  /// Longest line accepted: the library's default, as `eval`'s.
  static constexpr std::size_t max_line_bytes = triage::ticket_limits{}.max_line_bytes;

  /// Opens `path` ('-' for standard input). On failure returns nothing and prints
  /// "cannot read 'PATH': REASON" on stderr.
  [[nodiscard]] static std::unique_ptr<ticket_log> open(std::string_view path);
  ticket_log(const ticket_log&) = delete;
  ticket_log& operator=(const ticket_log&) = delete;
  ~ticket_log();

  /// Reads the next non-blank line; false at the end or on a read error.
  [[nodiscard]] bool next(log_line& line);
  /// After `next` returned false: prints the read error on stderr, if there was one, and
  /// returns true when there was.
  [[nodiscard]] bool report_error() const;
  /// Returns the message text for a line that is too long.
  [[nodiscard]] static std::string too_long_message();

 private:
  ticket_log(int fd, std::string display);
  int fd_;
  std::string display_;
  line_reader reader_;
  std::uint64_t number_ = 0;
};

/// A "N lines read" line on stderr, redrawn a few times a second, when stderr is a
/// terminal (and never otherwise, so logs and pipes stay clean). Erased by `finish`.
class progress_line {
 public:
  /// `what` prefixes the line, e.g. "rulecheck stats".
  explicit progress_line(std::string_view what);
  ~progress_line() { finish(); }
  progress_line(const progress_line&) = delete;
  progress_line& operator=(const progress_line&) = delete;

  /// Called once a line; looks at the clock only every few thousand lines.
  void tick(std::uint64_t line_number) {
    if (enabled_ && (line_number & 0xFFF) == 0) redraw(line_number);
  }
  /// Erases the line (once).
  void finish();

 private:
  void redraw(std::uint64_t line_number);
  std::string what_;
  bool enabled_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point next_draw_;
};

/// Returns `part` as a percentage of `whole` with one decimal ("12.5%"; "0.0%" when whole
/// is 0).
[[nodiscard]] std::string percent_text(std::uint64_t part, std::uint64_t whole);
/// Returns a bar of up to `width` cells for `part` of `whole`; a non-zero part too small for
/// one cell still shows a sliver, so that "some" and "none" look different.
[[nodiscard]] std::string bar_text(std::uint64_t part, std::uint64_t whole, std::size_t width);
/// Returns a number with thousands separators: 1,000,000.
[[nodiscard]] std::string count_text(std::uint64_t n);

/// Rows of cells printed as aligned columns (widths counted in code points). Columns listed
/// in `right_aligned` are right-aligned (numbers); the last column is never padded.
class text_table {
 public:
  /// Adds a row.
  void add(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  /// Appends the rows to `out`, each line starting with `indent`.
  void render(std::string& out, std::string_view indent,
              const std::vector<bool>& right_aligned) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

/// Returns the number of code points in UTF-8 text.
[[nodiscard]] std::size_t display_width(std::string_view text) noexcept;

/// Where an example ticket is: its id as compact JSON (`"T-1"`, or `null`) and its line.
struct ticket_ref {
  std::string id_json;
  std::uint64_t line = 0;
};
/// Examples kept per group (transition, rejection reason): enough to look at, few enough to
/// keep memory flat.
inline constexpr std::size_t max_examples = 3;
/// Distinct groups kept per table (values of an output, transitions, rejection reasons);
/// the rest are counted together, so that memory is bounded by this, not by the log.
inline constexpr std::size_t max_groups = 1000;

/// Appends `[{"id": "T-1", "line": 3}, ...]`.
void append_examples_json(std::string& out, const std::vector<ticket_ref>& examples);
/// Returns `T-1, T-7, line 9` (a ticket without an id shows its line).
[[nodiscard]] std::string examples_text(const std::vector<ticket_ref>& examples);

}  // namespace rulecheck

#endif  // TRIAGE_RULECHECK_TICKET_LOG_HPP
