#include "triage/diagnostic.hpp"

#include <algorithm>
#include <utility>

namespace triage {

std::string_view code_name(diagnostic_code code) noexcept {
  switch (code) {
    case diagnostic_code::syntax: return "syntax";
    case diagnostic_code::invalid_literal: return "invalid-literal";
    case diagnostic_code::reserved_word: return "reserved-word";
    case diagnostic_code::unknown_name: return "unknown-name";
    case diagnostic_code::type_mismatch: return "type-mismatch";
    case diagnostic_code::missing_value: return "missing-value";
    case diagnostic_code::unexpected_value: return "unexpected-value";
    case diagnostic_code::invalid_declaration: return "invalid-declaration";
    case diagnostic_code::duplicate_declaration: return "duplicate-declaration";
    case diagnostic_code::duplicate_label: return "duplicate-label";
    case diagnostic_code::output_cycle: return "output-cycle";
    case diagnostic_code::unique_overlap: return "unique-overlap";
    case diagnostic_code::incomplete_output: return "incomplete-output";
    case diagnostic_code::sum_overflow: return "sum-overflow";
    case diagnostic_code::limit_exceeded: return "limit-exceeded";
    case diagnostic_code::unsatisfiable_rule: return "unsatisfiable-rule";
    case diagnostic_code::shadowed_rule: return "shadowed-rule";
    case diagnostic_code::duplicate_rule: return "duplicate-rule";
    case diagnostic_code::unused_declaration: return "unused-declaration";
    case diagnostic_code::always_true: return "always-true";
    case diagnostic_code::analysis_budget: return "analysis-budget";
  }
  return "unknown";
}

severity default_severity(diagnostic_code code) noexcept {
  switch (code) {
    case diagnostic_code::unsatisfiable_rule:
    case diagnostic_code::shadowed_rule:
    case diagnostic_code::duplicate_rule:
    case diagnostic_code::unused_declaration:
    case diagnostic_code::always_true:
      return severity::warning;
    case diagnostic_code::analysis_budget:
      return severity::note;
    default:
      return severity::error;
  }
}

std::string_view severity_name(severity s) noexcept {
  switch (s) {
    case severity::error: return "error";
    case severity::warning: return "warning";
    case severity::note: return "note";
  }
  return "error";
}

bool has_errors(const diagnostics& list) noexcept {
  return std::any_of(list.begin(), list.end(),
                     [](const diagnostic& d) { return d.level == severity::error; });
}

diagnostic make_diagnostic(diagnostic_code code, span where, std::string message) {
  diagnostic d;
  d.level = default_severity(code);
  d.code = code;
  d.where = where;
  d.message = std::move(message);
  return d;
}

}  // namespace triage
