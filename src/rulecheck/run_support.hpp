// rulecheck — what the commands that run a policy share (eval, test, explain, table):
// loading a policy, writing JSON in the contract's style, buffered output, reading JSON
// Lines in constant memory, and showing values as policy text.
#ifndef TRIAGE_RULECHECK_RUN_SUPPORT_HPP
#define TRIAGE_RULECHECK_RUN_SUPPORT_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "triage/policy.hpp"

namespace rulecheck {

/// Compiles the policy in `path` ('-' reads standard input). When it cannot be read or does
/// not compile, prints why on stderr (the diagnostics as `check` renders them, coloured when
/// stderr wants colour) and returns null: the caller then exits with `exit_failure`.
[[nodiscard]] std::shared_ptr<const triage::policy> load_policy(std::string_view path);

/// Appends `text` as a JSON string literal with its quotes. Control characters (C0, DEL,
/// C1), line and paragraph separators and bidirectional controls are escaped (`\u001b`,
/// `\u202e`) and bytes that are not UTF-8 become U+FFFD, so the output is always valid JSON
/// and safe to show on a terminal.
void append_json_string(std::string& out, std::string_view text);

/// Returns `text` as a terminal may show it, escaped as the diagnostics renderer escapes
/// source lines: control characters (C0, DEL, C1), line and paragraph separators and
/// bidirectional controls as `\u{1b}`, bytes that are not UTF-8 as U+FFFD. For text from
/// input (file names, test names, messages quoting tickets) in human-readable output.
[[nodiscard]] std::string terminal_text(std::string_view text);

/// Appends a decision as the `rulecheck eval` object, in the contract's spacing:
/// `{"priority": "P1", "urgent": true, "notify": ["on_call"], "risk": 10}` — every output
/// in declaration order, `null` for an absent one.
void append_decision_json(std::string& out, const triage::policy& pol, const triage::decision& d);

/// Appends one output's value in a decision as JSON: a string, number, boolean, array (for a
/// collect output) or `null` when it is absent.
void append_output_json(std::string& out, const triage::policy& pol, const triage::decision& d,
                        std::uint32_t output);

/// Returns a hit policy's keyword: `first`, `max`, ... (`any` for flags).
[[nodiscard]] std::string_view hit_policy_name(triage::hit_policy p) noexcept;

/// Returns an output's value in a decision as policy text: `P1`, `10`, `true`, `"text"`,
/// `[on_call, manager]` for a collect output, and `missing` when it is absent.
[[nodiscard]] std::string decision_value_text(const triage::policy& pol, const triage::decision& d,
                                              std::uint32_t output);

/// Returns a field's value in a ticket as policy text (`high`, `1h30m`, `"VPN down"`,
/// `[vpn, wifi]` for tags the policy mentions), or `(missing)`.
[[nodiscard]] std::string ticket_value_text(const triage::policy& pol, const triage::ticket& t,
                                            std::uint32_t field);

/// Text for standard output, kept in memory and written in large blocks. Commands that
/// stream call `flush` before they would wait for input, so that an interactive pipe sees
/// each answer at once while a file is still written in blocks.
class buffered_output {
 public:
  buffered_output() { text_.reserve(block_bytes); }
  buffered_output(const buffered_output&) = delete;
  buffered_output& operator=(const buffered_output&) = delete;
  ~buffered_output() { flush(); }

  /// Returns the buffer to append to; call `maybe_flush` after appending.
  [[nodiscard]] std::string& text() noexcept { return text_; }
  /// Writes the buffer out once it holds a block or more.
  void maybe_flush() {
    if (text_.size() >= block_bytes) flush();
  }
  /// Writes everything buffered to stdout and flushes stdout.
  void flush();

 private:
  static constexpr std::size_t block_bytes = std::size_t{1} << 16;
  std::string text_;
};

/// Returns the error text for a line longer than `max_line_bytes`, in the words of
/// `triage::ticket_decoder`: "line is longer than max_line_bytes (N)".
[[nodiscard]] std::string too_long_message(std::size_t max_line_bytes);

/// Reads lines from a file descriptor with a fixed-size buffer, so that memory stays flat
/// however long the input: a line longer than `max_line_bytes` (not counting its "\n" or
/// "\r\n") is skipped (to its end, without being stored) and reported as too long. Lines end
/// at "\n"; a "\r" before it is dropped; a last line without "\n" counts.
class line_reader {
 public:
  /// Reads from `fd` (not owned); `before_wait`, when given, runs before every read that
  /// may wait for input: `eval` writes out the answers it holds there.
  line_reader(int fd, std::size_t max_line_bytes, std::function<void()> before_wait = {});

  /// Reads the next line into `line` (valid until the next call). Returns false at the end
  /// of the input or on a read error (then `error()` is not empty). `too_long` is set when
  /// the line was longer than the limit; `line` is then empty.
  [[nodiscard]] bool next(std::string_view& line, bool& too_long);
  /// Returns why reading failed (empty when it did not).
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  bool refill();

  int fd_;
  std::size_t max_line_bytes_;
  std::function<void()> before_wait_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // first unread byte of buffer_
  std::size_t end_ = 0;    // one past the last byte read into buffer_
  bool eof_ = false;
  std::string line_;  // a line that spans more than one buffer fill
  std::string error_;
};

}  // namespace rulecheck

#endif  // TRIAGE_RULECHECK_RUN_SUPPORT_HPP
