// triage — rendering diagnostics for people and tools: text, JSON Lines, SARIF 2.1.0.
//
// The forms are those of the `rulecheck check` contract. All three escape what they
// print: terminal escapes and other control characters from a policy never reach a
// terminal raw, and JSON output is valid even when the policy is not valid UTF-8.
//
// Example:
//   triage::source_file src{"routing.rules", text};
//   triage::check_result r = triage::parse_and_check(src);
//   std::fputs(triage::render_text(src, r.issues, {.color = true}).c_str(), stderr);
#ifndef TRIAGE_RENDER_HPP
#define TRIAGE_RENDER_HPP

#include <span>
#include <string>

#include "triage/diagnostic.hpp"
#include "triage/source.hpp"

namespace triage {

/// Options of `render_text`.
///   color  (false)  wrap locations, severities and carets in ANSI colours like GCC does
///                   (bold locations, red errors, magenta warnings, cyan notes)
struct render_options {
  bool color = false;
};

/// One file's diagnostics, for renderers that cover several files in one document.
/// Both pointers must be non-null and outlive the call.
struct file_diagnostics {
  const source_file* source = nullptr;
  const diagnostics* issues = nullptr;
};

/// Renders diagnostics the way compilers do, each followed by its source line and a caret
/// line, then an `= example ticket: {...}` line when it has one, then its notes:
///
///   routing.rules:12:11: error[unknown-name]: unknown field 'slaa'; did you mean 'sla'?
///      12 | urgent if slaa < 2h
///         |           ^~~~
///
/// Every line ends with "\n". A tab in a source line prints as one space so the caret lines
/// up; a span that runs past its line's end is underlined to the end of the line; an empty
/// span gets a single `^`. Control characters print escaped, e.g. ESC as `\u{1b}`.
[[nodiscard]] std::string render_text(const source_file& source, const diagnostics& issues,
                                      const render_options& options = {});

/// Renders one JSON object per diagnostic, each on its own line ending in "\n", with the
/// keys `file, line, column, end_column, severity, code, message, notes, example` in that
/// order. `end_column` is one past the span's last character, clamped to the end of the
/// span's first line + 1; `notes` is a list of `{file, line, column, message}`;
/// `example` is the example ticket object or null. Invalid UTF-8 becomes U+FFFD.
[[nodiscard]] std::string render_json_lines(const source_file& source, const diagnostics& issues);

/// Renders one SARIF 2.1.0 document (ending in "\n") holding one run of the tool
/// `rulecheck`: a result per diagnostic with its code as `ruleId`, its notes as
/// `relatedLocations`, its example ticket as `properties.example`, and regions in 1-based
/// code-point columns (`columnKind: unicodeCodePoints`). `tool.driver.rules` lists the
/// codes used, in the order of `diagnostic_code`.
[[nodiscard]] std::string render_sarif(std::span<const file_diagnostics> files);

}  // namespace triage

#endif  // TRIAGE_RENDER_HPP
