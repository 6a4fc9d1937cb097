// triage — stage 3: checked model → decision tables.
//
// A decision table is the explicit, inspectable form of a policy that `rulecheck table`
// prints, the static analysis reasons on (shadowing, overlap, gaps) and the evaluator
// runs. There is one `output_table` per output, holding its hit policy, its default and
// one `table_row` per rule, or per disjunct of a rule whose condition has `or`: conditions
// are converted to disjunctive normal form with negations pushed down to the comparisons
// and every `let` expanded in place.
//
// A row is a conjunction of `cell`s, at most one per subject (a field, or an output decided
// earlier). A cell is the exact set of values its subject may have for the row to match,
// plus whether a missing value (a missing field, an absent output) is accepted:
//
//   sla >= 2h           → { [7200, max] }                         missing rejected
//   not (sla < 2h)      → { [7200, max] }                         missing accepted
//   urgency in [high, critical] → members {2, 3}                  missing rejected
//   urgency != low      → members {1, 2, 3}                       missing rejected
//   tags has any ["vpn", "dns"] → at least one of {vpn, dns}      missing rejected
//
// Identical disjuncts of one rule are kept once (`not (a and a)` is one row). An `int`
// compared with a number literal gets exact integer bounds (`reopened < 2.5` is
// `reopened <= 2`; `reopened == 2.5` accepts nothing), i.e. int and number compare as
// mathematical values, never through a rounding conversion.
//
// Cells are exact: a row matches a ticket if and only if every cell accepts the ticket's
// value (or its absence) for that cell's subject; a subject without a cell is
// unconstrained. Rows whose cells are visibly contradictory (`sla < 1h and sla > 2h`, a tag
// both required and forbidden, `f is missing and f is present`) are kept, in place, and
// marked `contradictory`: they never match. The mark is sound but not complete: a row whose
// string or tag tests cannot all hold together may go unmarked; the analysis decides those.
//
// Example:
//   triage::check_result checked = triage::parse_and_check(src);
//   triage::table_result t = triage::build_table(*checked.value);
//   for (const triage::output_table& out : t.value->outputs)
//     for (const triage::table_row& row : out.rows)
//       for (const triage::cell& c : row.cells)
//         std::puts(triage::cell_text(c, *checked.value, *t.value).c_str());   // ">= 2h"
#ifndef TRIAGE_TABLE_HPP
#define TRIAGE_TABLE_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "triage/check.hpp"
#include "triage/diagnostic.hpp"
#include "triage/limits.hpp"

namespace triage {

/// How a cell's value set is represented; follows from the subject's type:
///   boolean      bool fields, flag outputs
///   integer      int and duration fields, int outputs (closed int64 ranges)
///   number       number fields (double ranges with open or closed ends)
///   enumeration  enum fields and enum outputs that are not `collect` (member indices)
///   string       string fields and string outputs that are not `collect`
///   tags         tags fields and `collect` outputs (sets of symbols)
enum class cell_kind : std::uint8_t { boolean, integer, number, enumeration, string, tags };

/// A closed range of integers [lo, hi] (lo <= hi). Strict bounds are normalised, so
/// `reopened > 2` is [3, INT64_MAX] and `reopened < 2.5` is [INT64_MIN, 2].
struct int_range {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  friend bool operator==(const int_range&, const int_range&) = default;
};

/// A range of reals; an end at ±infinity means unbounded on that side.
struct real_range {
  double lo = 0.0;
  double hi = 0.0;
  bool lo_open = false;  ///< the range excludes `lo`
  bool hi_open = false;  ///< the range excludes `hi`
  friend bool operator==(const real_range&, const real_range&) = default;
};

/// The substring tests of string cells (ASCII case-insensitive).
enum class text_op : std::uint8_t { contains, starts_with, ends_with };

/// One substring test; `negated` when the value must fail it (`not f contains "x"`).
struct text_test {
  text_op op = text_op::contains;
  std::string needle;  ///< as written in the policy
  bool negated = false;
  friend bool operator==(const text_test&, const text_test&) = default;
};

/// The constraint a row puts on one subject. Only the members of `kind` are meaningful,
/// and only when `accepts_present` is true. The cell accepts a ticket when the subject is
/// missing and `accepts_missing`, or when it is present, `accepts_present`, and its value
/// satisfies the members below:
///
///   boolean      `booleans`: bit 0 accepts false, bit 1 accepts true
///   integer      `ints`: sorted, disjoint, non-adjacent ranges; the value is in one
///   number       `reals`: sorted, disjoint ranges; the value is in one
///   enumeration  `members`: sorted member indices; the value is one of them
///   string       `one_of` (when engaged, the value equals one of these), `none_of` (the
///                value equals none of these), `tests` (every test holds)
///   tags         symbols (ids described by `decision_table::symbols`): every `required`
///                one is in the set, no `forbidden` one is, each `any_of` group has a member
///                in the set, each `not_all_of` group has a member outside the set
struct cell {
  subject_ref subject;
  cell_kind kind = cell_kind::boolean;
  bool accepts_missing = false;  ///< a missing field or absent output satisfies the cell
  bool accepts_present = true;   ///< false: no present value does (e.g. `f is missing`)

