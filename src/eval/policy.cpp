// The compiled policy: name lookups, and evaluation over the decision tables.
//
// Evaluation walks each output's rows in rule order and each row's cells, reading the
// ticket's flat storage and the outputs decided earlier; it touches only storage that the
// ticket, decision and trace already own, so it allocates nothing.
#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <limits>
#include <utility>

#include "compile/cells.hpp"
#include "eval/runtime.hpp"
#include "triage/policy.hpp"

namespace triage {
namespace detail {
namespace {

// A subject's value as a cell reads it.
struct value_view {
  bool present = false;
  std::int64_t number = 0;  // bool, int, duration, enum member, flag
  double real = 0.0;
  std::string_view text;
  const std::uint64_t* words = nullptr;  // tags / collect bitset
  std::size_t word_count = 0;
};

bool has_bit(const value_view& v, std::uint32_t id) noexcept {
  const std::size_t w = id / 64;
  return w < v.word_count && ((v.words[w] >> (id % 64)) & 1u) != 0;
}

bool accepts(const cell& c, const value_view& v) noexcept {
  if (!v.present) return c.accepts_missing;
  if (!c.accepts_present) return false;
  switch (c.kind) {
    case cell_kind::boolean:
      return ((c.booleans >> (v.number != 0 ? 1 : 0)) & 1u) != 0;
    case cell_kind::integer:
      for (const int_range& r : c.ints) {
        if (v.number >= r.lo && v.number <= r.hi) return true;
      }
      return false;
    case cell_kind::number:
      for (const real_range& r : c.reals) {
        const bool above = r.lo_open ? v.real > r.lo : v.real >= r.lo;
        const bool below = r.hi_open ? v.real < r.hi : v.real <= r.hi;
        if (above && below) return true;
      }
      return false;
    case cell_kind::enumeration:
      return v.number >= 0 &&
             std::binary_search(c.members.begin(), c.members.end(), static_cast<std::uint32_t>(v.number));
    case cell_kind::string:
      if (c.one_of && !std::binary_search(c.one_of->begin(), c.one_of->end(), v.text)) return false;
      if (std::binary_search(c.none_of.begin(), c.none_of.end(), v.text)) return false;
      for (const text_test& t : c.tests) {
        if (text_test_holds(t.op, v.text, t.needle) == t.negated) return false;
      }
      return true;
    case cell_kind::tags:
      for (const std::uint32_t id : c.required) {
        if (!has_bit(v, id)) return false;
      }
      for (const std::uint32_t id : c.forbidden) {
        if (has_bit(v, id)) return false;
      }
      for (const auto& group : c.any_of) {
        if (std::none_of(group.begin(), group.end(), [&](std::uint32_t id) { return has_bit(v, id); })) return false;
      }
      for (const auto& group : c.not_all_of) {
        if (std::all_of(group.begin(), group.end(), [&](std::uint32_t id) { return has_bit(v, id); })) return false;
      }
      return true;
  }
  return false;
}

char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Compiles a cell into its compact form (see policy::runtime::check); a text check's
// needle goes into `rt.needles`.
policy_access::runtime::check compact_check(const model& m, const cell& c, policy_access::runtime& rt) {
  using check = policy_access::runtime::check;
  using op = policy_access::runtime::check_op;
  check k;
  k.subject = c.subject.index;
  k.output = c.subject.of == subject_ref::kind::output;
  k.accepts_missing = c.accepts_missing;
  k.general = &c;
  if (!c.accepts_present) {
    k.op = op::none_present;
  } else if (c.kind == cell_kind::boolean) {
    k.op = op::bools;
    k.lo = c.booleans;
  } else if (c.kind == cell_kind::integer && c.ints.size() == 1) {
    k.op = op::int_range;
    k.lo = c.ints[0].lo;
    k.hi = c.ints[0].hi;
  } else if (c.kind == cell_kind::enumeration && subject_enum_size(m, c.subject) <= 64) {
    k.op = op::members;
    std::uint64_t mask = 0;
    for (const std::uint32_t i : c.members) mask |= std::uint64_t{1} << i;
    k.lo = static_cast<std::int64_t>(mask);
  } else if (c.kind == cell_kind::tags && c.any_of.empty() && c.not_all_of.empty() &&
             c.required.size() + c.forbidden.size() == 1) {
    k.op = c.required.empty() ? op::tag_lacks : op::tag_has;
    k.lo = c.required.empty() ? c.forbidden[0] : c.required[0];
  } else if (c.kind == cell_kind::string && c.subject.of == subject_ref::kind::field && !c.one_of &&
             c.none_of.empty() && c.tests.size() == 1) {
    const text_test& test = c.tests[0];
    k.op = test.op == text_op::contains ? op::text_contains : test.op == text_op::starts_with ? op::text_starts : op::text_ends;
    k.lo = static_cast<std::int64_t>(rt.needles.size());
    k.hi = test.negated ? 1 : 0;
    std::string needle = test.needle;
    for (char& ch : needle) ch = ascii_lower(ch);
    rt.needles.push_back(std::move(needle));
    rt.folds_field[c.subject.index] = 1;
  }
  return k;
}

std::atomic<row_index_mode> g_row_index{row_index_mode::automatic};

// Returns how many of the sorted `bounds` are <= v (std::upper_bound's position) without
// data-dependent branches: a ticket's value is as good as random, so the branches of a
// plain binary search are mispredicted half the time, and this runs once per range field
// per ticket. The halving step compiles to a conditional move.
std::uint32_t range_slot(const std::vector<std::int64_t>& bounds, std::int64_t v) noexcept {
  if (bounds.empty()) return 0;
  const std::int64_t* base = bounds.data();
  std::size_t n = bounds.size();
  while (n > 1) {
    const std::size_t half = n / 2;
    base = base[half] <= v ? base + half : base;
    n -= half;
  }
  return static_cast<std::uint32_t>(base - bounds.data()) + (*base <= v ? 1u : 0u);
}

// Returns false when the compact check `k` (on an indexed field) rules out `slot`.
bool slot_allowed(const policy_access::runtime::check& k, const policy_access::runtime::field_index& fi,
                  std::uint32_t slot) noexcept {
  using op = policy_access::runtime::check_op;
  using kind = policy_access::runtime::field_index::kind;
  if (slot > fi.values) return true;                 // "anything"
  if (slot == fi.values) return k.accepts_missing;   // missing
  if (k.op == op::none_present) return false;
  if (fi.of == kind::text) {
    const cell* c = k.op == op::general ? k.general : nullptr;
    if (c == nullptr || c->kind != cell_kind::string || !c->one_of) return true;  // the row check decides
    return slot < fi.texts.size() && std::binary_search(c->one_of->begin(), c->one_of->end(), fi.texts[slot]);
  }
  if (fi.of == kind::range) {
    if (k.op != op::int_range) return true;  // several ranges: the row check decides
    const std::int64_t lo = slot == 0 ? std::numeric_limits<std::int64_t>::min() : fi.bounds[slot - 1];
    const std::int64_t hi = slot == fi.bounds.size() ? std::numeric_limits<std::int64_t>::max() : fi.bounds[slot] - 1;
    return k.lo <= hi && k.hi >= lo;
  }
  switch (k.op) {
    case op::bools: return ((k.lo >> slot) & 1) != 0;
    case op::members: return ((static_cast<std::uint64_t>(k.lo) >> slot) & 1u) != 0;
    default: return true;  // not decided from the value alone here: the row check decides
  }
}

// The range bounds of an int or duration field: where the rows' ranges start and end,
// thinned to at most 63 evenly spaced ones so that the index stays small.
std::vector<std::int64_t> range_bounds(const std::vector<policy_access::runtime::check>& checks,
                                       const std::vector<policy_access::runtime::row_entry>& rows,
                                       std::uint32_t field) {
  std::vector<std::int64_t> points;
  for (const auto& row : rows) {
    for (std::uint32_t k = row.check_begin; k < row.check_end; ++k) {
      const auto& c = checks[k];
      if (c.output || c.subject != field || c.op != policy_access::runtime::check_op::int_range) continue;
      if (c.lo != std::numeric_limits<std::int64_t>::min()) points.push_back(c.lo);
      if (c.hi != std::numeric_limits<std::int64_t>::max()) points.push_back(c.hi + 1);
    }
  }
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  constexpr std::size_t max_bounds = 63;
  if (points.size() > max_bounds) {
    std::vector<std::int64_t> thinned;
    for (std::size_t i = 0; i < max_bounds; ++i) thinned.push_back(points[(i + 1) * points.size() / (max_bounds + 1)]);
    thinned.erase(std::unique(thinned.begin(), thinned.end()), thinned.end());
    points = std::move(thinned);
  }
  return points;
}

// The strings rows compare a string field with (`==`, `in`), sorted; empty when there are
// none or too many to index.
std::vector<std::string_view> index_texts(const std::vector<policy_access::runtime::check>& checks,
                                          const std::vector<policy_access::runtime::row_entry>& rows,
                                          std::uint32_t field) {
  std::vector<std::string_view> texts;
  for (const auto& row : rows) {
    for (std::uint32_t k = row.check_begin; k < row.check_end; ++k) {
      const auto& c = checks[k];
      if (c.output || c.subject != field || c.op != policy_access::runtime::check_op::general) continue;
      if (c.general->kind != cell_kind::string || !c.general->one_of) continue;
      texts.insert(texts.end(), c.general->one_of->begin(), c.general->one_of->end());
    }
  }
  std::sort(texts.begin(), texts.end());
  texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
  constexpr std::size_t max_texts = 256;  // 10,000 rows: 256 slots of 157 words, 320 KiB
  if (texts.size() > max_texts) texts.clear();
  return texts;
}

// Returns true when the index of `fi` decides the compact check `k` (on fi's field) exactly:
// a row holding `k` is in a value slot's bitset exactly when `k` accepts that slot's values
// (and in the "missing" slot exactly when `k` accepts a missing value), so a row the index
// lets through passes `k` without running it. The "anything" slot is never exact: the
// evaluator runs every check when a ticket lands in it.
bool exact_on_index(const policy_access::runtime::check& k, const policy_access::runtime::field_index& fi) {
  using op = policy_access::runtime::check_op;
  using kind = policy_access::runtime::field_index::kind;
  if (k.op == op::none_present) return true;
  switch (fi.of) {
    case kind::boolean: return k.op == op::bools;
    case kind::enumeration: return k.op == op::members;
    case kind::range: {
      // A slot overlapping the range lies inside it when both of its ends are cut points.
      if (k.op != op::int_range) return false;
      const auto cut = [&](std::int64_t at) { return std::binary_search(fi.bounds.begin(), fi.bounds.end(), at); };
      return (k.lo == std::numeric_limits<std::int64_t>::min() || cut(k.lo)) &&
             (k.hi == std::numeric_limits<std::int64_t>::max() || cut(k.hi + 1));
    }
    case kind::text: {
      // `==` / `in` only: every string of the cell has its own slot (index_texts keeps all).
      const cell* c = k.op == op::general ? k.general : nullptr;
      return c != nullptr && c->kind == cell_kind::string && c->one_of && c->none_of.empty() && c->tests.empty();
    }
  }
  return false;
}

// Builds the row index of one output (see policy::runtime::field_index).
void build_index(const model& m, const std::vector<policy_access::runtime::check>& checks,
                 policy_access::runtime::output_entry& entry) {
  using runtime = policy_access::runtime;
  const auto rows = static_cast<std::uint32_t>(entry.rows.size());
  // Measured with benchmarks/eval_bench (RESULTS.md): from 100 rows on the index wins
  // for every hit policy (2.5x at 100 rules, 30x at 10,000). At 10 rules it used to be
  // even; since rows the index decides exactly are no longer checked, it runs about 35%
  // fewer instructions there too (callgrind), and none of the scan's hard-to-predict
  // branches per check. So every output with an indexable field uses it.
  entry.index_pays = rows > 0;
  entry.words = (rows + 63) / 64;
  entry.live_rows.assign(entry.words, 0);
  for (std::uint32_t r = 0; r < rows; ++r) {
    if (!entry.rows[r].contradictory) entry.live_rows[r / 64] |= std::uint64_t{1} << (r % 64);
  }
  entry.row_rule.assign(rows, 0);
  for (std::uint32_t i = 0; i < entry.rules.size(); ++i) {
    for (std::uint32_t r = entry.rules[i].row_begin; r < entry.rules[i].row_end; ++r) entry.row_rule[r] = i;
  }
  // The fields this output's rows test, most tested first: those narrow the most.
  std::vector<std::uint32_t> uses(m.fields.size(), 0);
  for (const runtime::row_entry& row : entry.rows) {
    for (std::uint32_t k = row.check_begin; k < row.check_end; ++k) {
      if (!checks[k].output) ++uses[checks[k].subject];
    }
  }
  std::vector<std::uint32_t> candidates;
  for (std::uint32_t f = 0; f < m.fields.size(); ++f) {
    const field_def& def = m.fields[f];
    const bool small_enum = def.type == field_type::enumeration && def.enum_index < m.enums.size() &&
                            m.enums[def.enum_index].members.size() <= 64;
    const bool ranged = def.type == field_type::integer || def.type == field_type::duration;
    const bool text = def.type == field_type::string;
    if (uses[f] > 0 && (small_enum || ranged || text || def.type == field_type::boolean)) candidates.push_back(f);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return uses[a] > uses[b]; });
  if (candidates.size() > runtime::max_indexed_fields) candidates.resize(runtime::max_indexed_fields);
  std::uint32_t offset = 0;
  for (const std::uint32_t f : candidates) {
    runtime::field_index fi;
    fi.field = f;
    const field_type type = m.fields[f].type;
    if (type == field_type::boolean) {
      fi.of = runtime::field_index::kind::boolean;
      fi.values = 2;
    } else if (type == field_type::enumeration) {
      fi.values = static_cast<std::uint32_t>(m.enums[m.fields[f].enum_index].members.size());
    } else if (type == field_type::string) {
      fi.of = runtime::field_index::kind::text;
      fi.texts = index_texts(checks, entry.rows, f);
      if (fi.texts.empty()) continue;  // no `==` / `in`, or too many strings
      fi.values = static_cast<std::uint32_t>(fi.texts.size() + 1);
      fi.text_table.assign(std::bit_ceil(fi.texts.size() * 2), 0);
      const std::size_t mask = fi.text_table.size() - 1;
      for (std::size_t i = 0; i < fi.texts.size(); ++i) {
        std::size_t at = runtime::text_hash(fi.texts[i]) & mask;
        while (fi.text_table[at] != 0) at = (at + 1) & mask;
        fi.text_table[at] = static_cast<std::uint16_t>(i + 1);
      }
    } else {
      fi.of = runtime::field_index::kind::range;
      fi.bounds = range_bounds(checks, entry.rows, f);
      if (fi.bounds.empty()) continue;  // no single-range comparison: nothing to narrow
      fi.values = static_cast<std::uint32_t>(fi.bounds.size() + 1);
    }
    fi.offset = offset;
    offset += (fi.values + 2) * entry.words;
    entry.index.push_back(fi);
  }
  for (runtime::row_entry& row : entry.rows) {
    row.index_exact = true;
    for (std::uint32_t k = row.check_begin; k < row.check_end && row.index_exact; ++k) {
      const auto fi = std::find_if(entry.index.begin(), entry.index.end(),
                                   [&](const runtime::field_index& f) { return f.field == checks[k].subject; });
      row.index_exact = !checks[k].output && fi != entry.index.end() && exact_on_index(checks[k], *fi);
    }
  }
  // Every row is allowed by a slot until one of its checks on the field rules it out; so
  // visit only the checks on indexed fields, once per slot.
  entry.index_bits.assign(offset, 0);
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> on_field(entry.index.size());  // (row, check)
  for (std::uint32_t r = 0; r < rows; ++r) {
    for (std::uint32_t k = entry.rows[r].check_begin; k < entry.rows[r].check_end; ++k) {
      if (checks[k].output) continue;
      for (std::size_t i = 0; i < entry.index.size(); ++i) {
        if (entry.index[i].field == checks[k].subject) on_field[i].emplace_back(r, k);
      }
    }
  }
  for (std::size_t i = 0; i < entry.index.size(); ++i) {
    const runtime::field_index& fi = entry.index[i];
    const auto slot_bits = [&](std::uint32_t slot) {
      return entry.index_bits.data() + fi.offset + std::size_t{slot} * entry.words;
    };
    for (std::uint32_t slot = 0; slot < fi.values + 2; ++slot) {
      std::uint64_t* bits = slot_bits(slot);
      for (std::uint32_t r = 0; r < rows; ++r) bits[r / 64] |= std::uint64_t{1} << (r % 64);
    }
    for (const auto& [r, k] : on_field[i]) {
      const std::uint64_t bit = std::uint64_t{1} << (r % 64);
      const cell* c = checks[k].op == runtime::check_op::general ? checks[k].general : nullptr;
      if (fi.of == runtime::field_index::kind::text && c != nullptr && c->kind == cell_kind::string && c->one_of) {
        // Hundreds of strings: rule the row out everywhere, then back in for its strings
        // (what slot_allowed would say, without a search per slot).
        for (std::uint32_t slot = 0; slot < fi.values; ++slot) slot_bits(slot)[r / 64] &= ~bit;
        for (const std::string& text : *c->one_of) {
          const auto it = std::lower_bound(fi.texts.begin(), fi.texts.end(), std::string_view(text));
          if (it != fi.texts.end() && *it == text) slot_bits(static_cast<std::uint32_t>(it - fi.texts.begin()))[r / 64] |= bit;
        }
        if (!checks[k].accepts_missing) slot_bits(fi.values)[r / 64] &= ~bit;
        continue;
      }
      for (std::uint32_t slot = 0; slot < fi.values + 2; ++slot) {
        if (!slot_allowed(checks[k], fi, slot)) slot_bits(slot)[r / 64] &= ~bit;
      }
    }
  }
}

}  // namespace

void set_row_index(row_index_mode mode) noexcept { g_row_index.store(mode, std::memory_order_relaxed); }

row_index_mode row_index() noexcept { return g_row_index.load(std::memory_order_relaxed); }

// Reads one subject of a ticket or decision (both bound to `p`).
struct subject_reader {
  const policy_access::runtime& rt;
  const ticket& t;
  const decision& d;

