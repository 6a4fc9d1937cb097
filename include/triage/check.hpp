// triage — stage 2: syntax tree → checked model.
//
// The checker resolves every name, types every condition and literal against the
// schema the policy declares, and orders outputs by their dependencies. Its output, the
// `model`, is what the compiler (decision tables), the reference interpreter, the test
// runner and the analysis read: names are indices, literals are typed values, and
// nothing in it can be ill-typed.
#ifndef TRIAGE_CHECK_HPP
#define TRIAGE_CHECK_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "triage/ast.hpp"
#include "triage/diagnostic.hpp"
#include "triage/limits.hpp"
#include "triage/source.hpp"

namespace triage {

/// The types a field may have.
enum class field_type : std::uint8_t { boolean, integer, number, duration, string, tags, enumeration };

/// The types an output may have.
enum class output_type : std::uint8_t { flag, enumeration, string, integer };

/// How an output combines the values of its matching rules (language reference 3.2).
/// `flag` outputs use `any`: true when some rule matches.
enum class hit_policy : std::uint8_t { any, first, max, min, unique, collect, sum };

/// An enum declaration's members, in declaration order (the order they compare in).
/// Every `enum { ... }` written in a policy is its own declaration, even when two list
/// the same members: comparing values of two declarations is a type error.
struct enum_def {
  std::vector<std::string> members;
};

/// A typed scalar value. Which alternative is held depends on the type it belongs to:
///   bool                         → boolean, flag
///   std::int64_t                 → integer; duration (seconds); enumeration (member index)
///   double                       → number (also an `int` field compared with a number literal)
///   std::string                  → string (UTF-8)
using scalar = std::variant<bool, std::int64_t, double, std::string>;

inline constexpr std::uint32_t no_index = 0xFFFF'FFFFu;

/// A field of the ticket schema. Its position in `model::fields` is its index.
struct field_def {
  std::string name;
  field_type type = field_type::boolean;
  std::uint32_t enum_index = no_index;  ///< into `model::enums`, for enumeration fields
  bool required = false;
  span where;                           ///< the field's name in its declaration
};

/// An output the policy decides. Its position in `model::outputs` is its index.
struct output_def {
  std::string name;
  output_type type = output_type::flag;
  hit_policy policy = hit_policy::any;
  std::uint32_t enum_index = no_index;   ///< into `model::enums`, for enumeration outputs
  std::optional<scalar> default_value;   ///< engaged when declared with `default`
  bool complete = false;
  std::vector<std::uint32_t> rules;      ///< indices into `model::rules`, in source order
  std::vector<std::uint32_t> reads;      ///< outputs its rules' conditions read (sorted, unique)
  span where;                            ///< the output's name in its declaration
};

/// Operators of a checked comparison. `truthy` is a bare bool field or flag output.
enum class atom_op : std::uint8_t {
  truthy,
  eq, ne, lt, le, gt, ge,
  in, not_in,
  contains, starts_with, ends_with,
  has, has_any, has_all,
  is_missing, is_present,
};

/// What a comparison reads: a field of the ticket or an output decided earlier.
struct subject_ref {
  enum class kind : std::uint8_t { field, output };
  kind of = kind::field;
  std::uint32_t index = 0;  ///< into `model::fields` or `model::outputs`
  friend bool operator==(const subject_ref&, const subject_ref&) = default;
};

/// One typed comparison. `values` holds the right side (one value for single-valued
/// operators, one or more for `in`, `not in`, `has any`, `has all`, none for `truthy`,
/// `is missing` and `is present`). Values are already converted to the subject's type
/// (enum members to their index, durations to seconds; for `contains`, `starts_with`
/// and `ends_with` the needle is kept as written: matching is ASCII case-insensitive).
/// An `int` subject compared with a number literal holds a `double`.
struct atom {
  subject_ref subject;
  atom_op op = atom_op::truthy;
  std::vector<scalar> values;
  span where;
};

/// A checked condition. `let_ref` stands for the named condition `model::lets[let_index]`
/// (lets are kept by reference so that chains of lets never expand exponentially).
struct expr {
  enum class kind : std::uint8_t { atom, all_of, any_of, negate, let_ref };
  kind of = kind::atom;
  std::vector<expr> operands;  ///< all_of / any_of (two or more), negate (one)
  triage::atom test;           ///< atom only
  std::uint32_t let_index = no_index;
  span where;
};

/// `let NAME = COND`, checked. A let only refers to lets declared before it.
struct let_def {
  std::string name;
  expr condition;
  span where;
};

/// A rule, checked. `value` is engaged for every output type but `flag`.
struct rule_def {
  std::uint32_t output = 0;          ///< into `model::outputs`
  std::optional<std::string> label;  ///< when the rule has `LABEL:`
  std::string name;                  ///< the label, or "file:line" when there is none
  expr condition;
  std::optional<scalar> value;
  span where;
};

/// `given FIELD = VALUE` in a test: one value, or several for a tags field.
struct test_input {
  std::uint32_t field = 0;
  std::vector<scalar> values;
  span where;
};

/// `expect OUTPUT = VALUE` in a test. `expect_missing` is `OUTPUT is missing`. A collect
/// output's expected values compare as a set.
struct test_expectation {
  std::uint32_t output = 0;
  bool expect_missing = false;
  std::vector<scalar> values;
  span where;
};

/// A `test` block, checked.
struct test_def {
  std::string name;
  std::vector<test_input> given;
  std::vector<test_expectation> expect;
  span where;
};

/// A checked policy: everything later stages need, with names resolved to indices.
struct model {
  std::vector<enum_def> enums;
  std::vector<field_def> fields;
  std::vector<output_def> outputs;
  std::vector<let_def> lets;
  std::vector<rule_def> rules;        ///< in source order
  std::vector<test_def> tests;
  std::vector<std::uint32_t> evaluation_order;  ///< output indices, dependencies first
};

/// The outcome of checking one syntax tree.
struct check_result {
  std::optional<model> value;  ///< engaged iff no error-severity diagnostic
  diagnostics issues;          ///< warnings may be present either way
  [[nodiscard]] bool ok() const noexcept { return value.has_value(); }
};

/// Checks a parsed policy against its own schema (language reference sections 3 and 5,
/// all but the analysis that reasons about conditions). Never throws for bad input.
[[nodiscard]] check_result check(const ast::policy& tree, const source_file& source,
                                 const limits& lim = {});

/// Parses and checks in one step; diagnostics of both stages are returned together.
[[nodiscard]] check_result parse_and_check(const source_file& source, const limits& lim = {});

}  // namespace triage

#endif  // TRIAGE_CHECK_HPP
