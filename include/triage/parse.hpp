// triage — stage 1: source text → syntax tree.
#ifndef TRIAGE_PARSE_HPP
#define TRIAGE_PARSE_HPP

#include <optional>

#include "triage/ast.hpp"
#include "triage/diagnostic.hpp"
#include "triage/limits.hpp"
#include "triage/source.hpp"

namespace triage {

/// The outcome of parsing one file.
struct parse_result {
  /// Engaged when the text is syntactically well-formed. `invalid-literal` errors keep
  /// the tree (the literal is marked `valid = false`) so the checker can report more;
  /// `syntax` and `limit-exceeded` errors leave it empty.
  std::optional<ast::policy> tree;
  diagnostics issues;
  [[nodiscard]] bool ok() const noexcept { return tree.has_value() && !has_errors(issues); }
};

/// Parses a policy. Never throws for bad input: every problem is a diagnostic with a
/// location. Parsing takes time linear in the text's size.
[[nodiscard]] parse_result parse(const source_file& source, const limits& lim = {});

}  // namespace triage

#endif  // TRIAGE_PARSE_HPP