  value_view operator()(subject_ref s) const noexcept;
};

}  // namespace detail

// ---- construction -------------------------------------------------------------------

policy::~policy() = default;

std::shared_ptr<const policy> detail::policy_access::make(std::shared_ptr<const source_file> source,
                                                          model m, decision_table table) {
  std::shared_ptr<policy> p(new policy());
  p->source_ = std::move(source);
  p->model_ = std::move(m);
  p->table_ = std::move(table);
  const triage::model& mo = p->model_;
  const decision_table& tab = p->table_;

  auto rt = std::make_unique<policy::runtime>();
  for (std::uint32_t i = 0; i < mo.fields.size(); ++i) rt->field_by_name.emplace(mo.fields[i].name, i);
  for (std::uint32_t i = 0; i < mo.outputs.size(); ++i) rt->output_by_name.emplace(mo.outputs[i].name, i);
  for (std::uint32_t i = 0; i < tab.symbols.size(); ++i) rt->symbol_by_text.emplace(tab.symbols[i], i);
  rt->tag_slot.assign(mo.fields.size(), no_index);
  for (std::uint32_t i = 0; i < mo.fields.size(); ++i) {
    if (mo.fields[i].type == field_type::tags) rt->tag_slot[i] = rt->tag_fields++;
  }
  rt->tag_words = static_cast<std::uint32_t>((tab.symbols.size() + 63) / 64);
  rt->folds_field.assign(mo.fields.size(), 0);

  auto member_name = [&](std::uint32_t enum_index, std::int64_t i) -> std::string_view {
    if (enum_index >= mo.enums.size() || i < 0) return {};
    const auto& members = mo.enums[enum_index].members;
    return static_cast<std::uint64_t>(i) < members.size() ? std::string_view(members[static_cast<std::size_t>(i)])
                                                          : std::string_view{};
  };
  rt->outputs.resize(mo.outputs.size());
  for (std::uint32_t o = 0; o < mo.outputs.size(); ++o) {
    const output_def& def = mo.outputs[o];
    policy::runtime::output_entry& entry = rt->outputs[o];
    const bool collect = def.policy == hit_policy::collect;
    if (collect) {
      entry.universe = def.type == output_type::enumeration
                           ? static_cast<std::uint32_t>(def.enum_index < mo.enums.size() ? mo.enums[def.enum_index].members.size() : 0)
                           : static_cast<std::uint32_t>(tab.symbols.size());
    }
    // Resolves a value of this output to its number and text.
    auto resolve = [&](const scalar& v, std::int64_t& number, std::string_view& text) {
      if (const auto* i = std::get_if<std::int64_t>(&v)) {
        number = *i;
        if (def.type == output_type::enumeration) text = member_name(def.enum_index, *i);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        text = *s;
        if (collect) {
          const auto it = rt->symbol_by_text.find(text);
          number = it == rt->symbol_by_text.end() ? 0 : it->second;
        }
      } else if (const auto* b = std::get_if<bool>(&v)) {
        number = *b ? 1 : 0;
      }
    };
    if (def.default_value) {
      entry.has_default = true;
      resolve(*def.default_value, entry.default_number, entry.default_text);
    }
    const output_table& out = tab.outputs[o];
    for (const table_row& row : out.rows) {
      policy::runtime::row_entry compact;
      compact.check_begin = static_cast<std::uint32_t>(rt->checks.size());
      compact.contradictory = row.contradictory;
      for (const cell& c : row.cells) rt->checks.push_back(compact_check(mo, c, *rt));
      compact.check_end = static_cast<std::uint32_t>(rt->checks.size());
      entry.rows.push_back(compact);
    }
    for (std::uint32_t row = 0; row < out.rows.size();) {
      policy::runtime::rule_entry r;
      r.rule = out.rows[row].rule;
      r.row_begin = row;
      while (row < out.rows.size() && out.rows[row].rule == r.rule) ++row;
      r.row_end = row;
      if (mo.rules[r.rule].value) resolve(*mo.rules[r.rule].value, r.number, r.text);
      entry.rules.push_back(r);
    }
    detail::build_index(mo, rt->checks, entry);
  }
  p->runtime_ = std::move(rt);
  return p;
}

