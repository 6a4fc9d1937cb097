// triage — the compiled policy: compile once, evaluate many tickets from many threads.
//
// Usage guide
// -----------
// Compile a policy (from text, a `source_file` or a file path). User mistakes come back as
// diagnostics, never as exceptions:
//
//   triage::compile_result r = triage::compile_file("routing.rules");
//   if (!r.ok()) { std::fputs(triage::render_text(*r.source, r.issues).c_str(), stderr); return 2; }
//   std::shared_ptr<const triage::policy> pol = r.value;
//
// Resolve field and output names once, into handles (an unknown name gives an invalid
// handle: `valid()` is false and every setter rejects it with std::invalid_argument):
//
//   const triage::field_handle urgency = pol->field("urgency"), sla = pol->field("sla");
//   const triage::field_handle tags = pol->field("tags");
//   const triage::output_handle priority = pol->output("priority");
//
// Build a ticket with typed setters, or decode JSON with a `ticket_decoder`, then evaluate
// into a `decision`. Tickets and decisions are bound to their policy and reusable: after
// the first ticket, `evaluate` allocates nothing.
//
//   triage::ticket t{pol};
//   triage::decision d{pol};
//   t.set(urgency, "high");             // enum member by name
//   t.set(sla, std::chrono::minutes{90});
//   t.set_tags(tags, {"vpn"});
//   pol->evaluate(t, d);
//   d.text(priority);                   // "P1"
//   d.to_json();                        // {"priority": "P1", "team": "network", ...}
//   t.reset();                          // every field missing again, storage kept
//
// A policy is immutable and safe to use from any number of threads at once; each thread
// uses its own tickets and decisions. For a host that reloads policies while running, see
// <triage/live_policy.hpp>.
//
// Semantics (language reference 3.2, 3.5 and 4), and the choices made where it is silent:
// - Outputs are decided in `model().evaluation_order`. A comparison on a missing field or
//   an absent output is false (`!=` and `not in` too); `not` is plain negation.
// - `first` and `unique` take the first matching rule in source order (the analysis proves
//   `unique` outputs never have two); `max`/`min` compare enum members by declaration
//   order; `collect` lists values in first-match order without duplicates (`[]` when none);
//   `sum` is 0 when none; flags are false when none; defaults apply when none.
// - `int` and `number` compare as exact mathematical values.
// - A trace lists every rule that matched, including those a `first` output did not need.
// - A ticket keeps only the tags its policy mentions; no other tag can change a decision.
#ifndef TRIAGE_POLICY_HPP
#define TRIAGE_POLICY_HPP

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "triage/check.hpp"
#include "triage/diagnostic.hpp"
#include "triage/limits.hpp"
#include "triage/source.hpp"
#include "triage/table.hpp"

namespace triage {

class policy;
class ticket;
class decision;
class evaluation_trace;

namespace detail {
struct policy_access;
struct subject_reader;
}  // namespace detail

/// A field of a policy's schema, resolved once by name (`policy::field`). A small value
/// type; a default-constructed handle, or one for an unknown name, is invalid.
class field_handle {
 public:
  constexpr field_handle() noexcept = default;
  /// Returns true when the handle names a field.
  [[nodiscard]] constexpr bool valid() const noexcept { return index_ != no_index; }
  /// Returns true when the handle names a field.
  [[nodiscard]] constexpr explicit operator bool() const noexcept { return valid(); }
  /// Returns the field's index in `model::fields` (`no_index` when invalid).
  [[nodiscard]] constexpr std::uint32_t index() const noexcept { return index_; }
  /// Returns the field's type (meaningless when invalid).
  [[nodiscard]] constexpr field_type type() const noexcept { return type_; }
  friend constexpr bool operator==(field_handle, field_handle) noexcept = default;

 private:
  friend class policy;
  constexpr field_handle(std::uint32_t index, field_type type) noexcept
      : index_(index), type_(type) {}
  std::uint32_t index_ = no_index;
  field_type type_ = field_type::boolean;
};

/// An output of a policy, resolved once by name (`policy::output`). A small value type;
/// a default-constructed handle, or one for an unknown name, is invalid.
class output_handle {
 public:
  constexpr output_handle() noexcept = default;
  /// Returns true when the handle names an output.
  [[nodiscard]] constexpr bool valid() const noexcept { return index_ != no_index; }
  /// Returns true when the handle names an output.
  [[nodiscard]] constexpr explicit operator bool() const noexcept { return valid(); }
  /// Returns the output's index in `model::outputs` (`no_index` when invalid).
  [[nodiscard]] constexpr std::uint32_t index() const noexcept { return index_; }
  /// Returns the output's type (meaningless when invalid).
  [[nodiscard]] constexpr output_type type() const noexcept { return type_; }
  /// Returns the output's hit policy (meaningless when invalid).
  [[nodiscard]] constexpr hit_policy policy() const noexcept { return policy_; }
  friend constexpr bool operator==(output_handle, output_handle) noexcept = default;

