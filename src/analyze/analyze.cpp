// The static analysis: exact value classes per field, enumerated per output, decided by
// the evaluator. See <triage/analyze.hpp> for the idea; this file holds the proofs that
// the representatives are exact (each comment above a `*_candidates` function).
#include "triage/analyze.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace triage {
namespace {

constexpr std::int64_t int_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t int_max = std::numeric_limits<std::int64_t>::max();
// Candidates generated for one field before duplicates are merged; past this the field is
// too large to enumerate (strings with many needles, tags fields with many tags).
constexpr std::uint64_t max_candidates_per_field = std::uint64_t{1} << 16;

// One representative value of a field (only the member matching the field's type is used).
struct rep {
  bool missing = false;
  std::int64_t i = 0;  // bool, int, duration, enum member
  double d = 0.0;
  std::string s;
  std::vector<std::string> tags;
};

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) {
    return std::numeric_limits<std::uint64_t>::max();
  }
  return a * b;
}

char ascii_lower(char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch; }

std::string lowered(std::string_view text) {
  std::string out(text);
  for (char& ch : out) ch = ascii_lower(ch);
  return out;
}

// Integers: a cell accepts a union of closed ranges, so its verdict changes only at some
// range's `lo` or one past its `hi`. Those points (and INT64_MIN) start the maximal runs of
// integers on which every cell agrees; one value per run is exact. We take the run's value
// closest to 0, which makes examples readable.
std::vector<rep> int_candidates(const std::vector<const cell*>& cells) {
  std::set<std::int64_t> starts{int_min};
  for (const cell* c : cells) {
    for (const int_range& r : c->ints) {
      starts.insert(r.lo);
      if (r.hi != int_max) starts.insert(r.hi + 1);
    }
  }
  std::vector<rep> out;
  for (auto it = starts.begin(); it != starts.end(); ++it) {
    const std::int64_t lo = *it;
    const auto next = std::next(it);
    const std::int64_t hi = next == starts.end() ? int_max : *next - 1;
    rep r;
    r.i = lo > 0 ? lo : (hi < 0 ? hi : 0);
    out.push_back(std::move(r));
  }
  return out;
}

// A value strictly between lo and hi (either may be infinite), preferring short ones;
// nothing when no finite double lies between them.
std::optional<double> between(double lo, double hi) {
  const double tries[] = {0.0, std::floor(lo) + 1.0, std::ceil(hi) - 1.0, lo / 2 + hi / 2,
                          std::nextafter(lo, hi), std::nextafter(hi, lo)};
  for (const double v : tries) {
    if (std::isfinite(v) && lo < v && v < hi) return v;
  }
  return std::nullopt;
}

// Numbers: a cell accepts a union of ranges whose ends are open or closed, so its verdict
// is fixed by how the value compares (<, =, >) with every finite end. The classes are the
// ends themselves and the open gaps between consecutive ends (and beyond the outermost);
// one value from each non-empty class is exact.
std::vector<rep> number_candidates(const std::vector<const cell*>& cells) {
  std::set<double> ends;
  for (const cell* c : cells) {
    for (const real_range& r : c->reals) {
      if (std::isfinite(r.lo)) ends.insert(r.lo);
      if (std::isfinite(r.hi)) ends.insert(r.hi);
    }
  }
  std::vector<double> values;
  double previous = -std::numeric_limits<double>::infinity();
  for (const double e : ends) {
    if (auto v = between(previous, e)) values.push_back(*v);
    values.push_back(e);
    previous = e;
  }
  if (auto v = between(previous, std::numeric_limits<double>::infinity())) values.push_back(*v);
  std::vector<rep> out;
  for (const double v : values) {
    rep r;
    r.d = v;
    out.push_back(std::move(r));
  }
  return out;
}

