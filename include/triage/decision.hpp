// triage — decisions: the outputs a policy decided for one ticket, and traces.
//
// A `decision` is bound to one policy and reused across tickets: `policy::evaluate`
// overwrites it without allocating. Values are read per output through an
// `output_handle`:
//
//   triage::decision d{pol};
//   pol->evaluate(t, d);
//   d.present(priority);        // false when no rule matched and there is no default
//   d.text(priority);           // "P1" (enum member name, or a string output's text)
//   d.member(priority);         // 0 (member index)
//   d.flag(urgent);             // true
//   d.integer(risk);            // 10
//   d.collected(notify);        // {"on_call"} in first-match order
//   d.to_json();                // {"priority": "P1", ..., "risk": 10}
#ifndef TRIAGE_DECISION_HPP
#define TRIAGE_DECISION_HPP

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "triage/policy.hpp"

namespace triage {

/// The decided outputs for one ticket. Views it returns (`text`, `collected`) point into
/// the policy and stay valid as long as the policy lives.
class decision {
 public:
  /// Makes an empty decision for `p` (every output absent). `p` must not be null.
  explicit decision(std::shared_ptr<const triage::policy> p);

  /// Returns the policy that made (or will make) this decision.
  [[nodiscard]] const std::shared_ptr<const triage::policy>& owner() const noexcept {
    return owner_;
  }
  /// Returns false when the last evaluation was given a ticket of another policy.
  [[nodiscard]] bool valid() const noexcept { return valid_; }

  /// Returns true when the output has a value: a rule matched or a default applied.
  /// Flags, `collect` and `sum` outputs are always present.
  [[nodiscard]] bool present(output_handle o) const noexcept {
    return o.index() < slots_.size() && slots_[o.index()].present;
  }
  /// Returns a flag output's value.
  [[nodiscard]] bool flag(output_handle o) const noexcept { return present(o) && slots_[o.index()].number != 0; }
  /// Returns an `int` output's value (0 when absent).
  [[nodiscard]] std::int64_t integer(output_handle o) const noexcept {
    return present(o) ? slots_[o.index()].number : 0;
  }
  /// Returns an `enum` output's member index (`no_index` when absent).
  [[nodiscard]] std::uint32_t member(output_handle o) const noexcept {
    return present(o) ? static_cast<std::uint32_t>(slots_[o.index()].number) : no_index;
  }
  /// Returns an `enum` output's member name or a `string` output's text (empty when absent).
  [[nodiscard]] std::string_view text(output_handle o) const noexcept {
    return present(o) ? slots_[o.index()].text : std::string_view{};
  }
  /// Returns a `collect` output's values in first-match order, without duplicates (enum
  /// member names or strings).
  [[nodiscard]] std::span<const std::string_view> collected(output_handle o) const noexcept {
    if (o.index() >= slots_.size()) return {};
    return slots_[o.index()].texts;
  }
  /// Returns a `collect` output's values as ids: enum member indices, or for strings
  /// indices into `policy::table().symbols`. Same order as `collected`.
  [[nodiscard]] std::span<const std::uint32_t> collected_ids(output_handle o) const noexcept {
    if (o.index() >= slots_.size()) return {};
    return slots_[o.index()].ids;
  }

  /// Returns the decision as the `rulecheck eval` JSON object: every output in declaration
  /// order; enum and string values as strings, `int` as a number, flags as booleans,
  /// `collect` as an array, `null` for an absent output.
  [[nodiscard]] std::string to_json() const;
  /// Appends `to_json()`'s text to `out` (reusing its capacity).
  void append_json(std::string& out) const;

 private:
  friend class triage::policy;
  friend struct detail::policy_access;
  friend struct detail::subject_reader;
  // One output's value. `number` holds a flag (0/1), an int or an enum member index.
  struct slot {
    bool present = false;
    std::int64_t number = 0;
    std::string_view text;
    std::vector<std::string_view> texts;  // collect: capacity reserved for every value
    std::vector<std::uint32_t> ids;       // collect: same order as `texts`
    std::vector<std::uint64_t> seen;      // collect: bitset of ids already added
  };
  void bind(const std::shared_ptr<const triage::policy>& p);

  std::shared_ptr<const triage::policy> owner_;
  std::vector<slot> slots_;
  bool valid_ = true;
};

/// The rules that matched, per output, in the last evaluation given this trace. Reusable
/// like a decision (no allocation after the first use with a policy).
class evaluation_trace {
 public:
  evaluation_trace() = default;
  /// Returns the matching rules of an output as indices into `model::rules`, in source
  /// order (names: `model().rules[i].name`).
  [[nodiscard]] std::span<const std::uint32_t> matched(output_handle o) const noexcept {
    if (o.index() >= matched_.size()) return {};
    return matched_[o.index()];
  }

 private:
  friend class triage::policy;
  friend struct detail::policy_access;
  const triage::policy* owner_ = nullptr;
  std::vector<std::vector<std::uint32_t>> matched_;
};

}  // namespace triage

#endif  // TRIAGE_DECISION_HPP
