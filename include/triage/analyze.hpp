// triage — static analysis of a compiled policy: rules that never match or never decide,
// overlapping `unique` rules, gaps in `complete` outputs, duplicate and always-true rules
// (language reference, section 5).
//
// How it works: the literals a policy mentions cut each field's domain into finitely many
// classes of values that every cell of the decision table treats alike. The analysis
// picks one representative value per class (and "missing" for fields that are not
// required), and for each output enumerates every combination of representatives of the
// fields the output depends on (its own cells and those of the outputs it reads,
// transitively). Each such ticket is decided by the real evaluator with a trace, so every
// finding is confirmed on a concrete, valid ticket, and because the classes are exact a
// policy found free of overlaps or gaps has none. An output whose combinations exceed
// `analysis_options::max_tickets_per_output` gets an `analysis-budget` note instead of a
// verdict.
//
// Example:
//   triage::compile_result r = triage::compile_file("routing.rules");
//   if (r.ok())
//     for (const triage::diagnostic& d : triage::analyze(r.value))
//       std::puts(d.message.c_str());   // "rule 'p2_any' can never decide 'priority'"
#ifndef TRIAGE_ANALYZE_HPP
#define TRIAGE_ANALYZE_HPP

#include <cstdint>
#include <memory>

#include "triage/diagnostic.hpp"
#include "triage/policy.hpp"

namespace triage {

/// What the analysis looks for and how much work it may do.
struct analysis_options {
  /// The budget: the most example tickets enumerated for one output. An output needing
  /// more gets an `analysis-budget` note and no other finding. Default 1,000,000.
  std::uint64_t max_tickets_per_output = 1'000'000;
  /// The work budget, in checks of a rule (or cell) on a ticket, default 20,000,000
  /// (about a second):
  /// - a field whose candidate values times the cells testing it exceed it makes its
  ///   outputs too large to analyse (an `analysis-budget` note);
  /// - an output whose whole enumeration needs more than `max_tickets_per_output`
  ///   tickets, or more than ten times this in rows decided by the evaluator, is analysed
  ///   rule by rule instead: each rule over the fields it and the earlier rules it may
  ///   meet depend on, each rule's question within `max_tickets_per_output`, and all of
  ///   them together within this many rule checks (a rule past either gets a note).
  std::uint64_t max_rule_checks_per_output = 20'000'000;
  /// Report the warnings (`unsatisfiable-rule`, `shadowed-rule`, `duplicate-rule`,
  /// `always-true`). When false only the errors `unique-overlap` and `incomplete-output`
  /// (and `analysis-budget` notes) are looked for, and only `unique` and `complete`
  /// outputs are enumerated: what `compile` runs.
  bool warnings = true;
};

/// Analyses a compiled policy. Returns the findings in source order of the rule or output
/// they concern: `unique-overlap` and `incomplete-output` errors, the warnings above when
/// `options.warnings`, and `analysis-budget` notes. Findings about tickets carry an
/// example ticket in `diagnostic::example_json`. Never throws for any policy that compiled.
[[nodiscard]] diagnostics analyze(const std::shared_ptr<const policy>& p,
                                  const analysis_options& options = {});

/// Compiles a checked model like `compile_model`, but without proving its `unique` and
/// `complete` outputs, so that one `analyze` call then reports every finding, errors and
/// warnings together (what `rulecheck check` does). The policy it returns may break those
/// two promises: hosts compile with `compile`, `compile_file` or `compile_model`.
[[nodiscard]] compile_result compile_model_unproven(model m, source_file source,
                                                    diagnostics issues = {},
                                                    const limits& lim = {});

}  // namespace triage

#endif  // TRIAGE_ANALYZE_HPP
