// triage — diagnostics: what every stage reports about a user's policy.
//
// User mistakes are data, never exceptions: each stage returns its artifact (or nothing)
// together with a `diagnostics` list. Rendering them as text, JSON Lines or SARIF lives
// in <triage/render.hpp>.
#ifndef TRIAGE_DIAGNOSTIC_HPP
#define TRIAGE_DIAGNOSTIC_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "triage/source.hpp"

namespace triage {

/// How serious a finding is. `note` is informational (e.g. `analysis-budget`).
enum class severity : std::uint8_t { error, warning, note };

/// The stable diagnostic codes of the `rulecheck` contract. Scripts match on their
/// kebab-case names (see `code_name`); never renumber or rename one.
enum class diagnostic_code : std::uint8_t {
  // errors
  syntax,
  invalid_literal,
  reserved_word,
  unknown_name,
  type_mismatch,
  missing_value,
  unexpected_value,
  invalid_declaration,
  duplicate_declaration,
  duplicate_label,
  output_cycle,
  unique_overlap,
  incomplete_output,
  sum_overflow,
  limit_exceeded,
  // warnings
  unsatisfiable_rule,
  shadowed_rule,
  duplicate_rule,
  unused_declaration,
  always_true,
  // notes
  analysis_budget,
};

/// Returns the code's kebab-case name, e.g. "unknown-name".
[[nodiscard]] std::string_view code_name(diagnostic_code code) noexcept;
/// Returns the severity a code has by default (before `--werror`).
[[nodiscard]] severity default_severity(diagnostic_code code) noexcept;
/// Returns "error", "warning" or "note".
[[nodiscard]] std::string_view severity_name(severity s) noexcept;

/// A secondary location that explains a diagnostic ("first matched by rule ...").
struct diagnostic_note {
  span where;           ///< location in the same source file
  std::string message;  ///< one lowercase line, no final period
};

/// One finding about one source file.
///
/// `message` is one lowercase line with no final period; user text is quoted with
/// single quotes as the rulecheck contract shows ("unknown field 'slaa'; did you mean
/// 'sla'?"). `where` is the primary span: the caret line underlines it.
struct diagnostic {
  severity level = severity::error;
  diagnostic_code code = diagnostic_code::syntax;
  span where;
  std::string message;
  std::vector<diagnostic_note> notes;
  /// A ticket proving the finding, as a compact JSON object; empty when there is none.
  std::string example_json;
};

/// The findings of one or more stages over one source file, in the order found.
using diagnostics = std::vector<diagnostic>;

/// Returns true if any diagnostic has error severity.
[[nodiscard]] bool has_errors(const diagnostics& list) noexcept;

/// Builds a diagnostic with the code's default severity.
[[nodiscard]] diagnostic make_diagnostic(diagnostic_code code, span where, std::string message);

}  // namespace triage

#endif  // TRIAGE_DIAGNOSTIC_HPP
