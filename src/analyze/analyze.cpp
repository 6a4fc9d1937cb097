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
                                                ticket& scratch, const decision& d,
                                                std::uint64_t max_checks) {
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
  // Merging candidates checks each against every cell, and so do the analyses after it.
  if (!cand || saturating_mul(cand->size() + 1, cells.size()) > max_checks) return std::nullopt;
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

// Rules `a` and `b` (b later) of unique output `out` both match the example ticket.
finding overlap_finding(const model& m, const output_def& out, const rule_def& a, const rule_def& b,
                        std::string example_json) {
  diagnostic diag = make_diagnostic(diagnostic_code::unique_overlap, head(m, b),
                                    "rules '" + a.name + "' and '" + b.name + "' of unique output '" +
                                        out.name + "' both match some tickets");
  diag.notes.push_back({head(m, a), "rule '" + a.name + "' also matches the example ticket"});
  diag.example_json = std::move(example_json);
  return {b.where.begin, std::move(diag)};
}

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

// Visits every combination of the representatives of `subset` (positions in `fields`),
// the other fields keeping the values `t` holds; `t` is left as it was found.
// `current[f]` is kept as the index of the representative field f holds (0 outside).
template <class Visit>
void walk_subset(ticket& t, const std::vector<field_handle>& fields, const std::vector<std::vector<rep>>& reps,
                 const std::vector<std::uint32_t>& subset, std::vector<std::uint32_t>& current,
                 Visit&& visit) {
  std::vector<std::uint32_t> digit(subset.size(), 0);
  for (;;) {
    visit(t);
    std::size_t k = 0;
    for (; k < subset.size(); ++k) {
      const std::uint32_t f = subset[k];
      if (++digit[k] < reps[f].size()) {
        apply(t, fields[f], reps[f][digit[k]]);
        current[f] = digit[k];
        break;
      }
      digit[k] = 0;
      current[f] = 0;
      apply(t, fields[f], reps[f][0]);
    }
    if (k == subset.size()) return;
  }
}

// The analysis of an output too large to enumerate as a whole, one rule at a time. A
// rule's verdicts depend only on the fields its rows test (and those of the outputs they
// read), and on the earlier rules that can match a ticket together with it; two rows can
// do so unless some field they both test has no representative both cells accept, which
// per-cell bitsets over the representatives decide exactly. Each rule's question is
// enumerated over just those fields, within the budget; a `complete` output's gaps need
// every rule at once and get a budget note.
void analyze_rule_by_rule(const std::shared_ptr<const policy>& pp, std::uint32_t out_index,
                          const analysis_options& options, const std::vector<field_handle>& fields,
                          const std::vector<std::vector<rep>>& reps, std::uint64_t total,
                          std::vector<finding>& found) {
  const policy& p = *pp;
  const model& m = p.model();
  const output_def& out = m.outputs[out_index];
  const output_handle oh = p.output_at(out_index);
  const std::size_t nf = fields.size();
  std::vector<std::uint32_t> position(m.fields.size(), no_index);
  for (std::uint32_t k = 0; k < nf; ++k) position[fields[k].index()] = k;

  // Fields each output depends on, through the outputs it reads.
  std::vector<std::vector<bool>> output_fields(m.outputs.size());
  for (const std::uint32_t o : m.evaluation_order) {
    std::vector<bool> set(nf, false);
    for (const table_row& row : p.table().outputs[o].rows) {
      for (const cell& c : row.cells) {
        if (c.subject.of == subject_ref::kind::field) {
          if (position[c.subject.index] != no_index) set[position[c.subject.index]] = true;
        } else {
          for (std::size_t k = 0; k < nf; ++k) {
            if (!output_fields[c.subject.index].empty() && output_fields[c.subject.index][k]) set[k] = true;
          }
        }
      }
    }
    output_fields[o] = std::move(set);
  }

  ticket t(pp);
  decision d(pp);
  evaluation_trace trace;
  for (std::uint32_t f = 0; f < m.fields.size(); ++f) {
    if (m.fields[f].required) apply(t, p.field_at(f), neutral(m.fields[f]));
  }
  for (std::size_t k = 0; k < nf; ++k) apply(t, fields[k], reps[k][0]);

  // Per row: its field cells' acceptance bitsets over the representatives, by position.
  struct row_info {
    const table_row* row;
    std::vector<std::pair<std::uint32_t, std::vector<bool>>> accepts;  // sorted by position
    bool reads_outputs = false;
  };
  const std::vector<std::uint32_t>& rules = out.rules;
  std::vector<std::vector<row_info>> rows_of(rules.size());
  std::vector<std::vector<bool>> fields_of(rules.size(), std::vector<bool>(nf, false));
  std::vector<std::uint32_t> local(m.rules.size(), no_index);
  for (std::uint32_t k = 0; k < rules.size(); ++k) local[rules[k]] = k;
  for (const table_row& row : p.table().outputs[out_index].rows) {
    const std::uint32_t r = local[row.rule];
    row_info info{&row, {}, false};
    for (const cell& c : row.cells) {
      if (c.subject.of == subject_ref::kind::output) {
        info.reads_outputs = true;
        for (std::size_t k = 0; k < nf; ++k) {
          if (output_fields[c.subject.index][k]) fields_of[r][k] = true;
        }
        continue;
      }
      const std::uint32_t k = position[c.subject.index];
      fields_of[r][k] = true;
      std::vector<bool> bits;
      for (const rep& v : reps[k]) {
        apply(t, fields[k], v);
        bits.push_back(p.cell_accepts(c, t, d));
      }
      apply(t, fields[k], reps[k][0]);
      info.accepts.emplace_back(k, std::move(bits));
    }
    rows_of[r].push_back(std::move(info));
  }
  // A row with a cell no representative satisfies never matches, so it meets no row.
  auto never = [](const row_info& a) {
    if (a.row->contradictory) return true;
    return std::any_of(a.accepts.begin(), a.accepts.end(), [](const auto& entry) {
      return std::none_of(entry.second.begin(), entry.second.end(), [](bool bit) { return bit; });
    });
  };
  auto rows_meet = [&](const row_info& a, const row_info& b) {
    if (never(a) || never(b)) return false;
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.accepts.size() && j < b.accepts.size()) {
      if (a.accepts[i].first < b.accepts[j].first) {
        ++i;
      } else if (b.accepts[j].first < a.accepts[i].first) {
        ++j;
      } else {
        const std::vector<bool>& x = a.accepts[i].second;
        const std::vector<bool>& y = b.accepts[j].second;
        bool any = false;
        for (std::size_t v = 0; v < x.size() && !any; ++v) any = x[v] && y[v];
        if (!any) return false;
        ++i;
        ++j;
      }
    }
    return true;
  };
  auto may_meet = [&](std::uint32_t a, std::uint32_t b) {
    for (const row_info& x : rows_of[a]) {
      for (const row_info& y : rows_of[b]) {
        if (rows_meet(x, y)) return true;
      }
    }
    return false;
  };
  bool any_reads = false;
  for (const auto& list : rows_of) {
    for (const row_info& info : list) any_reads = any_reads || info.reads_outputs;
  }
  // Field cells are read from their bitsets at the current representatives; cells on
  // outputs ask the evaluator, over the decision of the current ticket.
  std::vector<std::uint32_t> current(nf, 0);
  auto rule_matches = [&](std::uint32_t r) {
    for (const row_info& info : rows_of[r]) {
      if (info.row->contradictory) continue;
      bool all = true;
      for (const auto& [k, bits] : info.accepts) {
        if (!bits[current[k]]) {
          all = false;
          break;
        }
      }
      if (all && info.reads_outputs) {
        for (const cell& c : info.row->cells) {
          if (c.subject.of == subject_ref::kind::output && !p.cell_accepts(c, t, d)) {
            all = false;
            break;
          }
        }
      }
      if (all) return true;
    }
    return false;
  };

  if (out.complete) {
    diagnostic diag = make_diagnostic(diagnostic_code::analysis_budget, out.where,
                                      "output '" + out.name + "' needs " + std::to_string(total) +
                                          " example tickets to check for gaps, more than the analysis budget of " +
                                          std::to_string(options.max_tickets_per_output) + " (max_tickets_per_output)");
    diag.notes.push_back({out.where, "it was not checked for gaps"});
    found.push_back({out.where.begin, std::move(diag)});
  }
  const bool is_first = out.policy == hit_policy::first;
  const bool is_unique = out.policy == hit_policy::unique;
  if (!options.warnings && !is_unique) return;  // only the gap question was asked
  std::uint64_t work_left = options.max_rule_checks_per_output;
  for (std::uint32_t r = 0; r < rules.size(); ++r) {
    const rule_def& rule = m.rules[rules[r]];
    // The earlier rules that matter: any that can meet it (first, unique), or only those
    // with its value (duplicates).
    std::vector<std::uint32_t> earlier;
    std::vector<bool> in_set = fields_of[r];
    for (std::uint32_t q = 0; q < r; ++q) {
      const bool same_value = out.policy != hit_policy::sum && m.rules[rules[q]].value == rule.value;
      if (!(is_first || is_unique || same_value) || (!options.warnings && !is_unique)) continue;
      if (!may_meet(q, r)) continue;
      earlier.push_back(q);
      for (std::size_t k = 0; k < nf; ++k) in_set[k] = in_set[k] || fields_of[q][k];
    }
    std::vector<std::uint32_t> subset;
    std::uint64_t count = 1;
    for (std::uint32_t k = 0; k < nf; ++k) {
      if (in_set[k]) {
        subset.push_back(k);
        count = saturating_mul(count, reps[k].size());
      }
    }
    const std::uint64_t cost = saturating_mul(count, earlier.size() + 1);
    if (count > options.max_tickets_per_output || cost > work_left) {
      diagnostic diag = make_diagnostic(diagnostic_code::analysis_budget, head(m, rule),
                                        "rule '" + rule.name + "' of '" + out.name + "' needs " +
                                            std::to_string(count) + " example tickets, more than the analysis budget" +
                                            (count > options.max_tickets_per_output
                                                 ? " of " + std::to_string(options.max_tickets_per_output) + " (max_tickets_per_output)"
                                                 : std::string(" left (max_rule_checks_per_output)")));
      diag.notes.push_back({head(m, rule), "it was not checked"});
      found.push_back({rule.where.begin, std::move(diag)});
      continue;
    }
    work_left -= cost;
    std::uint64_t matches = 0;
    bool decided = false;
    std::string example;
    std::vector<std::uint32_t> takers;
    std::map<std::uint32_t, std::string> overlaps;  // earlier rule → example
    std::vector<bool> differs(earlier.size(), false);
    walk_subset(t, fields, reps, subset, current, [&](ticket& tk) {
      if (any_reads) p.evaluate(tk, d);
      const bool hit = rule_matches(r);
      std::optional<std::uint32_t> first_earlier;
      for (std::size_t e = 0; e < earlier.size(); ++e) {
        const std::uint32_t q = earlier[e];
        const bool q_hit = rule_matches(q);
        if (q_hit != hit) differs[e] = true;
        if (!hit || !q_hit) continue;
        if (!first_earlier) first_earlier = q;
        if (is_unique && !overlaps.contains(q)) {
          // Confirmed by the evaluator before it is kept.
          p.evaluate(tk, d, trace);
          const auto got = trace.matched(oh);
          if (std::binary_search(got.begin(), got.end(), rules[q]) &&
              std::binary_search(got.begin(), got.end(), rules[r])) {
            overlaps.emplace(q, tk.to_json());
          }
        }
      }
      if (!hit) return;
      ++matches;
      if (!first_earlier) {
        decided = true;
      } else if (is_first) {
        if (takers.size() < 8 && std::find(takers.begin(), takers.end(), rules[*first_earlier]) == takers.end()) {
          takers.push_back(rules[*first_earlier]);
        }
        if (example.empty()) {
          p.evaluate(tk, d, trace);
          const auto got = trace.matched(oh);
          if (!got.empty() && got.front() != rules[r] && std::binary_search(got.begin(), got.end(), rules[r])) {
            example = tk.to_json();
          }
        }
      }
    });
    for (const auto& [q, ticket_json] : overlaps) {
      found.push_back(overlap_finding(m, out, m.rules[rules[q]], rule, ticket_json));
    }
    if (!options.warnings) continue;
    if (matches == 0) {
      found.push_back({rule.where.begin, make_diagnostic(diagnostic_code::unsatisfiable_rule, head(m, rule),
                                                         "rule '" + rule.name + "' can never match")});
      continue;
    }
    if (matches == count) {
      found.push_back({rule.where.begin, make_diagnostic(diagnostic_code::always_true, head(m, rule),
                                                         "the condition of rule '" + rule.name + "' is always true")});
    }
    std::optional<std::uint32_t> duplicate;
    for (std::size_t e = 0; e < earlier.size() && !duplicate; ++e) {
      if (!differs[e] && out.policy != hit_policy::sum && m.rules[rules[earlier[e]]].value == rule.value) {
        duplicate = rules[earlier[e]];
      }
    }
    if (duplicate) {
      const rule_def& a = m.rules[*duplicate];
      diagnostic diag = make_diagnostic(diagnostic_code::duplicate_rule, head(m, rule),
                                        "rule '" + rule.name + "' duplicates rule '" + a.name + "'");
      diag.notes.push_back({head(m, a), "rule '" + a.name + "' matches exactly the same tickets with the same value"});
      found.push_back({rule.where.begin, std::move(diag)});
      continue;
    }
    if (is_first && !decided && !example.empty()) {
      diagnostic diag = make_diagnostic(diagnostic_code::shadowed_rule, head(m, rule),
                                        "rule '" + rule.name + "' can never decide '" + out.name + "'");
      std::sort(takers.begin(), takers.end());
      if (takers.size() == 1) {
        diag.notes.push_back({head(m, m.rules[takers[0]]),
                              "every ticket it matches is matched first by rule '" + m.rules[takers[0]].name + "'"});
      } else {
        for (const std::uint32_t taker : takers) {
          diag.notes.push_back({head(m, m.rules[taker]), "rule '" + m.rules[taker].name + "' matches some of its tickets first"});
        }
      }
      diag.example_json = example;
      found.push_back({rule.where.begin, std::move(diag)});
    }
  }
}

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
  std::string too_large_field;
  for (const auto& [field, cells] : cells_of) {
    std::optional<std::vector<rep>> r =
        representatives(p, field, cells, scratch, d, options.max_rule_checks_per_output);
    if (!r) {
      too_large = true;
      too_large_field = m.fields[field].name;
      break;
    }
    total = saturating_mul(total, r->size());
    fields.push_back(p.field_at(field));
    reps.push_back(std::move(*r));
  }
  // Each ticket of the whole enumeration is decided by every row of the policy, which
  // the evaluator does far faster than the rule-by-rule checks: allow it ten times their
  // budget before falling back to them.
  if (!too_large && (total > options.max_tickets_per_output ||
                     saturating_mul(total, p.table().row_count()) >
                         saturating_mul(options.max_rule_checks_per_output, 10))) {
    analyze_rule_by_rule(pp, out_index, options, fields, reps, total, found);
    return;
  }
  if (too_large) {
    diagnostic diag = make_diagnostic(
        diagnostic_code::analysis_budget, out.where,
        too_large ? "output '" + out.name + "' depends on too many distinct values of field '" + too_large_field +
                        "' to analyse"
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
    found.push_back(overlap_finding(m, out, m.rules[pair.first], m.rules[pair.second], example));
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