 private:
  friend class triage::policy;
  constexpr output_handle(std::uint32_t index, output_type type, hit_policy hit) noexcept
      : index_(index), type_(type), policy_(hit) {}
  std::uint32_t index_ = no_index;
  output_type type_ = output_type::flag;
  hit_policy policy_ = hit_policy::any;
};

/// A compiled policy: its source, checked model and decision tables, ready to evaluate.
///
/// Immutable after `compile` returns it and thread-safe: any number of threads may call
/// any member at once. Always held as `std::shared_ptr<const policy>`; tickets, decisions
/// and decoders keep it alive. See the usage guide at the top of this header.
class policy {
 public:
  policy(const policy&) = delete;
  policy& operator=(const policy&) = delete;
  ~policy();

  /// Returns the policy's source text and name.
  [[nodiscard]] const source_file& source() const noexcept { return *source_; }
  /// Returns the checked model: names, types, enums, rules, tests, evaluation order.
  [[nodiscard]] const triage::model& model() const noexcept { return model_; }
  /// Returns the decision tables the evaluator runs.
  [[nodiscard]] const decision_table& table() const noexcept { return table_; }

  /// Returns the handle of a field, or an invalid handle when there is no such field.
  [[nodiscard]] field_handle field(std::string_view name) const noexcept;
  /// Returns the handle of the field at `index` of `model().fields` (invalid if out of range).
  [[nodiscard]] field_handle field_at(std::uint32_t index) const noexcept;
  /// Returns the handle of an output, or an invalid handle when there is no such output.
  [[nodiscard]] output_handle output(std::string_view name) const noexcept;
  /// Returns the handle of the output at `index` of `model().outputs` (invalid if out of range).
  [[nodiscard]] output_handle output_at(std::uint32_t index) const noexcept;
  /// Returns the index of an enum field's member, or nothing when the handle is not an
  /// enum field of this policy or the name is not a member.
  [[nodiscard]] std::optional<std::uint32_t> member(field_handle f,
                                                    std::string_view name) const noexcept;

  /// Returns an error message when the ticket could not be evaluated as a valid ticket
  /// (a required field is missing: "missing required field 'impact'"), else nothing.
  [[nodiscard]] std::optional<std::string> validate(const ticket& t) const;

  /// Decides every output for one ticket, in `model().evaluation_order`, by each output's
  /// hit policy (language reference, sections 3.2 and 4). The ticket must have been made
  /// for this policy; if it was not, every output of `d` is left absent (flags false,
  /// collect outputs empty) and `d.valid()` is false. A decision bound to another policy is
  /// rebound first (which allocates once). Allocates nothing otherwise.
  void evaluate(const ticket& t, decision& d) const noexcept;
  /// Like `evaluate(t, d)`, and also records in `trace` every rule that matched, per
  /// output (all matching rules, even those a `first` output did not need).
  void evaluate(const ticket& t, decision& d, evaluation_trace& trace) const noexcept;
  /// Evaluates `tickets[i]` into `out[i]` for every i below the smaller size.
  void evaluate(std::span<const ticket> tickets, std::span<decision> out) const noexcept;

  /// Returns true when `c` accepts the ticket's value for the cell's subject; outputs are
  /// read from `d`, which must hold this ticket's decision (tools such as `explain` use
  /// this to find the first cell of a row that fails).
  [[nodiscard]] bool cell_accepts(const cell& c, const ticket& t,
                                  const decision& d) const noexcept;

 private:
  friend struct detail::policy_access;
  policy() = default;

  std::shared_ptr<const source_file> source_;
  triage::model model_;
  decision_table table_;
  // Evaluation data derived from the model and table; see src/eval/.
  struct runtime;
  std::unique_ptr<const runtime> runtime_;
};

/// The outcome of compiling a policy.
struct compile_result {
  /// Engaged iff there is no error-severity diagnostic.
  std::shared_ptr<const policy> value;
  /// Parse, check and table diagnostics, in that order; warnings may be present either way.
  diagnostics issues;
  /// The text the diagnostics point into (always set; empty when a file could not be read).
  std::shared_ptr<const source_file> source;
  [[nodiscard]] bool ok() const noexcept { return value != nullptr; }
};

/// Compiles a policy from its source: parse, check, build the decision tables.
[[nodiscard]] compile_result compile(source_file source, const limits& lim = {});
/// Compiles a policy from text; `name` is used in diagnostics.
[[nodiscard]] compile_result compile(std::string_view text, std::string_view name,
                                     const limits& lim = {});
/// Compiles the policy in a file. A file that cannot be read, or is larger than
/// `lim.max_file_bytes`, gives an error diagnostic (`syntax` with "cannot read file 'PATH':
/// REASON", or `limit-exceeded`), never an exception.
[[nodiscard]] compile_result compile_file(const std::filesystem::path& path,
                                          const limits& lim = {});
/// Compiles an already checked model (for tools and tests that build models directly);
/// `issues` are earlier diagnostics to carry into the result.
[[nodiscard]] compile_result compile_model(triage::model m, source_file source,
                                           diagnostics issues = {}, const limits& lim = {});

}  // namespace triage

#include "triage/decision.hpp"
#include "triage/ticket.hpp"

#endif  // TRIAGE_POLICY_HPP
