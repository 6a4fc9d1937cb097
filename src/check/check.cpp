// The checker: resolves names, types conditions and literals against the policy's own
// schema, and orders outputs by their dependencies (language reference 3 and 5).
//
// Decisions the reference leaves open, made here:
// - `is missing` / `is present` apply to every field, and to outputs that can be absent
//   (enum, string or int outputs with `first`, `max`, `min` or `unique` and no default).
//   On a flag, collect, sum or defaulted output they could never change, so they are a
//   `type-mismatch` that says why.
// - An enum listing a member twice, a test name used twice and a field or output named
//   twice in one `given` / `expect` are `duplicate-declaration`s.
// - `given` accepts one string or a list for a tags field; `expect` accepts one value or
//   a list for a collect output.
// - A let may use only names (fields and outputs too) declared before it; rules may use
//   every name wherever it is declared.
// - A comparison's left side that is an unknown name is reported as an unknown field, or
//   as an unknown output when the closest declared name is an output.
// - `unused-declaration` warnings are given only when the checker found no error: they
//   describe a policy that compiles, and on a broken one they mostly echo the errors.
// - Reserved words used as names are reported by the parser, not here.
#include "triage/check.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "check/order.hpp"
#include "check/suggest.hpp"
#include "triage/parse.hpp"