// ---- lookups ------------------------------------------------------------------------

field_handle policy::field(std::string_view name) const noexcept {
  const auto it = runtime_->field_by_name.find(name);
  return it == runtime_->field_by_name.end() ? field_handle{} : field_at(it->second);
}

field_handle policy::field_at(std::uint32_t index) const noexcept {
  if (index >= model_.fields.size()) return {};
  return {index, model_.fields[index].type};
}

output_handle policy::output(std::string_view name) const noexcept {
  const auto it = runtime_->output_by_name.find(name);
  return it == runtime_->output_by_name.end() ? output_handle{} : output_at(it->second);
}

output_handle policy::output_at(std::uint32_t index) const noexcept {
  if (index >= model_.outputs.size()) return {};
  return {index, model_.outputs[index].type, model_.outputs[index].policy};
}

std::optional<std::uint32_t> policy::member(field_handle f, std::string_view name) const noexcept {
  if (f.index() >= model_.fields.size() || model_.fields[f.index()].type != field_type::enumeration) {
    return std::nullopt;
  }
  const std::uint32_t e = model_.fields[f.index()].enum_index;
  if (e >= model_.enums.size()) return std::nullopt;
  const auto& members = model_.enums[e].members;
  for (std::uint32_t i = 0; i < members.size(); ++i) {
    if (members[i] == name) return i;
  }
  return std::nullopt;
}