// Strings: a cell tests equality with literals and ASCII case-insensitive substring tests
// with needles. Take any string w.
// - If w equals a literal, that literal is a candidate and is w.
// - Otherwise let P be the longest starts_with needle that is a prefix of lower(w) (every
//   other such needle is a prefix of P), S the longest ends_with needle that is a suffix,
//   and C the contains needles that occur in lower(w). The candidate
//       P + sep + c1 + sep + c2 ... + sep + S        (c_i in C, lowercased)
//   where `sep` is a character of no literal and no needle, agrees with w on every test:
//   a needle holds no `sep`, so it occurs in the candidate only inside one piece, and every
//   piece occurs in lower(w) — so the candidate contains a needle iff w does; likewise a
//   needle is a prefix of the candidate iff it is a prefix of P, i.e. of lower(w) (and the
//   same for suffixes); and the candidate equals no literal since it holds `sep`, as w
//   equals none. Enumerating every P (or none), S (or none) and subset C therefore covers
//   every class. Returns nothing when no separator is free or there are too many needles.
std::optional<std::vector<rep>> string_candidates(const std::vector<const cell*>& cells) {
  std::set<std::string> literals;
  std::set<std::string> prefixes;
  std::set<std::string> suffixes;
  std::set<std::string> inner;
  for (const cell* c : cells) {
    if (c->one_of) literals.insert(c->one_of->begin(), c->one_of->end());
    literals.insert(c->none_of.begin(), c->none_of.end());
    for (const text_test& t : c->tests) {
      std::string needle = lowered(t.needle);
      switch (t.op) {
        case text_op::starts_with: prefixes.insert(std::move(needle)); break;
        case text_op::ends_with: suffixes.insert(std::move(needle)); break;
        case text_op::contains: inner.insert(std::move(needle)); break;
      }
    }
  }
  const std::uint64_t count =
      inner.size() >= 16 ? max_candidates_per_field + 1
                         : saturating_mul((prefixes.size() + 1) * (suffixes.size() + 1),
                                          std::uint64_t{1} << inner.size());
  if (count > max_candidates_per_field) return std::nullopt;

  auto used = [&](char ch) {
    auto in = [&](const std::set<std::string>& set) {
      return std::any_of(set.begin(), set.end(),
                         [&](const std::string& s) { return s.find(ch) != std::string::npos; });
    };
    return in(literals) || in(prefixes) || in(suffixes) || in(inner);
  };
  std::optional<char> sep;
  for (const char ch : std::string_view("|#~-_.:;,+=/!%^*@ 0123456789")) {
    if (!used(ch)) {
      sep = ch;
      break;
    }
  }
  if (!sep) return std::nullopt;

  std::vector<rep> out;
  for (const std::string& lit : literals) {
    rep r;
    r.s = lit;
    out.push_back(std::move(r));
  }
  std::vector<std::string> p_choices{""};
  p_choices.insert(p_choices.end(), prefixes.begin(), prefixes.end());
  std::vector<std::string> s_choices{""};
  s_choices.insert(s_choices.end(), suffixes.begin(), suffixes.end());
  const std::vector<std::string> c_list(inner.begin(), inner.end());
  for (const std::string& p : p_choices) {
    for (const std::string& s : s_choices) {
      for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << c_list.size()); ++mask) {
        rep r;
        r.s = p;
        for (std::size_t k = 0; k < c_list.size(); ++k) {
          if ((mask >> k & 1u) != 0) {
            r.s += *sep;
            r.s += c_list[k];
          }
        }
        r.s += *sep;
        r.s += s;
        out.push_back(std::move(r));
      }
    }
  }
  return out;
}

// Tags: a ticket keeps only the tags the policy mentions, and a cell tests membership of
// the symbols it names, so the subsets of the symbols this field's cells name are exact
// (a mentioned tag no cell of these outputs names changes none of their verdicts).
std::optional<std::vector<rep>> tag_candidates(const std::vector<const cell*>& cells,
                                               const decision_table& table) {
  std::set<std::uint32_t> ids;
  for (const cell* c : cells) {
    ids.insert(c->required.begin(), c->required.end());
    ids.insert(c->forbidden.begin(), c->forbidden.end());
    for (const auto& g : c->any_of) ids.insert(g.begin(), g.end());
    for (const auto& g : c->not_all_of) ids.insert(g.begin(), g.end());
  }
  if (ids.size() >= 16) return std::nullopt;
  const std::vector<std::uint32_t> list(ids.begin(), ids.end());
  std::vector<rep> out;
  for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << list.size()); ++mask) {
    rep r;
    for (std::size_t k = 0; k < list.size(); ++k) {
      if ((mask >> k & 1u) != 0 && list[k] < table.symbols.size()) r.tags.push_back(table.symbols[list[k]]);
    }
    out.push_back(std::move(r));
  }
  return out;
}

void apply(ticket& t, field_handle f, const rep& r) {
  if (r.missing) {
    t.clear(f);
    return;
  }
  switch (f.type()) {
    case field_type::boolean: t.set_bool(f, r.i != 0); break;
    case field_type::integer: t.set_int(f, r.i); break;
    case field_type::duration: t.set_duration(f, std::chrono::seconds{r.i}); break;
    case field_type::number: t.set_number(f, r.d); break;
    case field_type::string: t.set_text(f, r.s); break;
    case field_type::enumeration: t.set_member(f, static_cast<std::uint32_t>(r.i)); break;
    case field_type::tags: {
      std::vector<std::string_view> views(r.tags.begin(), r.tags.end());
      t.set_tags(f, std::span<const std::string_view>(views));
      break;
    }
  }
}

