// Decision tables: every rule's condition in disjunctive normal form, one row per
// disjunct, one cell per subject a row tests (see <triage/table.hpp>).
//
// `let`s are expanded where used. A let's normal form (for each polarity a rule needs) is
// computed once, in declaration order, before any rule: lets only refer to earlier lets,
// so this needs no recursion through let chains (a chain of 100,000 lets cannot overflow
// the stack) and a let used many times, or `let b = a and a` chains, cost nothing extra.
// Row counts are bounded while they are built: the work stops as soon as a normal form
// would exceed `limits::max_table_rows`.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "compile/cells.hpp"
#include "render/escape.hpp"
#include "triage/table.hpp"

namespace triage {
namespace detail {
namespace {

// One disjunct: cells sorted by subject, at most one per subject.
struct conjunction {
  std::vector<cell> cells;
};
using normal_form = std::vector<conjunction>;

// Merges two conjunctions: the rows both accept.
conjunction conjoin(const conjunction& a, const conjunction& b) {
  conjunction out;
  out.cells.reserve(a.cells.size() + b.cells.size());
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.cells.size() || j < b.cells.size()) {
    if (j == b.cells.size() || (i < a.cells.size() && subject_less(a.cells[i].subject, b.cells[j].subject))) {
      out.cells.push_back(a.cells[i++]);
    } else if (i == a.cells.size() || subject_less(b.cells[j].subject, a.cells[i].subject)) {
      out.cells.push_back(b.cells[j++]);
    } else {
      out.cells.push_back(a.cells[i++]);
      intersect(out.cells.back(), b.cells[j++]);
    }
  }
  return out;
}

// A hash of a conjunction's cells, so that identical disjuncts are kept once
// (`not (a and a)` is one row, not two; chains of such lets stay small).
std::size_t hash_of(const conjunction& c) {
  std::size_t h = 0;
  auto mix = [&h](std::size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  const std::hash<std::string> text_hash;
  for (const cell& x : c.cells) {
    mix(x.subject.index * 2 + (x.subject.of == subject_ref::kind::output ? 1 : 0));
    mix((x.accepts_missing ? 1u : 0u) | (x.accepts_present ? 2u : 0u) | (std::size_t{x.booleans} << 2));
    for (const int_range& r : x.ints) { mix(static_cast<std::size_t>(r.lo)); mix(static_cast<std::size_t>(r.hi)); }
    for (const real_range& r : x.reals) { mix(std::hash<double>{}(r.lo)); mix(std::hash<double>{}(r.hi)); }
    for (const std::uint32_t v : x.members) mix(v);
    if (x.one_of) for (const std::string& s : *x.one_of) mix(text_hash(s));
    for (const std::string& s : x.none_of) mix(text_hash(s));
    for (const text_test& t : x.tests) mix(text_hash(t.needle));
    for (const std::uint32_t v : x.required) mix(v);
    for (const std::uint32_t v : x.forbidden) mix(v + 7);
    for (const auto& g : x.any_of) for (const std::uint32_t v : g) mix(v + 11);
    for (const auto& g : x.not_all_of) for (const std::uint32_t v : g) mix(v + 13);
  }
  return h;
}

// Collects disjuncts, dropping exact duplicates.
class form_builder {
 public:
  void add(conjunction c) {
    const std::size_t h = hash_of(c);
    auto [begin, end] = seen_.equal_range(h);
    for (auto it = begin; it != end; ++it) {
      if (form_[it->second].cells == c.cells) return;
    }
    seen_.emplace(h, form_.size());
    form_.push_back(std::move(c));
  }
  [[nodiscard]] std::size_t size() const noexcept { return form_.size(); }
  normal_form take() { return std::move(form_); }

 private:
  normal_form form_;
  std::unordered_multimap<std::size_t, std::size_t> seen_;
};

class table_builder {
 public:
  table_builder(const model& m, const limits& lim) : model_(m), lim_(lim), symbols_(table_.symbols) {}

  table_result run() {
    table_result result;
    // Every collect string value gets a symbol, so that `has` tests and values agree.
    for (const rule_def& r : model_.rules) {
      const output_def& o = model_.outputs[r.output];
      if (o.policy == hit_policy::collect && o.type == output_type::string && r.value) {
        if (const auto* s = std::get_if<std::string>(&*r.value)) (void)symbols_.intern(*s);
      }
    }
    if (!prepare_lets(result)) return result;

    table_.outputs.resize(model_.outputs.size());
    for (std::uint32_t o = 0; o < model_.outputs.size(); ++o) {
      output_table& out = table_.outputs[o];
      out.output = o;
      out.policy = model_.outputs[o].policy;
      out.default_value = model_.outputs[o].default_value;
    }
    std::size_t rows = 0;
    for (std::uint32_t r = 0; r < model_.rules.size(); ++r) {
      const rule_def& rule = model_.rules[r];
      const std::size_t budget = lim_.max_table_rows > rows ? lim_.max_table_rows - rows : 0;
      std::optional<normal_form> form = normalize(rule.condition, false, budget);
      if (!form) {
        report_limit(result, r);
        return result;
      }
      rows += form->size();
      output_table& out = table_.outputs[rule.output];
      for (std::uint32_t d = 0; d < form->size(); ++d) {
        table_row row;
        row.rule = r;
        row.disjunct = d;
        row.value = rule.value;
        row.cells = std::move((*form)[d].cells);
        row.contradictory = std::any_of(row.cells.begin(), row.cells.end(),
                                        [](const cell& c) { return c.empty(); });
        out.rows.push_back(std::move(row));
      }
    }
    for (output_table& out : table_.outputs) {
      for (const table_row& row : out.rows) {
        for (const cell& c : row.cells) out.columns.push_back(c.subject);
      }
      std::sort(out.columns.begin(), out.columns.end(), subject_less);
      out.columns.erase(std::unique(out.columns.begin(), out.columns.end()), out.columns.end());
    }
    result.value = std::move(table_);
    return result;
  }

 private:
  // Marks which polarities of which lets the rules need, then computes those normal forms
  // in declaration order. Returns false (with a diagnostic) when one exceeds the limit.
  bool prepare_lets(table_result& result) {
    const std::size_t n = model_.lets.size();
    needed_.assign(n, {false, false});
    first_user_.assign(n, {no_index, no_index});
    lets_.assign(n, {});
    for (std::uint32_t r = 0; r < model_.rules.size(); ++r) mark(model_.rules[r].condition, false, r);
    for (std::size_t l = n; l-- > 0;) {
      for (std::size_t neg = 0; neg < 2; ++neg) {
        if (needed_[l][neg]) mark(model_.lets[l].condition, neg != 0, first_user_[l][neg]);
      }
    }
    for (std::size_t l = 0; l < n; ++l) {
      for (std::size_t neg = 0; neg < 2; ++neg) {
        if (!needed_[l][neg]) continue;
        std::optional<normal_form> form = normalize(model_.lets[l].condition, neg != 0, lim_.max_table_rows);
        if (!form) {
          report_limit(result, first_user_[l][neg]);
          return false;
        }
        lets_[l][neg] = std::move(*form);
      }
    }
    return true;
  }

  // Records the lets an expression refers to, with the polarity they are used in.
  void mark(const expr& e, bool negated, std::uint32_t rule) {
    switch (e.of) {
      case expr::kind::atom: return;
      case expr::kind::negate:
        for (const expr& x : e.operands) mark(x, !negated, rule);
        return;
      case expr::kind::all_of:
      case expr::kind::any_of:
        for (const expr& x : e.operands) mark(x, negated, rule);
        return;
      case expr::kind::let_ref:
        if (e.let_index < needed_.size()) {
          needed_[e.let_index][negated ? 1 : 0] = true;
          std::uint32_t& user = first_user_[e.let_index][negated ? 1 : 0];
          user = std::min(user, rule);
        }
        return;
    }
  }

  // Returns the normal form of `e` (negated when asked), or nothing when it would have
  // more than `budget` disjuncts.
  std::optional<normal_form> normalize(const expr& e, bool negated, std::size_t budget) {
    switch (e.of) {
      case expr::kind::atom: {
        if (budget < 1) return std::nullopt;
        conjunction c;
        c.cells.push_back(atom_cell(model_, e.test, negated, symbols_));
        return normal_form{std::move(c)};
      }
      case expr::kind::negate:
        if (e.operands.empty()) return std::nullopt;
        return normalize(e.operands.front(), !negated, budget);
      case expr::kind::let_ref: {
        if (e.let_index >= lets_.size()) return std::nullopt;
        const normal_form& f = lets_[e.let_index][negated ? 1 : 0];
        if (f.size() > budget) return std::nullopt;
        return f;
      }
      case expr::kind::all_of:
      case expr::kind::any_of: {
        // `and`, or a negated `or` (De Morgan), multiplies; `or` concatenates.
        const bool product = (e.of == expr::kind::all_of) != negated;
        normal_form acc;
        if (product) acc.push_back({});
        for (const expr& x : e.operands) {
          std::optional<normal_form> part = normalize(x, negated, budget);
          if (!part) return std::nullopt;
          if (product) {
            if (acc.size() * part->size() > budget ||
                (part->size() != 0 && acc.size() > budget / part->size())) {
              return std::nullopt;
            }
            form_builder next;
            for (const conjunction& a : acc) {
              for (const conjunction& b : *part) next.add(conjoin(a, b));
            }
            acc = next.take();
          } else {
            if (acc.size() + part->size() > budget) return std::nullopt;
            form_builder next;
            for (conjunction& a : acc) next.add(std::move(a));
            for (conjunction& b : *part) next.add(std::move(b));
            acc = next.take();
          }
        }
        return acc;
      }
    }
    return std::nullopt;
  }

  void report_limit(table_result& result, std::uint32_t rule) {
    const rule_def* r = rule < model_.rules.size() ? &model_.rules[rule] : nullptr;
    std::string message = "rule '" + (r ? r->name : std::string("?")) +
                          "' expands to more decision-table rows than the limit max_table_rows (" +
                          std::to_string(lim_.max_table_rows) + ")";
    diagnostic d = make_diagnostic(diagnostic_code::limit_exceeded, r ? r->where : span{}, std::move(message));
    d.notes.push_back({r ? r->condition.where : span{},
                       "each 'or' inside an 'and' multiplies the rows of a rule"});
    result.issues.push_back(std::move(d));
  }

  const model& model_;
  const limits& lim_;
  decision_table table_;
  symbol_table symbols_;
  std::vector<std::array<bool, 2>> needed_;            // per let: [positive, negated]
  std::vector<std::array<std::uint32_t, 2>> first_user_;  // the first rule needing it
  std::vector<std::array<normal_form, 2>> lets_;
};

// ---- text ---------------------------------------------------------------------------

std::string number_text(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // "n": inf, nan
  return s;
}

std::string quoted(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

// A tag prints bare when it reads as one word (`has vpn`), quoted otherwise.
std::string tag_text(std::string_view tag) {
  const bool bare = !tag.empty() && std::all_of(tag.begin(), tag.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-' || ch == '.';
  });
  return bare ? std::string(tag) : quoted(tag);
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string braced(const std::vector<std::string>& items) { return "{" + join(items, ", ") + "}"; }

}  // namespace
}  // namespace detail

table_result build_table(const model& m, const limits& lim) {
  return detail::table_builder(m, lim).run();
}

std::string format_duration(std::int64_t seconds) {
  std::string out;
  std::uint64_t magnitude = seconds < 0 ? 0 - static_cast<std::uint64_t>(seconds)
                                        : static_cast<std::uint64_t>(seconds);
  if (seconds < 0) out += '-';
  if (magnitude == 0) return "0s";
  static constexpr std::pair<std::uint64_t, char> units[] = {
      {604800, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  for (const auto& [size, unit] : units) {
    if (magnitude >= size) {
      out += std::to_string(magnitude / size);
      out += unit;
      magnitude %= size;
    }
  }
  return out;
}

std::string_view subject_name(const model& m, subject_ref s) noexcept {
  if (s.of == subject_ref::kind::field) {
    return s.index < m.fields.size() ? std::string_view(m.fields[s.index].name) : std::string_view{};
  }
  return s.index < m.outputs.size() ? std::string_view(m.outputs[s.index].name) : std::string_view{};
}

std::string value_text(const model& m, const scalar& v, std::uint32_t enum_index, bool is_duration) {
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* d = std::get_if<double>(&v)) return detail::number_text(*d);
  if (const auto* s = std::get_if<std::string>(&v)) return detail::quoted(*s);
  const std::int64_t i = std::get<std::int64_t>(v);
  if (enum_index != no_index && enum_index < m.enums.size()) {
    const auto& members = m.enums[enum_index].members;
    if (i >= 0 && static_cast<std::uint64_t>(i) < members.size()) return members[static_cast<std::size_t>(i)];
  }
  if (is_duration) return format_duration(i);
  return std::to_string(i);
}

std::string cell_text(const cell& c, const model& m, const decision_table& t) {
  using detail::braced;
  constexpr std::int64_t int_min = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t int_max = std::numeric_limits<std::int64_t>::max();
  const bool field = c.subject.of == subject_ref::kind::field;
  const bool duration = field && c.subject.index < m.fields.size() &&
                        m.fields[c.subject.index].type == field_type::duration;
  const std::uint32_t enum_index =
      field ? (c.subject.index < m.fields.size() ? m.fields[c.subject.index].enum_index : no_index)
            : (c.subject.index < m.outputs.size() ? m.outputs[c.subject.index].enum_index : no_index);
  auto int_text = [&](std::int64_t v) { return duration ? format_duration(v) : std::to_string(v); };
  // A duration bound prints in its rounder form: `< 2h` rather than `<= 1h59m59s`.
  auto rounder = [&](std::int64_t strict, std::int64_t inclusive) {
    return duration && strict % 60 == 0 && inclusive % 60 != 0;
  };

  std::vector<std::string> parts;
  if (c.accepts_present) {
    switch (c.kind) {
      case cell_kind::boolean:
        if (c.booleans == 0b10) parts.push_back("true");
        else if (c.booleans == 0b01) parts.push_back("false");
        else parts.push_back("present");
        break;
      case cell_kind::integer: {
        const bool all_points = std::all_of(c.ints.begin(), c.ints.end(), [](const int_range& r) { return r.lo == r.hi; });
        std::vector<int_range> holes;  // the complement, when it is a few points
        std::int64_t next = int_min;
        bool points_only = true;
        for (const int_range& r : c.ints) {
          if (r.lo > next) {
            if (r.lo - 1 != next) points_only = false;
            holes.push_back({next, r.lo - 1});
          }
          next = r.hi == int_max ? int_max : r.hi + 1;
        }
        if (!c.ints.empty() && c.ints.back().hi != int_max) points_only = false;
        if (c.ints.empty() || c.ints.front().lo != int_min) points_only = false;
        if (c.ints.size() == 1 && c.ints[0].lo == int_min && c.ints[0].hi == int_max) {
          parts.push_back("present");
        } else if (all_points) {
          std::vector<std::string> items;
          for (const int_range& r : c.ints) items.push_back(int_text(r.lo));
          parts.push_back(items.size() == 1 ? "== " + items[0] : "in " + braced(items));
        } else if (points_only && !holes.empty()) {
          std::vector<std::string> items;
          for (const int_range& r : holes) items.push_back(int_text(r.lo));
          parts.push_back(items.size() == 1 ? "!= " + items[0] : "not in " + braced(items));
        } else {
          std::vector<std::string> alts;
          for (const int_range& r : c.ints) {
            std::string lo;
            std::string hi;
            if (r.lo != int_min) lo = rounder(r.lo - 1, r.lo) ? "> " + int_text(r.lo - 1) : ">= " + int_text(r.lo);
            if (r.hi != int_max) hi = rounder(r.hi + 1, r.hi) ? "< " + int_text(r.hi + 1) : "<= " + int_text(r.hi);
            if (r.lo == r.hi) alts.push_back("== " + int_text(r.lo));
            else if (lo.empty()) alts.push_back(hi);
            else if (hi.empty()) alts.push_back(lo);
            else alts.push_back(lo + " and " + hi);
          }
          parts.push_back(detail::join(alts, " or "));
        }
        break;
      }
      case cell_kind::number: {
        std::vector<std::string> alts;
        for (const real_range& r : c.reals) {
          const bool lo_inf = std::isinf(r.lo);
          const bool hi_inf = std::isinf(r.hi);
          if (lo_inf && hi_inf) alts.push_back("present");
          else if (r.lo == r.hi) alts.push_back("== " + detail::number_text(r.lo));
          else {
            std::string lo = lo_inf ? "" : (r.lo_open ? "> " : ">= ") + detail::number_text(r.lo);
            std::string hi = hi_inf ? "" : (r.hi_open ? "< " : "<= ") + detail::number_text(r.hi);
            alts.push_back(lo.empty() ? hi : hi.empty() ? lo : lo + " and " + hi);
          }
        }
        // `!= 2.5` is two ranges meeting at an excluded point.
        if (c.reals.size() == 2 && std::isinf(c.reals[0].lo) && std::isinf(c.reals[1].hi) &&
            c.reals[0].hi == c.reals[1].lo && c.reals[0].hi_open && c.reals[1].lo_open) {
          alts = {"!= " + detail::number_text(c.reals[0].hi)};
        }
        parts.push_back(detail::join(alts, " or "));
        break;
      }
      case cell_kind::enumeration: {
        std::vector<std::string> items;
        for (const std::uint32_t i : c.members) items.push_back(value_text(m, scalar{std::int64_t{i}}, enum_index));
        const std::size_t size = enum_index < m.enums.size() ? m.enums[enum_index].members.size() : 0;
        if (items.size() == size) parts.push_back("present");
        else if (items.size() == 1) parts.push_back("== " + items[0]);
        else parts.push_back("in " + braced(items));
        break;
      }
      case cell_kind::string: {
        if (c.one_of) {
          std::vector<std::string> items;
          for (const std::string& s : *c.one_of) items.push_back(detail::quoted(s));
          parts.push_back(items.size() == 1 ? "== " + items[0] : "in " + braced(items));
        }
        if (!c.none_of.empty()) {
          std::vector<std::string> items;
          for (const std::string& s : c.none_of) items.push_back(detail::quoted(s));
          parts.push_back(items.size() == 1 ? "!= " + items[0] : "not in " + braced(items));
        }
        for (const text_test& test : c.tests) {
          const char* op = test.op == text_op::contains      ? "contains "
                           : test.op == text_op::starts_with ? "starts_with "
                                                             : "ends_with ";
          parts.push_back((test.negated ? "not " : "") + std::string(op) + detail::quoted(test.needle));
        }
        if (parts.empty()) parts.push_back("present");
        break;
      }
      case cell_kind::tags: {
        const bool collect_enum = !field && c.subject.index < m.outputs.size() &&
                                  m.outputs[c.subject.index].type == output_type::enumeration;
        auto name = [&](std::uint32_t id) -> std::string {
          if (collect_enum) return value_text(m, scalar{std::int64_t{id}}, enum_index);
          return id < t.symbols.size() ? detail::tag_text(t.symbols[id]) : "?";
        };
        auto names = [&](const std::vector<std::uint32_t>& ids) {
          std::vector<std::string> items;
          for (const std::uint32_t id : ids) items.push_back(name(id));
          return items;
        };
        for (const std::uint32_t id : c.required) parts.push_back("has " + name(id));
        for (const std::uint32_t id : c.forbidden) parts.push_back("not has " + name(id));
        for (const auto& g : c.any_of) parts.push_back("has any " + braced(names(g)));
        for (const auto& g : c.not_all_of) parts.push_back("not has all " + braced(names(g)));
        if (parts.empty()) parts.push_back("present");
        break;
      }
    }
  }
  std::string text = detail::join(parts, " and ");
  if (c.accepts_missing) return text.empty() ? "missing" : text + " or missing";
  return text.empty() ? "never" : text;
}

}  // namespace triage