std::optional<std::string> policy::validate(const ticket& t) const {
  if (t.owner().get() != this) return std::string("the ticket was made for another policy");
  for (std::uint32_t i = 0; i < model_.fields.size(); ++i) {
    if (model_.fields[i].required && t.present_[i] == 0) {
      return "missing required field '" + model_.fields[i].name + "'";
    }
  }
  return std::nullopt;
}

// ---- evaluation ---------------------------------------------------------------------

detail::value_view detail::subject_reader::operator()(subject_ref s) const noexcept {
  value_view v;
  if (s.of == subject_ref::kind::field) {
    const std::uint32_t i = s.index;
    v.present = t.present_[i] != 0;
    v.number = t.ints_[i];
    v.real = t.numbers_[i];
    v.text = t.strings_[i];
    const std::uint32_t slot = rt.tag_slot[i];
    if (slot != no_index) {
      v.words = t.tag_bits_ + std::size_t{slot} * rt.tag_words;
      v.word_count = rt.tag_words;
    }
  } else {
    const auto& out = d.slots_[s.index];
    v.present = out.present;
    v.number = out.number;
    v.text = out.text;
    v.words = out.seen.data();
    v.word_count = out.seen.size();
  }
  return v;
}

bool policy::cell_accepts(const cell& c, const ticket& t, const decision& d) const noexcept {
  if (t.owner().get() != this || d.owner().get() != this) return false;
  const detail::subject_reader read{*runtime_, t, d};
  return detail::accepts(c, read(c.subject));
}