namespace triage {
namespace detail {
namespace {

// A name of the namespace that fields, outputs and lets share.
struct declared {
  enum class kind : std::uint8_t { field, output, let };
  kind of = kind::field;
  std::uint32_t index = 0;
  span where;  // the name in its declaration
};

// The type one literal must have once converted.
enum class value_kind : std::uint8_t { boolean, integer, number, duration, string, enumeration };

struct value_type {
  value_kind kind = value_kind::boolean;
  std::uint32_t enum_index = no_index;
};

// The left side of a comparison, as far as typing needs it.
struct subject_info {
  subject_ref ref;
  value_type element;        // the type of one value (of one element for sets)
  bool is_set = false;       // a tags field or a collect output
  bool usable = true;        // false when its declaration is invalid (already reported)
  std::string_view never_absent;  // why an output always has a value; empty if it may be absent
};

// What one condition mentions, collected while it is checked.
struct uses {
  std::vector<std::uint32_t> fields;
  std::vector<std::pair<std::uint32_t, span>> outputs;  // output, where it is read
  std::vector<std::pair<std::uint32_t, span>> lets;     // let, where it is used
};

std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  out += text;
  out += '\'';
  return out;
}

atom_op to_atom_op(ast::compare_op op) noexcept {
  switch (op) {
    case ast::compare_op::eq: return atom_op::eq;
    case ast::compare_op::ne: return atom_op::ne;
    case ast::compare_op::lt: return atom_op::lt;
    case ast::compare_op::le: return atom_op::le;
    case ast::compare_op::gt: return atom_op::gt;
    case ast::compare_op::ge: return atom_op::ge;
    case ast::compare_op::in: return atom_op::in;
    case ast::compare_op::not_in: return atom_op::not_in;
    case ast::compare_op::contains: return atom_op::contains;
    case ast::compare_op::starts_with: return atom_op::starts_with;
    case ast::compare_op::ends_with: return atom_op::ends_with;
    case ast::compare_op::has: return atom_op::has;
    case ast::compare_op::has_any: return atom_op::has_any;
    case ast::compare_op::has_all: return atom_op::has_all;
    case ast::compare_op::is_missing: return atom_op::is_missing;
    case ast::compare_op::is_present: return atom_op::is_present;
  }
  return atom_op::eq;
}

bool takes_list(ast::compare_op op) noexcept {
  return op == ast::compare_op::in || op == ast::compare_op::not_in ||
         op == ast::compare_op::has_any || op == ast::compare_op::has_all;
}

bool takes_nothing(ast::compare_op op) noexcept {
  return op == ast::compare_op::is_missing || op == ast::compare_op::is_present;
}

bool is_ordering(ast::compare_op op) noexcept {
  return op == ast::compare_op::lt || op == ast::compare_op::le || op == ast::compare_op::gt ||
         op == ast::compare_op::ge;
}

bool is_text_search(ast::compare_op op) noexcept {
  return op == ast::compare_op::contains || op == ast::compare_op::starts_with ||
         op == ast::compare_op::ends_with;
}

bool is_set_test(ast::compare_op op) noexcept {
  return op == ast::compare_op::has || op == ast::compare_op::has_any ||
         op == ast::compare_op::has_all;
}

std::string_view type_word(ast::type_name t) noexcept {
  switch (t) {
    case ast::type_name::boolean: return "bool";
    case ast::type_name::integer: return "int";
    case ast::type_name::number: return "number";
    case ast::type_name::duration: return "duration";
    case ast::type_name::string: return "string";
    case ast::type_name::tags: return "tags";
    case ast::type_name::enumeration: return "enum";
    case ast::type_name::flag: return "flag";
  }
  return "?";
}

std::string_view policy_word(ast::hit_keyword k) noexcept {
  switch (k) {
    case ast::hit_keyword::first: return "first";
    case ast::hit_keyword::max: return "max";
    case ast::hit_keyword::min: return "min";
    case ast::hit_keyword::unique: return "unique";
    case ast::hit_keyword::collect: return "collect";
    case ast::hit_keyword::sum: return "sum";
  }
  return "?";
}

hit_policy to_policy(ast::hit_keyword k) noexcept {
  switch (k) {
    case ast::hit_keyword::first: return hit_policy::first;
    case ast::hit_keyword::max: return hit_policy::max;
    case ast::hit_keyword::min: return hit_policy::min;
    case ast::hit_keyword::unique: return hit_policy::unique;
    case ast::hit_keyword::collect: return hit_policy::collect;
    case ast::hit_keyword::sum: return hit_policy::sum;
  }
  return hit_policy::first;
}

// Language reference 3.2: the policies each output type allows.
bool policy_allowed(output_type t, ast::hit_keyword k) noexcept {
  switch (t) {
    case output_type::flag: return false;
    case output_type::enumeration:
      return k != ast::hit_keyword::sum;
    case output_type::string:
      return k == ast::hit_keyword::first || k == ast::hit_keyword::unique ||
             k == ast::hit_keyword::collect;
    case output_type::integer:
      return k != ast::hit_keyword::collect;
  }
  return false;
}

std::string_view allowed_policies(output_type t) noexcept {
  switch (t) {
    case output_type::flag: return "none";
    case output_type::enumeration: return "first, max, min, unique or collect";
    case output_type::string: return "first, unique or collect";
    case output_type::integer: return "first, max, min, unique or sum";
  }
  return "none";
}

void sort_unique(std::vector<std::uint32_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

class checker {
 public:
  checker(const ast::policy& tree, const source_file& source, const limits& lim)
      : tree_(tree), source_(source), limits_(lim) {}

  check_result run() {
    declare_names();
    check_fields();
    check_outputs();
    index_enums();
    check_defaults();
    check_lets();
    check_rules();
    check_tests();
    check_sums();
    order_outputs();
    // A misspelt field would otherwise also be reported as unused.
    if (!has_errors(issues_)) report_unused();
    // Report in source order, as a compiler does; ties keep the order found.
    std::stable_sort(issues_.begin(), issues_.end(), [](const diagnostic& a, const diagnostic& b) {
      return a.where.begin < b.where.begin;
    });
    check_result result;
    if (!has_errors(issues_)) result.value = std::move(model_);
    result.issues = std::move(issues_);
    return result;
  }

 private:
  // ---- reporting ---------------------------------------------------------------------

  diagnostic& report(diagnostic_code code, span where, std::string message) {
    issues_.push_back(make_diagnostic(code, where, std::move(message)));
    return issues_.back();
  }

  static void add_note(diagnostic& d, span where, std::string message) {
    d.notes.push_back({where, std::move(message)});
  }

  // "integer '90'", "name 'hgih'": a literal as the user wrote it.
  std::string describe(const ast::literal& lit) const {
    std::string_view kind;
    switch (lit.kind) {
      case ast::literal_kind::boolean: kind = "boolean"; break;
      case ast::literal_kind::integer: kind = "integer"; break;
      case ast::literal_kind::number: kind = "number"; break;
      case ast::literal_kind::duration: kind = "duration"; break;
      case ast::literal_kind::string: kind = "string"; break;
      case ast::literal_kind::name: kind = "name"; break;
    }
    return std::string(kind) + " " + quoted(source_.text_of(lit.where));
  }

  std::string expected_text(value_type t) const {
    switch (t.kind) {
      case value_kind::boolean: return "true or false";
      case value_kind::integer: return "an integer";
      case value_kind::number: return "a number";
      case value_kind::duration: return "a duration";
      case value_kind::string: return "a string";
      case value_kind::enumeration: return "a member of enum " + quoted(enum_owner_[t.enum_index]);
    }
    return "a value";
  }

  // ---- declarations ------------------------------------------------------------------

  // Fields, outputs and lets share one namespace; the first declaration of a name (in
  // source order) is the one every use refers to.
  void declare_names() {
    std::vector<declared> all;
    all.reserve(tree_.fields.size() + tree_.outputs.size() + tree_.lets.size());
    for (std::size_t i = 0; i < tree_.fields.size(); ++i) {
      all.push_back({declared::kind::field, static_cast<std::uint32_t>(i), tree_.fields[i].name.where});
    }
    for (std::size_t i = 0; i < tree_.outputs.size(); ++i) {
      all.push_back({declared::kind::output, static_cast<std::uint32_t>(i), tree_.outputs[i].name.where});
    }
    for (std::size_t i = 0; i < tree_.lets.size(); ++i) {
      all.push_back({declared::kind::let, static_cast<std::uint32_t>(i), tree_.lets[i].name.where});
    }
    std::stable_sort(all.begin(), all.end(), [](const declared& a, const declared& b) {
      return a.where.begin < b.where.begin;
    });
    field_duplicate_.assign(tree_.fields.size(), false);
    output_duplicate_.assign(tree_.outputs.size(), false);
    let_duplicate_.assign(tree_.lets.size(), false);
    names_.reserve(all.size());
    for (const declared& d : all) {
      const std::string_view name = name_of(d);
      const auto [it, inserted] = names_.emplace(name, d);
      if (inserted) continue;
      diagnostic& diag = report(diagnostic_code::duplicate_declaration, d.where,
                                quoted(name) + " is already declared as " + kind_article(it->second));
      add_note(diag, it->second.where, quoted(name) + " is first declared here");
      switch (d.of) {
        case declared::kind::field: field_duplicate_[d.index] = true; break;
        case declared::kind::output: output_duplicate_[d.index] = true; break;
        case declared::kind::let: let_duplicate_[d.index] = true; break;
      }
    }
  }

  std::string_view name_of(const declared& d) const {
    switch (d.of) {
      case declared::kind::field: return tree_.fields[d.index].name.text;
      case declared::kind::output: return tree_.outputs[d.index].name.text;
      case declared::kind::let: return tree_.lets[d.index].name.text;
    }
    return {};
  }

  static std::string kind_article(const declared& d) {
    switch (d.of) {
      case declared::kind::field: return "a field";
      case declared::kind::output: return "an output";
      case declared::kind::let: return "a let";
    }
    return "a name";
  }

  const declared* lookup(std::string_view name) const {
    const auto it = names_.find(name);
    return it == names_.end() ? nullptr : &it->second;
  }

  // Adds an enum declaration to the model; reports members listed twice.
  std::uint32_t add_enum(const ast::type_spec& type, const std::string& owner) {
    enum_def def;
    def.members.reserve(type.members.size());
    std::unordered_map<std::string_view, span> seen;
    for (const ast::identifier& m : type.members) {
      const auto [it, inserted] = seen.emplace(m.text, m.where);
      if (!inserted) {
        diagnostic& d = report(diagnostic_code::duplicate_declaration, m.where,
                               "enum member " + quoted(m.text) + " is listed twice");
        add_note(d, it->second, quoted(m.text) + " is first listed here");
        continue;
      }
      def.members.push_back(m.text);
    }
    if (type.members.empty()) {
      report(diagnostic_code::invalid_declaration, type.where, "an enum needs at least one member");
    }
    model_.enums.push_back(std::move(def));
    enum_owner_.push_back(owner);
    enum_where_.push_back(type.where);
    return static_cast<std::uint32_t>(model_.enums.size() - 1);
  }

  void check_fields() {
    field_usable_.assign(tree_.fields.size(), true);
    model_.fields.reserve(tree_.fields.size());
    for (std::size_t i = 0; i < tree_.fields.size(); ++i) {
      const ast::field_decl& decl = tree_.fields[i];
      field_def def;
      def.name = decl.name.text;
      def.required = decl.required.has_value();
      def.where = decl.name.where;
      switch (decl.type.name) {
        case ast::type_name::boolean: def.type = field_type::boolean; break;
        case ast::type_name::integer: def.type = field_type::integer; break;
        case ast::type_name::number: def.type = field_type::number; break;
        case ast::type_name::duration: def.type = field_type::duration; break;
        case ast::type_name::string: def.type = field_type::string; break;
        case ast::type_name::tags: def.type = field_type::tags; break;
        case ast::type_name::enumeration:
          def.type = field_type::enumeration;
          def.enum_index = add_enum(decl.type, def.name);
          break;
        case ast::type_name::flag:
          report(diagnostic_code::invalid_declaration, decl.type.where,
                 "a field cannot be 'flag'; use 'bool' for a yes/no field");
          field_usable_[i] = false;
          break;
      }
      model_.fields.push_back(std::move(def));
    }
  }

  void check_outputs() {
    output_usable_.assign(tree_.outputs.size(), true);
    model_.outputs.reserve(tree_.outputs.size());
    for (std::size_t i = 0; i < tree_.outputs.size(); ++i) {
      const ast::output_decl& decl = tree_.outputs[i];
      output_def def;
      def.name = decl.name.text;
      def.where = decl.name.where;
      def.complete = decl.complete.has_value();
      switch (decl.type.name) {
        case ast::type_name::flag: def.type = output_type::flag; break;
        case ast::type_name::enumeration:
          def.type = output_type::enumeration;
          def.enum_index = add_enum(decl.type, def.name);
          break;
        case ast::type_name::string: def.type = output_type::string; break;
        case ast::type_name::integer: def.type = output_type::integer; break;
        case ast::type_name::boolean:
          report(diagnostic_code::invalid_declaration, decl.type.where,
                 "an output cannot be 'bool'; use 'flag' for a yes/no decision");
          output_usable_[i] = false;
          break;
        case ast::type_name::number:
        case ast::type_name::duration:
        case ast::type_name::tags:
          report(diagnostic_code::invalid_declaration, decl.type.where,
                 "an output cannot be " + quoted(type_word(decl.type.name)) +
                     "; expected flag, enum, string or int");
          output_usable_[i] = false;
          break;
      }
      def.policy = def.type == output_type::flag ? hit_policy::any : hit_policy::first;
      if (output_usable_[i]) check_output_options(decl, def);
      model_.outputs.push_back(std::move(def));
    }
  }

  // The hit policy, `default` and `complete` of a well-typed output (reference 3.2).
  void check_output_options(const ast::output_decl& decl, output_def& def) {
    const bool is_flag = def.type == output_type::flag;
    if (decl.policy) {
      if (is_flag) {
        report(diagnostic_code::invalid_declaration, decl.policy_where,
               "a flag output takes no hit policy; it is true when any of its rules matches");
      } else if (!policy_allowed(def.type, *decl.policy)) {
        report(diagnostic_code::invalid_declaration, decl.policy_where,
               "hit policy " + quoted(policy_word(*decl.policy)) + " does not apply to " +
                   std::string(def.type == output_type::enumeration ? "an enum"
                               : def.type == output_type::string    ? "a string"
                                                                     : "an int") +
                   " output; expected " + std::string(allowed_policies(def.type)));
      } else {
        def.policy = to_policy(*decl.policy);
      }
    }
    // Why `default` and `complete` make no sense here, if they do not.
    std::string always_valued;
    if (is_flag) {
      always_valued = "a flag output is false when no rule matches";
    } else if (def.policy == hit_policy::collect) {
      always_valued = "a collect output is an empty list when no rule matches";
    } else if (def.policy == hit_policy::sum) {
      always_valued = "a sum output is 0 when no rule matches";
    }
    if (decl.default_keyword || decl.default_value) {
      const span where = decl.default_keyword ? *decl.default_keyword : decl.default_value->where;
      if (!always_valued.empty()) {
        report(diagnostic_code::invalid_declaration, where,
               "'default' is not allowed here: " + always_valued);
      } else if (decl.default_value) {
        // Converted once every enum is indexed (`check_defaults`).
        default_pending_.push_back(static_cast<std::uint32_t>(model_.outputs.size()));
      }
    }
    if (decl.complete) {
      if (!always_valued.empty()) {
        report(diagnostic_code::invalid_declaration, *decl.complete,
               "'complete' is not allowed here: " + always_valued);
      } else if (decl.default_keyword || decl.default_value) {
        diagnostic& d = report(diagnostic_code::invalid_declaration, *decl.complete,
                               "'complete' cannot be combined with 'default': an output with a "
                               "default always has a value");
        if (decl.default_keyword) add_note(d, *decl.default_keyword, "the default is given here");
      }
    }
  }

  static value_type output_value_type(const output_def& def) {
    switch (def.type) {
      case output_type::flag: return {value_kind::boolean, no_index};
      case output_type::enumeration: return {value_kind::enumeration, def.enum_index};
      case output_type::string: return {value_kind::string, no_index};
      case output_type::integer: return {value_kind::integer, no_index};
    }
    return {};
  }

  static value_type field_value_type(const field_def& def) {
    switch (def.type) {
      case field_type::boolean: return {value_kind::boolean, no_index};
      case field_type::integer: return {value_kind::integer, no_index};
      case field_type::number: return {value_kind::number, no_index};
      case field_type::duration: return {value_kind::duration, no_index};
      case field_type::string:
      case field_type::tags: return {value_kind::string, no_index};
      case field_type::enumeration: return {value_kind::enumeration, def.enum_index};
    }
    return {};
  }

  // Member lookup tables, built once every enum is known.
  void index_enums() {
    enum_members_.resize(model_.enums.size());
    for (std::size_t e = 0; e < model_.enums.size(); ++e) {
      const auto& members = model_.enums[e].members;
      enum_members_[e].reserve(members.size());
      for (std::size_t m = 0; m < members.size(); ++m) {
        enum_members_[e].emplace(members[m], static_cast<std::int64_t>(m));
      }
    }
  }

  void check_defaults() {
    for (const std::uint32_t o : default_pending_) {
      output_def& def = model_.outputs[o];
      def.default_value = convert(*tree_.outputs[o].default_value, output_value_type(def), false);
    }
  }

  // ---- literals ----------------------------------------------------------------------

  // Converts a literal to `type`, or reports why it cannot be. `int_accepts_number`
  // lets an int subject be compared with a number literal (the result is a double).
  // A literal the parser already reported as invalid gives nothing, silently.
  std::optional<scalar> convert(const ast::literal& lit, value_type type, bool int_accepts_number) {
    if (!lit.valid) return std::nullopt;
    switch (type.kind) {
      case value_kind::boolean:
        if (lit.kind == ast::literal_kind::boolean) return scalar{lit.boolean};
        break;
      case value_kind::integer:
        if (lit.kind == ast::literal_kind::integer) return scalar{lit.integer};
        if (lit.kind == ast::literal_kind::number && int_accepts_number) return scalar{lit.number};
        break;
      case value_kind::number:
        if (lit.kind == ast::literal_kind::number) return scalar{lit.number};
        if (lit.kind == ast::literal_kind::integer) return scalar{static_cast<double>(lit.integer)};
        break;
      case value_kind::duration:
        if (lit.kind == ast::literal_kind::duration) return scalar{lit.integer};
        if (lit.kind == ast::literal_kind::integer) {
          const std::string_view text = source_.text_of(lit.where);
          report(diagnostic_code::type_mismatch, lit.where,
                 "expected a duration, found " + describe(lit) + "; write it with a unit, e.g. " +
                     quoted(std::string(text) + "m"));
          return std::nullopt;
        }
        if (lit.kind == ast::literal_kind::number) {
          report(diagnostic_code::type_mismatch, lit.where,
                 "expected a duration, found " + describe(lit) +
                     "; write it in whole units, e.g. '1h30m'");
          return std::nullopt;
        }
        break;
      case value_kind::string:
        if (lit.kind == ast::literal_kind::string) return scalar{lit.text};
        if (lit.kind == ast::literal_kind::name) {
          report(diagnostic_code::type_mismatch, lit.where,
                 "expected a string, found " + describe(lit) + "; write it in quotes: " +
                     quoted("\"" + lit.text + "\""));
          return std::nullopt;
        }
        break;
      case value_kind::enumeration:
        return convert_member(lit, type.enum_index);
    }
    report(diagnostic_code::type_mismatch, lit.where,
           "expected " + expected_text(type) + ", found " + describe(lit));
    return std::nullopt;
  }

  std::optional<scalar> convert_member(const ast::literal& lit, std::uint32_t e) {
    const auto& members = enum_members_[e];
    if (lit.kind != ast::literal_kind::name) {
      std::string message = "expected a member of enum " + quoted(enum_owner_[e]) + ", found " +
                            describe(lit);
      if (lit.kind == ast::literal_kind::string && members.count(lit.text) != 0) {
        message += "; write it without quotes: " + quoted(lit.text);
      }
      report(diagnostic_code::type_mismatch, lit.where, std::move(message));
      return std::nullopt;
    }
    const auto it = members.find(lit.text);
    if (it != members.end()) return scalar{it->second};

    std::string message = quoted(lit.text) + " is not a member of enum " + quoted(enum_owner_[e]);
    suggester near(lit.text);
    for (const std::string& m : model_.enums[e].members) near.offer(m);
    if (const auto best = near.best()) message += "; did you mean " + quoted(*best) + "?";
    // A member of another enum is a common slip (`priority == high`): say where it is.
    std::optional<std::uint32_t> other;
    for (std::uint32_t o = 0; o < enum_members_.size() && !other; ++o) {
      if (o != e && enum_members_[o].count(lit.text) != 0) other = o;
    }
    const bool different_enum = other.has_value();
    diagnostic& d = report(different_enum ? diagnostic_code::type_mismatch
                                          : diagnostic_code::unknown_name,
                           lit.where, std::move(message));
    if (different_enum) {
      add_note(d, enum_where_[*other],
               quoted(lit.text) + " is a member of enum " + quoted(enum_owner_[*other]) +
                   ", a different enum");
    }
    return std::nullopt;
  }

  // ---- conditions --------------------------------------------------------------------

  // The scope a condition is checked in. A let may use only names declared before it
  // (reference 3.3); a rule may use every name.
  struct scope {
    std::uint32_t current_let = no_index;  // the let being checked, if any
  };

  // Reports and returns true when a let uses a name declared after it (or itself).
  bool declared_later(const declared& d, const ast::identifier& name, const scope& in) {
    if (in.current_let == no_index) return false;
    bool later = false;
    if (d.of == declared::kind::let) {
      // Lets by index, which hand-built trees without spans also get right.
      later = d.index >= in.current_let;
    } else {
      later = d.where.begin > tree_.lets[in.current_let].name.where.begin;
    }
    if (!later) return false;
    if (d.of == declared::kind::let && d.index == in.current_let) {
      report(diagnostic_code::unknown_name, name.where,
             "let " + quoted(name.text) + " cannot use itself");
      return true;
    }
    diagnostic& diag = report(diagnostic_code::unknown_name, name.where,
                              quoted(name.text) +
                                  " is declared after this let; a let may only use names "
                                  "declared before it");
    add_note(diag, d.where, quoted(name.text) + " is declared here");
    return true;
  }

  // Whether a name may be offered as a suggestion in this scope.
  bool suggestible(std::string_view name, const scope& in) const {
    const declared* d = lookup(name);
    if (d == nullptr || in.current_let == no_index) return d != nullptr;
    if (d->of == declared::kind::let) return d->index < in.current_let;
    return d->where.begin <= tree_.lets[in.current_let].name.where.begin;
  }

  expr check_condition(const ast::condition& c, const scope& in, uses& used, std::uint32_t depth) {
    expr out;
    out.where = c.where;
    // The parser bounds nesting; this guards trees built by hand, since the walk recurses.
    // Parentheses leave no node, so one level of `(` or `not` may add up to three tree
    // levels (an `or`, an `and` and a `not`): the bound must not refuse a parsed tree.
    if (depth > 3 * limits_.max_nesting + 3) {
      if (!depth_reported_) {
        report(diagnostic_code::limit_exceeded, c.where,
               "condition nests deeper than max_nesting (" + std::to_string(limits_.max_nesting) +
                   " levels)");
        depth_reported_ = true;
      }
      return out;
    }
    switch (c.kind) {
      case ast::condition_kind::any_of:
      case ast::condition_kind::all_of:
      case ast::condition_kind::negate:
        out.of = c.kind == ast::condition_kind::any_of   ? expr::kind::any_of
                 : c.kind == ast::condition_kind::all_of ? expr::kind::all_of
                                                         : expr::kind::negate;
        // The parser never builds these; a tree built by hand might, and later stages
        // rely on the model's shape.
        if (c.operands.empty() || (c.kind == ast::condition_kind::negate && c.operands.size() != 1)) {
          report(diagnostic_code::syntax, c.where, "malformed condition: wrong number of operands");
          return out;
        }
        if (c.operands.size() == 1 && c.kind != ast::condition_kind::negate) {
          return check_condition(c.operands.front(), in, used, depth + 1);
        }
        out.operands.reserve(c.operands.size());
        for (const ast::condition& operand : c.operands) {
          out.operands.push_back(check_condition(operand, in, used, depth + 1));
        }
        return out;
      case ast::condition_kind::name:
        return check_bare_name(c, in, used);
      case ast::condition_kind::compare:
        return check_compare(c, in, used);
    }
    return out;
  }

  // `vip`, `urgent`, `repeat_client`: a let, a flag output or a bool field.
  expr check_bare_name(const ast::condition& c, const scope& in, uses& used) {
    expr out;
    out.where = c.where;
    out.test.where = c.where;
    const ast::identifier& name = c.subject;
    const declared* d = lookup(name.text);
    if (d == nullptr) {
      suggester near(name.text);
      for (const auto& f : model_.fields) {
        if (f.type == field_type::boolean && suggestible(f.name, in)) near.offer(f.name);
      }
      for (const auto& o : model_.outputs) {
        if (o.type == output_type::flag && suggestible(o.name, in)) near.offer(o.name);
      }
      for (const auto& l : tree_.lets) {
        if (suggestible(l.name.text, in)) near.offer(l.name.text);
      }
      std::string message = "unknown name " + quoted(name.text);
      if (const auto best = near.best()) message += "; did you mean " + quoted(*best) + "?";
      report(diagnostic_code::unknown_name, name.where, std::move(message));
      return out;
    }
    if (declared_later(*d, name, in)) return out;
    switch (d->of) {
      case declared::kind::let:
        out.of = expr::kind::let_ref;
        out.let_index = d->index;
        used.lets.emplace_back(d->index, c.where);
        return out;
      case declared::kind::field: {
        used.fields.push_back(d->index);
        out.test.subject = {subject_ref::kind::field, d->index};
        const field_def& f = model_.fields[d->index];
        if (field_usable_[d->index] && f.type != field_type::boolean) {
          report(diagnostic_code::type_mismatch, name.where,
                 quoted(name.text) + " is " + article_type(f) +
                     " field, not a condition; a bare name must be a bool field, a flag output or "
                     "a let");
        }
        return out;
      }
      case declared::kind::output: {
        used.outputs.emplace_back(d->index, c.where);
        out.test.subject = {subject_ref::kind::output, d->index};
        const output_def& o = model_.outputs[d->index];
        if (output_usable_[d->index] && o.type != output_type::flag) {
          report(diagnostic_code::type_mismatch, name.where,
                 quoted(name.text) + " is " + article_type(o) +
                     " output, not a condition; a bare name must be a bool field, a flag output "
                     "or a let");
        }
        return out;
      }
    }
    return out;
  }

  static std::string_view field_word(field_type t) noexcept {
    switch (t) {
      case field_type::boolean: return "bool";
      case field_type::integer: return "int";
      case field_type::number: return "number";
      case field_type::duration: return "duration";
      case field_type::string: return "string";
      case field_type::tags: return "tags";
      case field_type::enumeration: return "enum";
    }
    return "?";
  }

  static std::string_view output_word(const output_def& o) noexcept {
    if (o.policy == hit_policy::collect) return "collect";
    switch (o.type) {
      case output_type::flag: return "flag";
      case output_type::enumeration: return "enum";
      case output_type::string: return "string";
      case output_type::integer: return "int";
    }
    return "?";
  }

  static std::string with_article(std::string_view word) {
    const bool vowel = !word.empty() && std::string_view("aeiou").find(word[0]) != std::string_view::npos;
    return std::string(vowel ? "an " : "a ") + std::string(word);
  }
  static std::string article_type(const field_def& f) { return with_article(field_word(f.type)); }
  static std::string article_type(const output_def& o) { return with_article(output_word(o)); }

  // "duration field 'sla'", "collect output 'notify'": built only when reporting.
  std::string describe(subject_ref ref) const {
    if (ref.of == subject_ref::kind::field) {
      const field_def& f = model_.fields[ref.index];
      return std::string(field_word(f.type)) + " field " + quoted(f.name);
    }
    const output_def& o = model_.outputs[ref.index];
    return std::string(output_word(o)) + " output " + quoted(o.name);
  }

  subject_info field_subject(std::uint32_t index) const {
    const field_def& f = model_.fields[index];
    subject_info s;
    s.ref = {subject_ref::kind::field, index};
    s.element = field_value_type(f);
    s.is_set = f.type == field_type::tags;
    s.usable = field_usable_[index];
    return s;
  }

  subject_info output_subject(std::uint32_t index) const {
    const output_def& o = model_.outputs[index];
    subject_info s;
    s.ref = {subject_ref::kind::output, index};
    s.element = output_value_type(o);
    s.is_set = o.policy == hit_policy::collect;
    s.usable = output_usable_[index];
    if (o.type == output_type::flag) {
      s.never_absent = "a flag output is false when no rule matches";
    } else if (o.policy == hit_policy::collect) {
      s.never_absent = "a collect output is an empty list when no rule matches";
    } else if (o.policy == hit_policy::sum) {
      s.never_absent = "a sum output is 0 when no rule matches";
    } else if (o.default_value || tree_.outputs[index].default_value) {
      s.never_absent = "it has a default";
    }
    return s;
  }

  // Where the right side of a comparison is written, from the operator to the end.
  span right_side(const ast::condition& c) const {
    span s{c.op_where.end, c.where.end};
    const std::string_view text = source_.text_of(s);
    const std::size_t skip = text.find_first_not_of(" \t\r\n");
    if (skip != std::string_view::npos) s.begin += static_cast<std::uint32_t>(skip);
    return s;
  }

  // `subject OP value(s)`.
  expr check_compare(const ast::condition& c, const scope& in, uses& used) {
    expr out;
    out.where = c.where;
    out.test.where = c.where;
    out.test.op = to_atom_op(c.op);
    const ast::identifier& name = c.subject;
    const declared* d = lookup(name.text);
    if (d == nullptr) {
      suggester near(name.text);
      for (const auto& f : model_.fields) {
        if (suggestible(f.name, in)) near.offer(f.name);
      }
      for (const auto& o : model_.outputs) {
        if (suggestible(o.name, in)) near.offer(o.name);
      }
      const auto best = near.best();
      const declared* hint = best ? lookup(*best) : nullptr;
      std::string message = (hint != nullptr && hint->of == declared::kind::output)
                                ? "unknown output " + quoted(name.text)
                                : "unknown field " + quoted(name.text);
      if (best) message += "; did you mean " + quoted(*best) + "?";
      report(diagnostic_code::unknown_name, name.where, std::move(message));
      return out;
    }
    if (d->of == declared::kind::let) {
      report(diagnostic_code::type_mismatch, name.where,
             quoted(name.text) + " is a let (a named condition) and cannot be compared; use it "
                                 "on its own, e.g. " +
                 quoted(name.text) + " or " + quoted("not " + name.text));
      return out;
    }
    if (declared_later(*d, name, in)) return out;
    subject_info s;
    if (d->of == declared::kind::field) {
      used.fields.push_back(d->index);
      s = field_subject(d->index);
    } else {
      used.outputs.emplace_back(d->index, c.where);
      s = output_subject(d->index);
    }
    out.test.subject = s.ref;
    if (!s.usable) return out;
    if (!operator_applies(c, s)) return out;
    if (!values_shape_ok(c)) return out;
    // Comparisons of an int with a number literal are numeric; `has` values are tags or
    // collected values, which must match exactly.
    const bool numeric = !is_set_test(c.op) && !is_text_search(c.op);
    if (takes_nothing(c.op)) return out;
    out.test.values.reserve(c.values.size());
    for (const ast::literal& lit : c.values) {
      if (auto v = convert(lit, s.element, numeric)) out.test.values.push_back(std::move(*v));
    }
    return out;
  }

  // Reference 3.5: which operators apply to which subjects.
  bool operator_applies(const ast::condition& c, const subject_info& s) {
    const std::string op = quoted(op_text(c.op));
    const auto refuse = [&](std::string_view why) {
      report(diagnostic_code::type_mismatch, c.op_where,
             "operator " + op + " does not apply to " + describe(s.ref) + "; " + std::string(why));
      return false;
    };
    if (takes_nothing(c.op)) {
      if (s.never_absent.empty()) return true;
      const std::string_view state =
          c.op == ast::compare_op::is_missing ? " is never missing: " : " is always present: ";
      report(diagnostic_code::type_mismatch, c.op_where,
             quoted(c.subject.text) + std::string(state) + std::string(s.never_absent));
      return false;
    }
    if (is_set_test(c.op)) {
      if (s.is_set) return true;
      return refuse(s.element.kind == value_kind::string
                        ? "use 'contains' to search text"
                        : "it needs a tags field or a collect output");
    }
    if (s.is_set) {
      return refuse(c.op == ast::compare_op::in || c.op == ast::compare_op::not_in
                        ? "use 'has any' or 'has all'"
                        : "use 'has', 'has any' or 'has all'");
    }
    if (is_ordering(c.op)) {
      const value_kind k = s.element.kind;
      if (k == value_kind::integer || k == value_kind::number || k == value_kind::duration ||
          k == value_kind::enumeration) {
        return true;
      }
      return refuse("ordering needs an int, number, duration or enum");
    }
    if (is_text_search(c.op)) {
      if (s.element.kind == value_kind::string) return true;
      return refuse("it needs a string");
    }
    return true;  // ==, !=, in, not in: every scalar
  }

  // One value for single-valued operators, a list for `in`, `not in`, `has any`, `has all`.
  bool values_shape_ok(const ast::condition& c) {
    if (takes_nothing(c.op)) return true;
    const std::string op = quoted(op_text(c.op));
    if (c.values.empty()) {  // only in a tree built by hand
      report(diagnostic_code::syntax, c.where, "malformed condition: operator " + op + " has no value");
      return false;
    }
    if (takes_list(c.op) && !c.is_list) {
      report(diagnostic_code::type_mismatch, right_side(c),
             "operator " + op + " expects a list, e.g. [" +
                 std::string(source_.text_of(c.values.front().where)) + "]");
      return false;
    }
    if (!takes_list(c.op) && c.is_list) {
      std::string message = "operator " + op + " expects one value, found a list";
      if (c.op == ast::compare_op::eq) message += "; use 'in' to test membership";
      if (c.op == ast::compare_op::ne) message += "; use 'not in' to test membership";
      if (c.op == ast::compare_op::has) message += "; use 'has any' or 'has all'";
      report(diagnostic_code::type_mismatch, right_side(c), std::move(message));
      return false;
    }
    return true;
  }

  // ---- lets and rules ----------------------------------------------------------------

  void check_lets() {
    const auto count = static_cast<std::uint32_t>(tree_.lets.size());
    let_uses_.resize(count);
    let_outputs_.resize(count);
    model_.lets.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
      const ast::let_decl& decl = tree_.lets[i];
      let_def def;
      def.name = decl.name.text;
      def.where = decl.name.where;
      def.condition = check_condition(decl.cond, scope{i}, let_uses_[i], 0);
      // Memoised per let: a let only uses earlier lets, whose sets are already final, so
      // a long chain costs linear time.
      std::vector<std::uint32_t>& reads = let_outputs_[i];
      for (const auto& [o, where] : let_uses_[i].outputs) reads.push_back(o);
      for (const auto& [l, where] : let_uses_[i].lets) {
        reads.insert(reads.end(), let_outputs_[l].begin(), let_outputs_[l].end());
      }
      sort_unique(reads);
      model_.lets.push_back(std::move(def));
    }
  }

  void check_rules() {
    rule_uses_.resize(tree_.rules.size());
    model_.rules.reserve(tree_.rules.size());
    std::unordered_map<std::string_view, span> labels;
    for (std::size_t i = 0; i < tree_.rules.size(); ++i) {
      const ast::rule& r = tree_.rules[i];
      rule_def def;
      def.where = r.where;
      if (r.label) {
        def.label = r.label->text;
        def.name = r.label->text;
        const auto [it, inserted] = labels.emplace(r.label->text, r.label->where);
        if (!inserted) {
          diagnostic& d = report(diagnostic_code::duplicate_label, r.label->where,
                                 "label " + quoted(r.label->text) + " is already used");
          add_note(d, it->second, quoted(r.label->text) + " is first used here");
        }
      } else {
        def.name = source_.name() + ":" + std::to_string(source_.line_of(r.where.begin));
      }
      const std::optional<std::uint32_t> output = rule_output(r);
      def.output = output.value_or(0);
      def.condition = check_condition(r.cond, scope{}, rule_uses_[i], 0);
      if (output) {
        model_.outputs[*output].rules.push_back(static_cast<std::uint32_t>(i));
        if (output_usable_[*output]) def.value = rule_value(r, model_.outputs[*output]);
      }
      model_.rules.push_back(std::move(def));
    }
  }

  // The output a rule decides, or nothing (reported) when the name is not an output.
  std::optional<std::uint32_t> rule_output(const ast::rule& r) {
    const ast::identifier& name = r.output;
    const declared* d = lookup(name.text);
    if (d != nullptr && d->of == declared::kind::output) return d->index;
    if (d == nullptr) {
      suggester near(name.text);
      for (const auto& o : model_.outputs) near.offer(o.name);
      std::string message = "unknown output " + quoted(name.text);
      if (const auto best = near.best()) message += "; did you mean " + quoted(*best) + "?";
      report(diagnostic_code::unknown_name, name.where, std::move(message));
    } else {
      diagnostic& diag = report(diagnostic_code::unknown_name, name.where,
                                quoted(name.text) + " is " + kind_article(*d) +
                                    ", not an output; only outputs have rules");
      add_note(diag, d->where, quoted(name.text) + " is declared here");
    }
    return std::nullopt;
  }

  // `-> VALUE`: forbidden for flags, required and typed for every other output.
  std::optional<scalar> rule_value(const ast::rule& r, const output_def& o) {
    if (o.type == output_type::flag) {
      if (r.value || r.arrow) {
        span where = r.arrow ? *r.arrow : r.value->where;
        if (r.value) where = merge(where, r.value->where);
        report(diagnostic_code::unexpected_value, where,
               "flag output " + quoted(o.name) + " takes no value; write " +
                   quoted(o.name + " if CONDITION"));
      }
      return std::nullopt;
    }
    if (!r.value) {
      std::string example;
      switch (o.type) {
        case output_type::enumeration: {
          const auto& members = model_.enums[o.enum_index].members;
          example = members.empty() ? "MEMBER" : members.front();
          break;
        }
        case output_type::string: example = "\"text\""; break;
        case output_type::integer: example = "1"; break;
        case output_type::flag: break;
      }
      report(diagnostic_code::missing_value, r.output.where,
             "a rule for " + std::string(output_word(o)) + " output " + quoted(o.name) +
                 " needs a value, e.g. " + quoted("-> " + example));
      return std::nullopt;
    }
    return convert(*r.value, output_value_type(o), false);
  }

  // ---- tests -------------------------------------------------------------------------

  void check_tests() {
    std::unordered_map<std::string_view, span> names;
    model_.tests.reserve(tree_.tests.size());
    for (const ast::test_block& t : tree_.tests) {
      const auto [it, inserted] = names.emplace(t.name, t.name_where);
      if (!inserted) {
        diagnostic& d = report(diagnostic_code::duplicate_declaration, t.name_where,
                               "test " + quoted(t.name) + " is already declared");
        add_note(d, it->second, "test " + quoted(t.name) + " is first declared here");
      }
      test_def def;
      def.name = t.name;
      def.where = t.where;
      check_given(t, def);
      check_expect(t, def);
      model_.tests.push_back(std::move(def));
    }
  }

  void check_given(const ast::test_block& t, test_def& def) {
    std::unordered_map<std::string_view, span> seen;
    for (const ast::assignment& a : t.given) {
      const declared* d = lookup(a.name.text);
      if (d == nullptr || d->of != declared::kind::field) {
        if (d == nullptr) {
          suggester near(a.name.text);
          for (const auto& f : model_.fields) near.offer(f.name);
          std::string message = "unknown field " + quoted(a.name.text);
          if (const auto best = near.best()) message += "; did you mean " + quoted(*best) + "?";
          report(diagnostic_code::unknown_name, a.name.where, std::move(message));
        } else {
          report(diagnostic_code::unknown_name, a.name.where,
                 quoted(a.name.text) + " is " + kind_article(*d) +
                     ", not a field; 'given' sets fields of the ticket");
        }
        continue;
      }
      if (!note_twice(seen, a, "field", "given")) continue;
      if (a.is_missing) {
        report(diagnostic_code::type_mismatch, a.where,
               "'given' cannot say 'is missing'; leave the field out to test a missing value");
        continue;
      }
      const field_def& f = model_.fields[d->index];
      if (!field_usable_[d->index]) continue;
      if (a.is_list && f.type != field_type::tags) {
        report(diagnostic_code::type_mismatch, a.where,
               "expected one value for " + std::string(field_word(f.type)) + " field " +
                   quoted(f.name) + ", found a list");
        continue;
      }
      test_input input;
      input.field = d->index;
      input.where = a.where;
      for (const ast::literal& lit : a.values) {
        // A ticket holds values of the field's own type: an int field takes no 2.5.
        if (auto v = convert(lit, field_value_type(f), false)) input.values.push_back(std::move(*v));
      }
      def.given.push_back(std::move(input));
    }
  }

  void check_expect(const ast::test_block& t, test_def& def) {
    std::unordered_map<std::string_view, span> seen;
    for (const ast::assignment& a : t.expect) {
      const declared* d = lookup(a.name.text);
      if (d == nullptr || d->of != declared::kind::output) {
        if (d == nullptr) {
          suggester near(a.name.text);
          for (const auto& o : model_.outputs) near.offer(o.name);
          std::string message = "unknown output " + quoted(a.name.text);
          if (const auto best = near.best()) message += "; did you mean " + quoted(*best) + "?";
          report(diagnostic_code::unknown_name, a.name.where, std::move(message));
        } else {
          report(diagnostic_code::unknown_name, a.name.where,
                 quoted(a.name.text) + " is " + kind_article(*d) +
                     ", not an output; 'expect' checks outputs");
        }
        continue;
      }
      if (!note_twice(seen, a, "output", "expected")) continue;
      if (!output_usable_[d->index]) continue;
      const output_def& o = model_.outputs[d->index];
      test_expectation expectation;
      expectation.output = d->index;
      expectation.where = a.where;
      if (a.is_missing) {
        const subject_info s = output_subject(d->index);
        if (!s.never_absent.empty()) {
          report(diagnostic_code::type_mismatch, a.where,
                 quoted(o.name) + " is never missing: " + std::string(s.never_absent));
          continue;
        }
        expectation.expect_missing = true;
        def.expect.push_back(std::move(expectation));
        continue;
      }
      if (a.is_list && o.policy != hit_policy::collect) {
        report(diagnostic_code::type_mismatch, a.where,
               "expected one value for " + std::string(output_word(o)) + " output " +
                   quoted(o.name) + ", found a list");
        continue;
      }
      for (const ast::literal& lit : a.values) {
        if (auto v = convert(lit, output_value_type(o), false)) {
          expectation.values.push_back(std::move(*v));
        }
      }
      def.expect.push_back(std::move(expectation));
    }
  }

  // Reports a name given or expected twice in one test; returns false for the repeat.
  bool note_twice(std::unordered_map<std::string_view, span>& seen, const ast::assignment& a,
                  std::string_view what, std::string_view verb) {
    const auto [it, inserted] = seen.emplace(a.name.text, a.name.where);
    if (inserted) return true;
    diagnostic& d = report(diagnostic_code::duplicate_declaration, a.name.where,
                           std::string(what) + " " + quoted(a.name.text) + " is " +
                               std::string(verb) + " twice in this test");
    add_note(d, it->second, quoted(a.name.text) + " is first " + std::string(verb) + " here");
    return false;
  }

  // ---- whole-policy checks -----------------------------------------------------------

  // A `sum` must not overflow even when every positive (or every negative) rule matches.
  void check_sums() {
    constexpr std::int64_t top = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t bottom = std::numeric_limits<std::int64_t>::min();
    for (std::size_t o = 0; o < model_.outputs.size(); ++o) {
      const output_def& out = model_.outputs[o];
      if (out.policy != hit_policy::sum) continue;
      std::int64_t positive = 0;
      std::int64_t negative = 0;
      bool positive_reported = false;
      bool negative_reported = false;
      for (const std::uint32_t r : out.rules) {
        const auto& value = model_.rules[r].value;
        if (!value || !std::holds_alternative<std::int64_t>(*value)) continue;
        const std::int64_t v = std::get<std::int64_t>(*value);
        if (v > 0 && !positive_reported) {
          if (positive > top - v) {
            diagnostic& d = report(diagnostic_code::sum_overflow, out.where,
                                   "sum output " + quoted(out.name) +
                                       " can overflow: its positive rule values add up to more "
                                       "than " + std::to_string(top));
            add_note(d, model_.rules[r].where, "the total passes the limit with this rule");
            positive_reported = true;
          } else {
            positive += v;
          }
        } else if (v < 0 && !negative_reported) {
          if (negative < bottom - v) {
            diagnostic& d = report(diagnostic_code::sum_overflow, out.where,
                                   "sum output " + quoted(out.name) +
                                       " can overflow: its negative rule values add up to less "
                                       "than " + std::to_string(bottom));
            add_note(d, model_.rules[r].where, "the total passes the limit with this rule");
            negative_reported = true;
          } else {
            negative += v;
          }
        }
      }
    }
  }

  // Builds `reads` of every output, reports cycles and computes the evaluation order.
  void order_outputs() {
    output_graph graph(model_.outputs.size());
    for (std::size_t o = 0; o < model_.outputs.size(); ++o) {
      std::vector<std::uint32_t>& reads = graph[o];
      for (const std::uint32_t r : model_.outputs[o].rules) {
        const uses& u = rule_uses_[r];
        for (const auto& [p, where] : u.outputs) reads.push_back(p);
        for (const auto& [l, where] : u.lets) {
          reads.insert(reads.end(), let_outputs_[l].begin(), let_outputs_[l].end());
        }
      }
      sort_unique(reads);
      model_.outputs[o].reads = reads;
    }
    const auto cycles = find_cycles(graph);
    for (const auto& cycle : cycles) report_cycle(cycle);
    if (cycles.empty()) model_.evaluation_order = evaluation_order(graph);
  }

  void report_cycle(const std::vector<std::uint32_t>& cycle) {
    std::string message = "outputs form a cycle: ";
    for (const std::uint32_t o : cycle) message += quoted(model_.outputs[o].name) + " \u2192 ";
    message += quoted(model_.outputs[cycle.front()].name);
    diagnostic& d = report(diagnostic_code::output_cycle, model_.outputs[cycle.front()].where,
                           std::move(message));
    for (std::size_t i = 0; i < cycle.size(); ++i) {
      const std::uint32_t from = cycle[i];
      const std::uint32_t to = cycle[(i + 1) % cycle.size()];
      note_read(d, from, to);
    }
  }

  // Adds a note at the first place where output `from` reads output `to`.
  void note_read(diagnostic& d, std::uint32_t from, std::uint32_t to) {
    const std::string reader = quoted(model_.outputs[from].name);
    const std::string read = quoted(model_.outputs[to].name);
    for (const std::uint32_t r : model_.outputs[from].rules) {
      const uses& u = rule_uses_[r];
      for (const auto& [p, where] : u.outputs) {
        if (p == to) {
          add_note(d, where, reader + " reads " + read + " here");
          return;
        }
      }
      for (const auto& [l, where] : u.lets) {
        if (std::binary_search(let_outputs_[l].begin(), let_outputs_[l].end(), to)) {
          add_note(d, where,
                   reader + " reads " + read + " through let " + quoted(tree_.lets[l].name.text));
          return;
        }
      }
    }
  }

  // Warnings for declarations no rule uses; tests do not count as uses.
  void report_unused() {
    std::vector<bool> field_used(model_.fields.size(), false);
    std::vector<bool> let_used(model_.lets.size(), false);
    std::vector<std::uint32_t> pending;
    const auto mark = [&](const uses& u) {
      for (const std::uint32_t f : u.fields) field_used[f] = true;
      for (const auto& [l, where] : u.lets) {
        if (!let_used[l]) {
          let_used[l] = true;
          pending.push_back(l);
        }
      }
    };
    for (const uses& u : rule_uses_) mark(u);
    // A let counts as used only when a rule reaches it; walked without recursion.
    while (!pending.empty()) {
      const std::uint32_t l = pending.back();
      pending.pop_back();
      mark(let_uses_[l]);
    }
    for (std::size_t f = 0; f < model_.fields.size(); ++f) {
      if (field_used[f] || field_duplicate_[f]) continue;
      report(diagnostic_code::unused_declaration, model_.fields[f].where,
             "field " + quoted(model_.fields[f].name) + " is not used by any rule");
    }
    for (std::size_t o = 0; o < model_.outputs.size(); ++o) {
      if (!model_.outputs[o].rules.empty() || output_duplicate_[o]) continue;
      report(diagnostic_code::unused_declaration, model_.outputs[o].where,
             "output " + quoted(model_.outputs[o].name) + " is never decided: it has no rules");
    }
    for (std::size_t l = 0; l < model_.lets.size(); ++l) {
      if (let_used[l] || let_duplicate_[l]) continue;
      report(diagnostic_code::unused_declaration, model_.lets[l].where,
             "let " + quoted(model_.lets[l].name) + " is not used by any rule");
    }
  }

  const ast::policy& tree_;
  const source_file& source_;
  const limits& limits_;
  model model_;
  diagnostics issues_;

  std::unordered_map<std::string_view, declared> names_;  // views into `tree_`
  std::vector<bool> field_duplicate_, output_duplicate_, let_duplicate_;
  // False when a declaration's type is invalid: uses of it are not checked further, so
  // one mistake gives one error.
  std::vector<bool> field_usable_, output_usable_;
  std::vector<std::string> enum_owner_;  // the field or output declaring each enum
  std::vector<span> enum_where_;
  std::vector<std::unordered_map<std::string, std::int64_t>> enum_members_;
  std::vector<uses> let_uses_, rule_uses_;
  std::vector<std::vector<std::uint32_t>> let_outputs_;  // outputs each let reads, transitively
  std::vector<std::uint32_t> default_pending_;  // outputs whose default is still a literal
  bool depth_reported_ = false;
};

}  // namespace
}  // namespace detail

check_result check(const ast::policy& tree, const source_file& source, const limits& lim) {
  return detail::checker(tree, source, lim).run();
}

check_result parse_and_check(const source_file& source, const limits& lim) {
  parse_result parsed = parse(source, lim);
  if (!parsed.tree) {
    check_result result;
    result.issues = std::move(parsed.issues);
    return result;
  }
  check_result checked = check(*parsed.tree, source, lim);
  diagnostics all = std::move(parsed.issues);
  all.insert(all.end(), std::make_move_iterator(checked.issues.begin()),
             std::make_move_iterator(checked.issues.end()));
  checked.issues = std::move(all);
  // Parse errors (invalid literals) leave a tree the checker accepts: no model then.
  if (has_errors(checked.issues)) checked.value.reset();
  return checked;
}

}  // namespace triage
