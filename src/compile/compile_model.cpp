// compile_model: checked model → decision tables → policy. Kept apart from the text
// front ends (compile.cpp) so that tools holding a model need not link the parser.
#include <utility>

#include "eval/runtime.hpp"
#include "triage/analyze.hpp"
#include "triage/policy.hpp"
#include "triage/table.hpp"

namespace triage {

compile_result compile_model_unproven(triage::model m, source_file source, diagnostics issues,
                                      const limits& lim) {
  compile_result result;
  result.source = std::make_shared<const source_file>(std::move(source));
  result.issues = std::move(issues);
  table_result table = build_table(m, lim);
  for (diagnostic& d : table.issues) result.issues.push_back(std::move(d));
  if (!table.value || has_errors(result.issues)) return result;
  result.value = detail::policy_access::make(result.source, std::move(m), std::move(*table.value));
  return result;
}

compile_result compile_model(triage::model m, source_file source, diagnostics issues,
                             const limits& lim) {
  compile_result result = compile_model_unproven(std::move(m), std::move(source),
                                                 std::move(issues), lim);
  if (!result.ok()) return result;
  // Overlapping `unique` rules and gaps in `complete` outputs are errors (language
  // reference, section 5): only those two checks run here; the warnings are left to
  // `rulecheck check` and triage::analyze, so that a host's reload stays fast.
  diagnostics found = analyze(result.value, analysis_options{.warnings = false});
  const bool refused = has_errors(found);
  for (diagnostic& d : found) result.issues.push_back(std::move(d));
  if (refused) result.value.reset();
  return result;
}

}  // namespace triage