bool detail::policy_access::passes(const runtime::check& k, const ticket& t, const decision& d,
                                   const subject_reader& read) noexcept {
  using op = runtime::check_op;
  if (k.op == op::general) return accepts(*k.general, read(k.general->subject));
  if (k.op == op::tag_has || k.op == op::tag_lacks) {
    const value_view v = read(k.general->subject);
    if (!v.present) return k.accepts_missing;
    return has_bit(v, static_cast<std::uint32_t>(k.lo)) == (k.op == op::tag_has);
  }
  if (k.op == op::text_contains || k.op == op::text_starts || k.op == op::text_ends) {
    if (t.present_[k.subject] == 0) return k.accepts_missing;
    const std::string_view text = t.folded_[k.subject];
    const std::string_view needle = read.rt.needles[static_cast<std::size_t>(k.lo)];
    const bool holds = k.op == op::text_contains ? text.find(needle) != std::string_view::npos
                       : k.op == op::text_starts ? text.starts_with(needle)
                                                 : text.ends_with(needle);
    return holds != (k.hi != 0);
  }
  bool present = false;
  std::int64_t value = 0;
  if (k.output) {
    present = d.slots_[k.subject].present;
    value = d.slots_[k.subject].number;
  } else {
    present = t.present_[k.subject] != 0;
    value = t.ints_[k.subject];
  }
  if (!present) return k.accepts_missing;
  switch (k.op) {
    case op::bools: return ((k.lo >> (value != 0 ? 1 : 0)) & 1) != 0;
    case op::int_range: return value >= k.lo && value <= k.hi;
    case op::members:
      return value >= 0 && value < 64 && ((static_cast<std::uint64_t>(k.lo) >> value) & 1u) != 0;
    case op::none_present: return false;
    case op::tag_has:
    case op::tag_lacks:
    case op::text_contains:
    case op::text_starts:
    case op::text_ends:
    case op::general: break;
  }
  return false;
}