// The representatives of one field for the given cells: candidates, plus missing when the
// field is optional, with candidates that every cell treats alike merged into one.
// Nothing when the field has too many candidates.
std::optional<std::vector<rep>> representatives(const policy& p, std::uint32_t field,
                                                const std::vector<const cell*>& cells,
                                                ticket& scratch, const decision& d) {
  const field_def& def = p.model().fields[field];
  std::optional<std::vector<rep>> cand;
  switch (def.type) {
    case field_type::boolean: {
      cand.emplace(2);
      (*cand)[1].i = 1;
      break;
    }
    case field_type::enumeration: {
      cand.emplace();
      const std::size_t n = p.model().enums[def.enum_index].members.size();
      for (std::size_t k = 0; k < n; ++k) {
        rep r;
        r.i = static_cast<std::int64_t>(k);
        cand->push_back(std::move(r));
      }
      break;
    }
    case field_type::integer:
    case field_type::duration: cand = int_candidates(cells); break;
    case field_type::number: cand = number_candidates(cells); break;
    case field_type::string: cand = string_candidates(cells); break;
    case field_type::tags: cand = tag_candidates(cells, p.table()); break;
  }
  if (!cand) return std::nullopt;
  if (!def.required) {
    rep r;
    r.missing = true;
    cand->insert(cand->begin(), std::move(r));
  }
  const field_handle f = p.field_at(field);
  std::set<std::vector<bool>> seen;
  std::vector<rep> out;
  for (rep& r : *cand) {
    apply(scratch, f, r);
    std::vector<bool> signature;
    signature.reserve(cells.size());
    for (const cell* c : cells) signature.push_back(p.cell_accepts(*c, scratch, d));
    if (seen.insert(std::move(signature)).second) out.push_back(std::move(r));
  }
  scratch.clear(f);
  return out;
}

// A neutral valid value for a required field the output does not depend on.
rep neutral(const field_def&) { return rep{}; }

// Where a finding about a rule points: its label, or the output name it starts with when
// it has none (as the rulecheck contract's sample underlines `p2_any`).
span head(const model& m, const rule_def& r) {
  const std::size_t size = r.label ? r.label->size() : m.outputs[r.output].name.size();
  const std::uint32_t end = r.where.begin + static_cast<std::uint32_t>(size);
  return {r.where.begin, end < r.where.end ? end : r.where.end};
}

struct rule_stats {
  std::uint64_t matches = 0;
  std::uint64_t hash = 0;  // a sum of mixed ticket numbers: equal match sets, equal hashes
  bool decided = false;
  std::string example;     // the first ticket it matched
  std::vector<std::uint32_t> takers;  // `first`: earlier rules that decided its tickets
};

std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

struct finding {
  std::uint32_t order = 0;  // source position, for sorting
  diagnostic diag;
};

// Walks every ticket of the output's enumeration, calling `visit(number, ticket)`.
class enumeration {
 public:
  enumeration(const std::shared_ptr<const policy>& p, std::vector<field_handle> fields,
              std::vector<std::vector<rep>> reps)
      : t_(p), fields_(std::move(fields)), reps_(std::move(reps)) {
    const model& m = p->model();
    for (std::uint32_t f = 0; f < m.fields.size(); ++f) {
      if (m.fields[f].required && std::find(fields_.begin(), fields_.end(), p->field_at(f)) == fields_.end()) {
        apply(t_, p->field_at(f), neutral(m.fields[f]));
      }
    }
  }
  template <class Visit>
  void run(Visit&& visit) {
    std::vector<std::size_t> digit(fields_.size(), 0);
    for (std::size_t k = 0; k < fields_.size(); ++k) apply(t_, fields_[k], reps_[k][0]);
    for (std::uint64_t number = 0;; ++number) {
      visit(number, t_);
      std::size_t k = 0;
      for (; k < fields_.size(); ++k) {
        if (++digit[k] < reps_[k].size()) {
          apply(t_, fields_[k], reps_[k][digit[k]]);
          break;
        }
        digit[k] = 0;
        apply(t_, fields_[k], reps_[k][0]);
      }
      if (k == fields_.size()) return;
    }
  }

 private:
  ticket t_;
  std::vector<field_handle> fields_;
  std::vector<std::vector<rep>> reps_;
};

