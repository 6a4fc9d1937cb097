// triage — the syntax tree of a `.rules` file, as the parser produces it.
//
// The tree records what was written, with byte spans into the `source_file`; it is not
// yet checked: names are unresolved and literals are not yet matched against types.
// The parser is deliberately permissive where a precise message is better given by the
// checker (an output declared `bool`, `default` with `collect`, a list where one value is
// expected); the grammar only rejects what cannot be read at all.
#ifndef TRIAGE_AST_HPP
#define TRIAGE_AST_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "triage/source.hpp"

namespace triage::ast {

/// A name as written: a field, output, let, label or enum member.
struct identifier {
  std::string text;
  span where;
};

/// The type names of the language. `flag` is only valid for outputs, `bool`, `number`,
/// `duration` and `tags` only for fields; the checker enforces that.
enum class type_name : std::uint8_t { boolean, integer, number, duration, string, tags, enumeration, flag };

/// A type as written in a declaration: `int`, `enum { low, high }`, ...
struct type_spec {
  type_name name = type_name::boolean;
  std::vector<identifier> members;  ///< enum members in declaration order (enum only)
  span where;
};

/// What a literal looked like in the source.
enum class literal_kind : std::uint8_t {
  boolean,   ///< `true` / `false`
  integer,   ///< `42`, `-7`
  number,    ///< `2.5`
  duration,  ///< `1h30m`, `-15m` (value in whole seconds)
  string,    ///< `"text"` (value unescaped)
  name,      ///< a bare identifier: an enum member such as `high` or `P1`
};

/// A literal value. Exactly one of the value members is meaningful, chosen by `kind`:
/// `boolean`; `integer` (integer and duration seconds); `number`; `text` (string content
/// after unescaping, or the identifier of a `name`).
/// `valid` is false when the literal could not be represented (integer or duration
/// overflow, units out of order, a bad escape): an `invalid-literal` error was already
/// reported and later stages must not report again about this literal.
struct literal {
  literal_kind kind = literal_kind::integer;
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0.0;
  std::string text;
  bool valid = true;
  span where;
};

/// `field NAME: TYPE [required]`
struct field_decl {
  identifier name;
  type_spec type;
  std::optional<span> required;  ///< span of the `required` keyword, when present
  span where;                    ///< the whole declaration
};

/// The hit-policy keywords of an output declaration.
enum class hit_keyword : std::uint8_t { first, max, min, unique, collect, sum };

/// `output NAME: OTYPE [POLICY] [default VALUE] [complete]`
/// The parser accepts `default` and `complete` together (in either order) so that the
/// checker can explain why that is invalid.
struct output_decl {
  identifier name;
  type_spec type;
  std::optional<hit_keyword> policy;
  span policy_where;                    ///< span of the policy keyword, when present
  std::optional<literal> default_value; ///< the value after `default`
  std::optional<span> default_keyword;  ///< span of `default`
  std::optional<span> complete;         ///< span of `complete`
  span where;
};

/// The kinds of condition nodes.
enum class condition_kind : std::uint8_t {
  any_of,   ///< `a or b or ...`  (two or more operands)
  all_of,   ///< `a and b and ...` (two or more operands)
  negate,   ///< `not a`           (one operand)
  name,     ///< a bare name: a bool field, a flag output or a let
  compare,  ///< `subject OP value` or `subject OP [list]`
};

/// Comparison operators, as written.
enum class compare_op : std::uint8_t {
  eq, ne, lt, le, gt, ge,          ///< == != < <= > >=
  in, not_in,                      ///< in, not in
  contains, starts_with, ends_with,
  has, has_any, has_all,           ///< has, has any, has all
  is_missing, is_present,          ///< is missing, is present (no values)
};

/// Returns an operator as it is written in a policy, e.g. "not in", "has any".
[[nodiscard]] constexpr std::string_view op_text(compare_op op) noexcept {
  switch (op) {
    case compare_op::eq: return "==";
    case compare_op::ne: return "!=";
    case compare_op::lt: return "<";
    case compare_op::le: return "<=";
    case compare_op::gt: return ">";
    case compare_op::ge: return ">=";
    case compare_op::in: return "in";
    case compare_op::not_in: return "not in";
    case compare_op::contains: return "contains";
    case compare_op::starts_with: return "starts_with";
    case compare_op::ends_with: return "ends_with";
    case compare_op::has: return "has";
    case compare_op::has_any: return "has any";
    case compare_op::has_all: return "has all";
    case compare_op::is_missing: return "is missing";
    case compare_op::is_present: return "is present";
  }
  return "?";
}

/// A condition. `and`/`or` chains are flat (n-ary), so the tree's depth is bounded by
/// the nesting of parentheses and `not`, which the parser limits (`limits::max_nesting`).
struct condition {
  condition_kind kind = condition_kind::name;
  span where;
  std::vector<condition> operands;  ///< any_of / all_of / negate
  identifier subject;               ///< name / compare: the field, output or let named
  compare_op op = compare_op::eq;   ///< compare only
  span op_where;                    ///< compare only: the operator's span
  std::vector<literal> values;      ///< compare only: the right side (empty for is_*)
  bool is_list = false;             ///< compare only: the right side was written `[...]`
};

/// `let NAME = COND`
struct let_decl {
  identifier name;
  condition cond;
  span where;
};

/// `[LABEL :] OUTPUT if COND [-> VALUE]`
struct rule {
  std::optional<identifier> label;
  identifier output;
  condition cond;
  std::optional<literal> value;  ///< the literal after `->`
  std::optional<span> arrow;     ///< span of `->`
  span where;                    ///< the whole rule
};

/// One `NAME = VALUE`, `NAME = [V, ...]` or (in `expect` only) `NAME is missing`.
struct assignment {
  identifier name;
  std::vector<literal> values;
  bool is_list = false;
  bool is_missing = false;
  span where;
};

/// `test "NAME" { given ... expect ... }`
struct test_block {
  std::string name;        ///< unescaped
  span name_where;
  std::vector<assignment> given;
  std::vector<assignment> expect;
  span where;
};

/// A whole `.rules` file. Each list is in source order.
struct policy {
  std::vector<field_decl> fields;
  std::vector<output_decl> outputs;
  std::vector<let_decl> lets;
  std::vector<rule> rules;
  std::vector<test_block> tests;
};

}  // namespace triage::ast

#endif  // TRIAGE_AST_HPP