void detail::policy_access::evaluate(const policy& p, const ticket& t, decision& d,
                                     evaluation_trace* trace) noexcept {
  if (d.owner_.get() != &p) {
    // Rebinding needs the policy's shared_ptr; the ticket holds one when it is ours.
    if (t.owner_.get() == &p) d.bind(t.owner_);
  }
  const policy::runtime& rt = *p.runtime_;
  const triage::model& m = p.model_;
  if (trace != nullptr) {
    if (trace->owner_ != &p || trace->matched_.size() != m.outputs.size()) {
      trace->owner_ = &p;
      trace->matched_.assign(m.outputs.size(), {});
      for (std::size_t o = 0; o < m.outputs.size(); ++o) trace->matched_[o].reserve(m.outputs[o].rules.size());
    }
    for (auto& list : trace->matched_) list.clear();
  }
  for (auto& s : d.slots_) {
    s.present = false;
    s.number = 0;
    s.text = {};
    s.texts.clear();
    s.ids.clear();
    std::fill(s.seen.begin(), s.seen.end(), 0);
  }
  d.valid_ = t.owner_.get() == &p && d.owner_.get() == &p;
  if (!d.valid_) return;

  const subject_reader read{rt, t, d};
  const decision_table& tab = p.table_;
  const row_index_mode index_mode = row_index();
  for (const std::uint32_t o : m.evaluation_order) {
    const output_table& out = tab.outputs[o];
    const policy::runtime::output_entry& entry = rt.outputs[o];
    auto& slot = d.slots_[o];
    const hit_policy hit = out.policy;
    const bool all_rules = trace != nullptr || hit == hit_policy::max || hit == hit_policy::min ||
                           hit == hit_policy::collect || hit == hit_policy::sum;
    bool matched = false;
    // Records a matching rule by the output's hit policy; returns true when the output
    // is decided and no later rule can change it.
    const auto on_match = [&](const policy::runtime::rule_entry& r) noexcept {
      if (trace != nullptr) trace->matched_[o].push_back(r.rule);
      switch (hit) {
        case hit_policy::any:
          slot.number = 1;
          break;
        case hit_policy::first:
        case hit_policy::unique:
          if (!matched) {
            slot.number = r.number;
            slot.text = r.text;
          }
          break;
        case hit_policy::max:
        case hit_policy::min:
          if (!matched || (hit == hit_policy::max ? r.number > slot.number : r.number < slot.number)) {
            slot.number = r.number;
            slot.text = r.text;
          }
          break;
        case hit_policy::collect: {
          const auto id = static_cast<std::uint32_t>(r.number);
          const std::size_t w = id / 64;
          if (w < slot.seen.size() && ((slot.seen[w] >> (id % 64)) & 1u) == 0) {
            slot.seen[w] |= std::uint64_t{1} << (id % 64);
            slot.texts.push_back(r.text);  // capacity reserved in decision::bind
            slot.ids.push_back(id);
          }
          break;
        }
        case hit_policy::sum: {
          // The checker rejects sums that can overflow; saturate rather than wrap anyway.
          std::int64_t total = 0;
          if (__builtin_add_overflow(slot.number, r.number, &total)) {
            total = r.number > 0 ? std::numeric_limits<std::int64_t>::max()
                                 : std::numeric_limits<std::int64_t>::min();
          }
          slot.number = total;
          break;
        }
      }
      matched = true;
      return !all_rules;
    };
    const auto row_matches = [&](std::uint32_t row) noexcept {
      const policy::runtime::row_entry& compact = entry.rows[row];
      if (compact.contradictory) return false;
      for (std::uint32_t k = compact.check_begin; k < compact.check_end; ++k) {
        if (!passes(rt.checks[k], t, d, read)) return false;
      }
      return true;
    };
    const bool use_index = index_mode == row_index_mode::always || index_mode == row_index_mode::always_checked ||
                           (index_mode == row_index_mode::automatic && entry.index_pays);
    if (use_index && !entry.index.empty()) {
      // AND, word by word, the live rows and each indexed field's rows for the ticket's
      // value, then check the surviving rows in order (rows of a rule are adjacent).
      std::array<const std::uint64_t*, policy::runtime::max_indexed_fields + 1> sets;  // only [0, set_count) is read: no zeroing per ticket
      std::size_t set_count = 0;
      sets[set_count++] = entry.live_rows.data();
      // Rows the index decides exactly need no checks, unless a field fell in an "anything"
      // slot (or a test turned the shortcut off).
      bool exact = index_mode != row_index_mode::always_checked;
      for (const policy::runtime::field_index& fi : entry.index) {
        std::uint32_t value_slot = fi.values;  // missing
        if (t.present_[fi.field] != 0) {
          const std::int64_t v = t.ints_[fi.field];
          using kind = policy::runtime::field_index::kind;
          if (fi.of == kind::text) {
            const std::string_view text = t.strings_[fi.field];
            value_slot = policy::runtime::text_slot(fi, text);
          } else if (fi.of == kind::range) {
            value_slot = range_slot(fi.bounds, v);
          } else if (fi.of == kind::boolean) {
            value_slot = v != 0 ? 1u : 0u;
          } else {
            value_slot = v >= 0 && v < fi.values ? static_cast<std::uint32_t>(v) : fi.values + 1;
          }
        }
        if (value_slot > fi.values) exact = false;
        sets[set_count++] = entry.index_bits.data() + fi.offset + std::size_t{value_slot} * entry.words;
      }
      std::uint32_t last_rule = no_index;
      bool done = false;
      for (std::uint32_t w = 0; w < entry.words && !done; ++w) {
        std::uint64_t bits = sets[0][w];
        for (std::size_t i = 1; i < set_count; ++i) bits &= sets[i][w];
        while (bits != 0 && !done) {
          const std::uint32_t row = w * 64 + static_cast<std::uint32_t>(std::countr_zero(bits));
          bits &= bits - 1;
          const std::uint32_t rule = entry.row_rule[row];
          if (rule == last_rule) continue;
          if (!(exact && entry.rows[row].index_exact) && !row_matches(row)) continue;
          last_rule = rule;
          done = on_match(entry.rules[rule]);
        }
      }
    } else {
      for (const policy::runtime::rule_entry& r : entry.rules) {
        bool rule_matches = false;
        for (std::uint32_t row = r.row_begin; row < r.row_end && !rule_matches; ++row) {
          rule_matches = row_matches(row);
        }
        if (rule_matches && on_match(r)) break;
      }
    }
    if (matched || hit == hit_policy::any || hit == hit_policy::collect || hit == hit_policy::sum) {
      slot.present = true;
    } else if (entry.has_default) {
      slot.present = true;
      slot.number = entry.default_number;
      slot.text = entry.default_text;
    }
  }
}

void policy::evaluate(const ticket& t, decision& d) const noexcept {
  detail::policy_access::evaluate(*this, t, d, nullptr);
}

void policy::evaluate(const ticket& t, decision& d, evaluation_trace& trace) const noexcept {
  detail::policy_access::evaluate(*this, t, d, &trace);
}

void policy::evaluate(std::span<const ticket> tickets, std::span<decision> out) const noexcept {
  const std::size_t n = std::min(tickets.size(), out.size());
  for (std::size_t i = 0; i < n; ++i) detail::policy_access::evaluate(*this, tickets[i], out[i], nullptr);
}

}  // namespace triage