  std::uint8_t booleans = 0b11;
  std::vector<int_range> ints;
  std::vector<real_range> reals;
  std::vector<std::uint32_t> members;
  std::optional<std::vector<std::string>> one_of;
  std::vector<std::string> none_of;
  std::vector<text_test> tests;
  std::vector<std::uint32_t> required;
  std::vector<std::uint32_t> forbidden;
  std::vector<std::vector<std::uint32_t>> any_of;
  std::vector<std::vector<std::uint32_t>> not_all_of;

  /// Returns true when the cell visibly accepts nothing (see the header comment).
  [[nodiscard]] bool empty() const noexcept { return !accepts_missing && !accepts_present; }
  friend bool operator==(const cell&, const cell&) = default;
};

/// One row of an output's table: one disjunct of one rule's condition.
struct table_row {
  std::uint32_t rule = 0;      ///< index into `model::rules` (its name: `model::rules[rule].name`)
  std::uint32_t disjunct = 0;  ///< 0-based position of this row among its rule's rows
  std::optional<scalar> value; ///< the rule's `-> VALUE` (disengaged for flags)
  std::vector<cell> cells;     ///< sorted by subject: fields by index, then outputs by index
  bool contradictory = false;  ///< some cell is `empty()`: the row can never match
};

/// The decision table of one output.
struct output_table {
  std::uint32_t output = 0;             ///< index into `model::outputs`
  hit_policy policy = hit_policy::any;
  std::optional<scalar> default_value;  ///< as declared
  std::vector<subject_ref> columns;     ///< every subject some row tests, in cell order
  std::vector<table_row> rows;          ///< rules in source order, a rule's disjuncts together
};

/// The decision tables of a whole policy.
///
/// Tags and the values of `collect` outputs are sets; their cells name elements by
/// symbol id. For a tags field and a `collect string` output an id indexes `symbols` (the
/// text of every tag and collect value the policy mentions, in first-mention order); for
/// a `collect enum` output it is the member index.
struct decision_table {
  std::vector<output_table> outputs;  ///< in `model::outputs` order (index = output index)
  std::vector<std::string> symbols;
  /// Returns the number of rows over all outputs.
  [[nodiscard]] std::size_t row_count() const noexcept {
    std::size_t n = 0;
    for (const output_table& out : outputs) n += out.rows.size();
    return n;
  }
};

/// The outcome of building decision tables.
struct table_result {
  std::optional<decision_table> value;  ///< engaged iff no error
  diagnostics issues;                   ///< `limit-exceeded` when rows exceed the limit
  [[nodiscard]] bool ok() const noexcept { return value.has_value(); }
};

/// Builds the decision tables of a checked model. The only error is `limit-exceeded`,
/// reported at the first rule whose rows take the total past `lim.max_table_rows`.
/// Never throws for bad input; time and memory are bounded by the row limit.
[[nodiscard]] table_result build_table(const model& m, const limits& lim = {});

/// Returns a cell as the short text `rulecheck table` prints, e.g. `>= 2h`,
/// `in {high, critical}`, `== "vpn"`, `has vpn, not has wifi`, `true`, `missing`,
/// `present`; `-` is never returned (a subject without a cell prints as `-`). When a cell
/// also accepts missing values, ` or missing` is appended (`< 2h or missing`).
[[nodiscard]] std::string cell_text(const cell& c, const model& m, const decision_table& t);

/// Returns the name of a subject ("sla", "priority").
[[nodiscard]] std::string_view subject_name(const model& m, subject_ref s) noexcept;

/// Returns a value of an output or field as policy text: `P1`, `42`, `"text"`, `1h30m`,
/// `2.5`, `true`. `enum_index` is the subject's enum (or `no_index`), `is_duration`
/// selects duration formatting for int64 values.
[[nodiscard]] std::string value_text(const model& m, const scalar& v,
                                     std::uint32_t enum_index = no_index,
                                     bool is_duration = false);

/// Formats seconds as a duration literal: 0 → `0s`, 5400 → `1h30m`, -900 → `-15m`,
/// 604800 → `1w`.
[[nodiscard]] std::string format_duration(std::int64_t seconds);

}  // namespace triage

#endif  // TRIAGE_TABLE_HPP