void analyze_output(const std::shared_ptr<const policy>& pp, std::uint32_t out_index,
                    const analysis_options& options, std::vector<finding>& found) {
  const policy& p = *pp;
  const model& m = p.model();
  const output_def& out = m.outputs[out_index];
  const output_handle oh = p.output_at(out_index);
  if (out.rules.empty()) return;

  // The outputs this one depends on, itself included; their field cells.
  std::vector<bool> in_closure(m.outputs.size(), false);
  std::vector<std::uint32_t> stack{out_index};
  while (!stack.empty()) {
    const std::uint32_t o = stack.back();
    stack.pop_back();
    if (in_closure[o]) continue;
    in_closure[o] = true;
    for (const std::uint32_t r : m.outputs[o].reads) stack.push_back(r);
  }
  std::map<std::uint32_t, std::vector<const cell*>> cells_of;
  for (std::uint32_t o = 0; o < m.outputs.size(); ++o) {
    if (!in_closure[o]) continue;
    for (const table_row& row : p.table().outputs[o].rows) {
      for (const cell& c : row.cells) {
        if (c.subject.of == subject_ref::kind::field) cells_of[c.subject.index].push_back(&c);
      }
    }
  }

  ticket scratch(pp);
  decision d(pp);
  std::vector<field_handle> fields;
  std::vector<std::vector<rep>> reps;
  std::uint64_t total = 1;
  bool too_large = false;
  for (const auto& [field, cells] : cells_of) {
    std::optional<std::vector<rep>> r = representatives(p, field, cells, scratch, d);
    if (!r) {
      too_large = true;
      break;
    }
    total = saturating_mul(total, r->size());
    fields.push_back(p.field_at(field));
    reps.push_back(std::move(*r));
  }
  if (too_large || total > options.max_tickets_per_output) {
    diagnostic diag = make_diagnostic(
        diagnostic_code::analysis_budget, out.where,
        too_large ? "output '" + out.name + "' depends on too many distinct string or tag values to analyse"
                  : "output '" + out.name + "' needs " +
                        (total == std::numeric_limits<std::uint64_t>::max() ? std::string("over 2^64")
                                                                             : std::to_string(total)) +
                        " example tickets, more than the analysis budget of " +
                        std::to_string(options.max_tickets_per_output) + " (max_tickets_per_output)");
    diag.notes.push_back({out.where, "its rules were not checked for overlaps, gaps or shadowing"});
    found.push_back({out.where.begin, std::move(diag)});
    return;
  }

  std::vector<std::uint32_t> local(m.rules.size(), no_index);
  for (std::uint32_t k = 0; k < out.rules.size(); ++k) local[out.rules[k]] = k;
  std::vector<rule_stats> stats(out.rules.size());
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::string> overlaps;
  std::string gap;
  const bool is_first = out.policy == hit_policy::first;
  const bool is_unique = out.policy == hit_policy::unique;
  constexpr std::size_t max_overlaps = 100;

  enumeration walk(pp, fields, reps);
  evaluation_trace trace;
  walk.run([&](std::uint64_t number, const ticket& t) {
    p.evaluate(t, d, trace);
    const std::span<const std::uint32_t> matched = trace.matched(oh);
    if (matched.empty()) {
      if (out.complete && gap.empty()) gap = t.to_json();
      return;
    }
    if (!options.warnings && !is_unique) return;
    const std::uint64_t h = mix(number);
    for (std::size_t k = 0; k < matched.size(); ++k) {
      rule_stats& s = stats[local[matched[k]]];
      if (s.matches++ == 0 && options.warnings) s.example = t.to_json();
      s.hash += h;
      if (k == 0) {
        s.decided = true;
      } else if (is_first && s.takers.size() < 8 &&
                 std::find(s.takers.begin(), s.takers.end(), matched[0]) == s.takers.end()) {
        s.takers.push_back(matched[0]);
      }
    }
    if (is_unique && matched.size() > 1 && overlaps.size() < max_overlaps) {
      for (std::size_t a = 0; a < matched.size(); ++a) {
        for (std::size_t b = a + 1; b < matched.size(); ++b) {
          if (overlaps.size() < max_overlaps) overlaps.try_emplace({matched[a], matched[b]}, t.to_json());
        }
      }
    }
  });

  if (!gap.empty()) {
    diagnostic diag = make_diagnostic(diagnostic_code::incomplete_output, out.where,
                                      "complete output '" + out.name + "' has no rule for some tickets");
    diag.notes.push_back({out.where, "no rule of '" + out.name + "' matches the example ticket"});
    diag.example_json = gap;
    found.push_back({out.where.begin, std::move(diag)});
  }
  for (const auto& [pair, example] : overlaps) {
    const rule_def& a = m.rules[pair.first];
    const rule_def& b = m.rules[pair.second];
    diagnostic diag = make_diagnostic(diagnostic_code::unique_overlap, head(m, b),
                                      "rules '" + a.name + "' and '" + b.name + "' of unique output '" +
                                          out.name + "' both match some tickets");
    diag.notes.push_back({head(m, a), "rule '" + a.name + "' also matches the example ticket"});
    diag.example_json = example;
    found.push_back({b.where.begin, std::move(diag)});
  }
  if (!options.warnings) return;

  // Duplicates: same value, same non-empty set of tickets. Equal hashes only nominate a
  // pair; a second walk confirms it ticket by ticket.
  std::vector<std::uint32_t> duplicate_of(out.rules.size(), no_index);
  if (out.policy != hit_policy::sum) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> nominated;  // (earlier, later) local
    for (std::uint32_t b = 0; b < out.rules.size(); ++b) {
      if (stats[b].matches == 0) continue;
      for (std::uint32_t a = 0; a < b; ++a) {
        if (stats[a].matches == stats[b].matches && stats[a].hash == stats[b].hash &&
            m.rules[out.rules[a]].value == m.rules[out.rules[b]].value) {
          nominated.emplace_back(a, b);
          break;
        }
      }
    }
    if (!nominated.empty()) {
      std::vector<bool> differs(nominated.size(), false);
      enumeration again(pp, fields, reps);
      again.run([&](std::uint64_t, const ticket& t) {
        p.evaluate(t, d, trace);
        const std::span<const std::uint32_t> matched = trace.matched(oh);
        auto has = [&](std::uint32_t local_rule) {
          return std::binary_search(matched.begin(), matched.end(), out.rules[local_rule]);
        };
        for (std::size_t k = 0; k < nominated.size(); ++k) {
          if (has(nominated[k].first) != has(nominated[k].second)) differs[k] = true;
        }
      });
      for (std::size_t k = 0; k < nominated.size(); ++k) {
        if (!differs[k]) duplicate_of[nominated[k].second] = nominated[k].first;
      }
    }
  }

  for (std::uint32_t k = 0; k < out.rules.size(); ++k) {
    const rule_def& r = m.rules[out.rules[k]];
    const rule_stats& s = stats[k];
    if (s.matches == 0) {
      found.push_back({r.where.begin, make_diagnostic(diagnostic_code::unsatisfiable_rule, head(m, r),
                                                      "rule '" + r.name + "' can never match")});
      continue;
    }
    if (s.matches == total) {
      diagnostic diag = make_diagnostic(diagnostic_code::always_true, head(m, r),
                                        "the condition of rule '" + r.name + "' is always true");
      found.push_back({r.where.begin, std::move(diag)});
    }
    if (duplicate_of[k] != no_index) {
      const rule_def& a = m.rules[out.rules[duplicate_of[k]]];
      diagnostic diag = make_diagnostic(diagnostic_code::duplicate_rule, head(m, r),
                                        "rule '" + r.name + "' duplicates rule '" + a.name + "'");
      diag.notes.push_back({head(m, a), "rule '" + a.name + "' matches exactly the same tickets with the same value"});
      found.push_back({r.where.begin, std::move(diag)});
      continue;
    }
    if (is_first && !s.decided) {
      diagnostic diag = make_diagnostic(diagnostic_code::shadowed_rule, head(m, r),
                                        "rule '" + r.name + "' can never decide '" + out.name + "'");
      std::vector<std::uint32_t> takers = s.takers;
      std::sort(takers.begin(), takers.end());
      if (takers.size() == 1) {
        diag.notes.push_back({head(m, m.rules[takers[0]]),
                              "every ticket it matches is matched first by rule '" + m.rules[takers[0]].name + "'"});
      } else {
        for (const std::uint32_t taker : takers) {
          diag.notes.push_back({head(m, m.rules[taker]),
                                "rule '" + m.rules[taker].name + "' matches some of its tickets first"});
        }
      }
      diag.example_json = s.example;
      found.push_back({r.where.begin, std::move(diag)});
    }
  }
}

}  // namespace

diagnostics analyze(const std::shared_ptr<const policy>& p, const analysis_options& options) {
  std::vector<finding> found;
  if (!p) return {};
  const model& m = p->model();
  for (std::uint32_t o = 0; o < m.outputs.size(); ++o) {
    const output_def& out = m.outputs[o];
    if (!options.warnings && out.policy != hit_policy::unique && !out.complete) continue;
    analyze_output(p, o, options, found);
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const finding& a, const finding& b) { return a.order < b.order; });
  diagnostics out;
  out.reserve(found.size());
  for (finding& f : found) out.push_back(std::move(f.diag));
  return out;
}

}  // namespace triage
