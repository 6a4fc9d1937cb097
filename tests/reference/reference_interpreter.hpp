// triage tests — a deliberately naive reference interpreter (the oracle of the
// differential test).
//
// It walks the syntax tree (`triage::ast::policy`) directly and shares no code with the
// engine: no `triage::model`, no checker conversions, no decision table. Every name is
// looked up by string in the tree each time it is used, literals are converted here (enum
// members by their position in the declaration, durations in seconds, int against number
// numerically), lets are expanded by name and outputs are decided by recursion on demand,
// memoised per ticket. It follows language reference sections 3.2, 3.5 and 4 and nothing
// else; it is written to be obviously right, not fast.
//
// The tree must come from a policy that `parse_and_check` accepts: the interpreter trusts
// names and types (it does not diagnose; a name it cannot find makes a condition false).
//
// Example:
//   triage::parse_result parsed = triage::parse(src);
//   triage::reference::interpreter ref{*parsed.tree};
//   triage::reference::ticket t{{"urgency", std::string("high")}, {"sla", std::int64_t{5400}}};
//   ref.evaluate(t).to_json();   // {"priority":"P2",...}
#ifndef TRIAGE_TESTS_REFERENCE_INTERPRETER_HPP
#define TRIAGE_TESTS_REFERENCE_INTERPRETER_HPP

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "triage/ast.hpp"

namespace triage::reference {

/// A tags field's value: a set of strings (duplicates collapse).
using tag_set = std::set<std::string>;

/// A present field's value. Which alternative depends on the field's declared type:
///   bool → bool; int → std::int64_t; duration → std::int64_t (seconds);
///   number → double; string → std::string; enum → std::string (the member's name);
///   tags → tag_set.
using value = std::variant<bool, std::int64_t, double, std::string, tag_set>;

/// A ticket: the fields it holds, by name. A field that is not a key is missing.
using ticket = std::map<std::string, value>;

/// A decided output's value: flag → bool; int → std::int64_t; enum → std::string (member
/// name); string → std::string; collect → the values in first-match order.
using output_value = std::variant<bool, std::int64_t, std::string, std::vector<std::string>>;

/// The decision for one ticket: every output in declaration order, absent as nullopt.
struct decision {
  std::vector<std::pair<std::string, std::optional<output_value>>> outputs;
  /// Per output (same order as `outputs`): every rule that matched, as indices into
  /// `ast::policy::rules`, in source order (also those a `first` output did not need).
  std::vector<std::vector<std::size_t>> matched;

  /// Returns the decision as the `rulecheck eval` JSON object, compact (no spaces):
  /// `{"priority":"P1","urgent":true,"notify":["on_call"],"risk":10,"team":null}`.
  [[nodiscard]] std::string to_json() const;
  /// Returns the value of an output, or nullopt when it is absent or not declared.
  [[nodiscard]] std::optional<output_value> get(const std::string& name) const;
};

/// Evaluates tickets against one policy's syntax tree. Keeps a reference to the tree.
class interpreter {
 public:
  /// Makes an interpreter for `tree`, which must outlive it.
  explicit interpreter(const ast::policy& tree) : tree_(tree) {}

  /// Returns "missing required field 'NAME'" for the first required field the ticket
  /// lacks (declaration order), else nothing.
  [[nodiscard]] std::optional<std::string> validate(const ticket& t) const;

  /// Decides every output for a valid ticket (language reference 3.2, 3.5, 4).
  [[nodiscard]] decision evaluate(const ticket& t) const;

  /// Builds the ticket of a test block's `given` (literals converted by field type).
  [[nodiscard]] ticket ticket_of(const ast::test_block& test) const;

  /// Returns one line per expectation of a test block that `d` does not meet
  /// ("priority: expected P1, found P2"); empty when the test passes. A collect output
  /// compares as a set.
  [[nodiscard]] std::vector<std::string> failed_expectations(const ast::test_block& test,
                                                             const decision& d) const;

 private:
  const ast::policy& tree_;
};

/// Returns `s` as a JSON string literal (quotes added; `"`, `\` and control characters
/// escaped).
[[nodiscard]] std::string json_string(const std::string& s);

}  // namespace triage::reference

#endif  // TRIAGE_TESTS_REFERENCE_INTERPRETER_HPP
