// Cells: the value set one comparison accepts, their negation and their intersection.
//
// Every comparison is false on a missing value, so a comparison's cell never accepts
// missing, and its negation's always does (`not sla < 2h` holds when `sla` is missing).
// Negation is therefore: flip `accepts_missing`, complement the present values.
#include "compile/cells.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace triage::detail {
namespace {

constexpr std::int64_t int_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t int_max = std::numeric_limits<std::int64_t>::max();
constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double two_63 = 9223372036854775808.0;  // 2^63, exactly representable

char lower(char ch) noexcept {
  return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
}

bool equal_ci(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}


// ---- integers -----------------------------------------------------------------------

// Sorts and merges overlapping or adjacent ranges.
void normalize(std::vector<int_range>& ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const int_range& a, const int_range& b) { return a.lo < b.lo; });
  std::vector<int_range> merged;
  for (const int_range& r : ranges) {
    if (!merged.empty() && (merged.back().hi == int_max || r.lo <= merged.back().hi + 1)) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  ranges = std::move(merged);
}

std::vector<int_range> complement(const std::vector<int_range>& ranges) {
  std::vector<int_range> out;
  std::int64_t next = int_min;  // the least value not yet covered
  bool done = false;
  for (const int_range& r : ranges) {
    if (r.lo > next) out.push_back({next, r.lo - 1});
    if (r.hi == int_max) {
      done = true;
      break;
    }
    next = r.hi + 1;
  }
  if (!done) out.push_back({next, int_max});
  return out;
}

std::vector<int_range> intersect(const std::vector<int_range>& a, const std::vector<int_range>& b) {
  std::vector<int_range> out;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const std::int64_t lo = std::max(a[i].lo, b[j].lo);
    const std::int64_t hi = std::min(a[i].hi, b[j].hi);
    if (lo <= hi) out.push_back({lo, hi});
    if (a[i].hi < b[j].hi) ++i; else ++j;
  }
  return out;
}

// The integers a comparison with a double accepts, exactly (`reopened < 2.5` is
// `reopened <= 2`). `x` is finite; doubles at or beyond ±2^63 bound every int64 or none.
std::vector<int_range> int_ranges(atom_op op, double x) {
  const std::vector<int_range> all{{int_min, int_max}};
  switch (op) {
    case atom_op::eq:
      if (std::floor(x) != x || x < -two_63 || x >= two_63) return {};
      return {{static_cast<std::int64_t>(x), static_cast<std::int64_t>(x)}};
    case atom_op::lt: {  // up to the greatest int < x
      if (x <= -two_63) return {};
      if (x >= two_63) return all;
      const double f = std::floor(x);
      const auto hi = static_cast<std::int64_t>(f);
      return {{int_min, f == x ? hi - 1 : hi}};
    }
    case atom_op::le:
      if (x < -two_63) return {};
      if (x >= two_63) return all;
      return {{int_min, static_cast<std::int64_t>(std::floor(x))}};
    case atom_op::gt: {  // from the least int > x
      if (x < -two_63) return all;
      if (x >= two_63) return {};
      const double c = std::ceil(x);
      const auto lo = static_cast<std::int64_t>(c);
      return {{c == x ? lo + 1 : lo, int_max}};
    }
    case atom_op::ge:
      if (x <= -two_63) return all;
      if (x >= two_63) return {};
      return {{static_cast<std::int64_t>(std::ceil(x)), int_max}};
    default: return {};
  }
}

std::vector<int_range> int_ranges(atom_op op, std::int64_t v) {
  switch (op) {
    case atom_op::eq: return {{v, v}};
    case atom_op::lt: return v == int_min ? std::vector<int_range>{} : std::vector<int_range>{{int_min, v - 1}};
    case atom_op::le: return {{int_min, v}};
    case atom_op::gt: return v == int_max ? std::vector<int_range>{} : std::vector<int_range>{{v + 1, int_max}};
    case atom_op::ge: return {{v, int_max}};
    default: return {};
  }
}

std::vector<int_range> int_ranges(atom_op op, const scalar& v) {
  if (const auto* d = std::get_if<double>(&v)) return int_ranges(op, *d);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return int_ranges(op, *i);
  return {};
}

// ---- reals --------------------------------------------------------------------------

bool nonempty(const real_range& r) {
  return r.lo < r.hi || (r.lo == r.hi && !r.lo_open && !r.hi_open);
}

// Sorts and merges overlapping ranges (touching ranges merge when one end is closed).
void normalize(std::vector<real_range>& ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const real_range& a, const real_range& b) {
    return a.lo < b.lo || (a.lo == b.lo && !a.lo_open && b.lo_open);
  });
  std::vector<real_range> merged;
  for (const real_range& r : ranges) {
    if (!merged.empty()) {
      real_range& last = merged.back();
      const bool touches =
          r.lo < last.hi || (r.lo == last.hi && (!r.lo_open || !last.hi_open));
      if (touches) {
        if (r.hi > last.hi || (r.hi == last.hi && !r.hi_open)) {
          last.hi = r.hi;
          last.hi_open = r.hi_open;
        }
        continue;
      }
    }
    merged.push_back(r);
  }
  ranges = std::move(merged);
}

std::vector<real_range> complement(const std::vector<real_range>& ranges) {
  std::vector<real_range> out;
  double lo = -infinity;
  bool lo_open = true;
  for (const real_range& r : ranges) {
    const real_range gap{lo, r.lo, lo_open, !r.lo_open};
    if (nonempty(gap) && !(r.lo == -infinity)) out.push_back(gap);
    lo = r.hi;
    lo_open = !r.hi_open;
  }
  const real_range tail{lo, infinity, lo_open, true};
  if (!(lo == infinity) && nonempty(tail)) out.push_back(tail);
  return out;
}

std::vector<real_range> intersect(const std::vector<real_range>& a,
                                  const std::vector<real_range>& b) {
  std::vector<real_range> out;
  for (const real_range& x : a) {
    for (const real_range& y : b) {
      real_range r;
      if (x.lo > y.lo) { r.lo = x.lo; r.lo_open = x.lo_open; }
      else if (y.lo > x.lo) { r.lo = y.lo; r.lo_open = y.lo_open; }
      else { r.lo = x.lo; r.lo_open = x.lo_open || y.lo_open; }
      if (x.hi < y.hi) { r.hi = x.hi; r.hi_open = x.hi_open; }
      else if (y.hi < x.hi) { r.hi = y.hi; r.hi_open = y.hi_open; }
      else { r.hi = x.hi; r.hi_open = x.hi_open || y.hi_open; }
      if (nonempty(r)) out.push_back(r);
    }
  }
  normalize(out);
  return out;
}

double as_double(const scalar& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return 0.0;
}

std::vector<real_range> real_ranges(atom_op op, double x) {
  switch (op) {
    case atom_op::eq: return {{x, x, false, false}};
    case atom_op::lt: return {{-infinity, x, true, true}};
    case atom_op::le: return {{-infinity, x, true, false}};
    case atom_op::gt: return {{x, infinity, true, true}};
    case atom_op::ge: return {{x, infinity, false, true}};
    default: return {};
  }
}

// ---- sets of ids --------------------------------------------------------------------

void sort_unique(std::vector<std::uint32_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

bool contains(const std::vector<std::uint32_t>& sorted, std::uint32_t x) {
  return std::binary_search(sorted.begin(), sorted.end(), x);
}

void sort_unique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// ---- whole cells --------------------------------------------------------------------

// Makes `c` accept every present value (the constraints that mean "anything").
void set_full(cell& c, std::uint32_t enum_size) {
  c.accepts_present = true;
  c.booleans = 0b11;
  c.ints.clear();
  c.reals.clear();
  if (c.kind == cell_kind::integer) c.ints = {{int_min, int_max}};
  if (c.kind == cell_kind::number) c.reals = {{-infinity, infinity, true, true}};
  c.members.clear();
  if (c.kind == cell_kind::enumeration) {
    for (std::uint32_t i = 0; i < enum_size; ++i) c.members.push_back(i);
  }
  c.one_of.reset();
  c.none_of.clear();
  c.tests.clear();
  c.required.clear();
  c.forbidden.clear();
  c.any_of.clear();
  c.not_all_of.clear();
}

// Makes `c` accept no present value, canonically.
void set_none(cell& c) {
  set_full(c, 0);
  c.accepts_present = false;
  c.booleans = 0;
  c.ints.clear();
  c.reals.clear();
}

// Re-derives `accepts_present` after the constraints changed, simplifying them.
void settle(cell& c) {
  if (!c.accepts_present) {
    set_none(c);
    return;
  }
  bool none = false;
  switch (c.kind) {
    case cell_kind::boolean: none = (c.booleans & 0b11) == 0; break;
    case cell_kind::integer: none = c.ints.empty(); break;
    case cell_kind::number: none = c.reals.empty(); break;
    case cell_kind::enumeration: none = c.members.empty(); break;
    case cell_kind::string: {
      sort_unique(c.none_of);
      if (c.one_of) {
        // A finite candidate set: keep the candidates every other constraint accepts, so
        // the cell is exact and emptiness is decided.
        std::vector<std::string> kept;
        for (const std::string& s : *c.one_of) {
          if (std::binary_search(c.none_of.begin(), c.none_of.end(), s)) continue;
          bool ok = true;
          for (const text_test& t : c.tests) {
            if (text_test_holds(t.op, s, t.needle) == t.negated) ok = false;
          }
          if (ok) kept.push_back(s);
        }
        sort_unique(kept);
        c.one_of = std::move(kept);
        c.none_of.clear();
        c.tests.clear();
        none = c.one_of->empty();
      } else {
        // A test together with its own negation can never hold.
        for (const text_test& t : c.tests) {
          for (const text_test& u : c.tests) {
            if (t.op == u.op && t.negated != u.negated && equal_ci(t.needle, u.needle)) {
              none = true;
            }
          }
        }
      }
      break;
    }
    case cell_kind::tags: {
      sort_unique(c.required);
      sort_unique(c.forbidden);
      for (const std::uint32_t t : c.required) {
        if (contains(c.forbidden, t)) none = true;
      }
      // A group that a required tag satisfies is dropped; forbidden tags leave groups.
      std::vector<std::vector<std::uint32_t>> any;
      for (std::vector<std::uint32_t> g : c.any_of) {
        if (std::any_of(g.begin(), g.end(), [&](std::uint32_t t) { return contains(c.required, t); })) continue;
        std::erase_if(g, [&](std::uint32_t t) { return contains(c.forbidden, t); });
        sort_unique(g);
        if (g.empty()) none = true;
        if (g.size() == 1) c.required.push_back(g[0]); else if (!g.empty()) any.push_back(std::move(g));
      }
      // A group with a forbidden tag is satisfied; required tags cannot be the absent one.
      std::vector<std::vector<std::uint32_t>> not_all;
      for (std::vector<std::uint32_t> g : c.not_all_of) {
        if (std::any_of(g.begin(), g.end(), [&](std::uint32_t t) { return contains(c.forbidden, t); })) continue;
        std::erase_if(g, [&](std::uint32_t t) { return contains(c.required, t); });
        sort_unique(g);
        if (g.empty()) none = true;
        if (g.size() == 1) c.forbidden.push_back(g[0]); else if (!g.empty()) not_all.push_back(std::move(g));
      }
      std::sort(any.begin(), any.end());
      any.erase(std::unique(any.begin(), any.end()), any.end());
      std::sort(not_all.begin(), not_all.end());
      not_all.erase(std::unique(not_all.begin(), not_all.end()), not_all.end());
      c.any_of = std::move(any);
      c.not_all_of = std::move(not_all);
      sort_unique(c.required);
      sort_unique(c.forbidden);
      for (const std::uint32_t t : c.required) {
        if (contains(c.forbidden, t)) none = true;
      }
      break;
    }
  }
  if (none) set_none(c);
}

// Complements the present values of a cell made from one comparison.
void complement_present(cell& c, std::uint32_t enum_size) {
  if (!c.accepts_present) {
    set_full(c, enum_size);
    return;
  }
  switch (c.kind) {
    case cell_kind::boolean: c.booleans = static_cast<std::uint8_t>(~c.booleans & 0b11); break;
    case cell_kind::integer: c.ints = complement(c.ints); break;
    case cell_kind::number: c.reals = complement(c.reals); break;
    case cell_kind::enumeration: {
      std::vector<std::uint32_t> rest;
      for (std::uint32_t i = 0; i < enum_size; ++i) {
        if (!contains(c.members, i)) rest.push_back(i);
      }
      c.members = std::move(rest);
      break;
    }
    case cell_kind::string:
      // One comparison has exactly one kind of constraint, or none (`is present`).
      if (c.one_of) {
        c.none_of = std::move(*c.one_of);
        c.one_of.reset();
      } else if (!c.none_of.empty()) {
        c.one_of = std::move(c.none_of);
        c.none_of.clear();
      } else if (!c.tests.empty()) {
        for (text_test& t : c.tests) t.negated = !t.negated;
      } else {
        set_none(c);
        return;
      }
      break;
    case cell_kind::tags:
      if (!c.any_of.empty()) {          // has any G → none of G
        c.forbidden = std::move(c.any_of.front());
        c.any_of.clear();
      } else if (c.required.size() == 1) {  // has t → not has t
        c.forbidden = std::move(c.required);
        c.required.clear();
      } else if (!c.required.empty()) {     // has all G → some of G absent
        c.not_all_of.push_back(std::move(c.required));
        c.required.clear();
      } else {
        set_none(c);
        return;
      }
      break;
  }
  settle(c);
}

}  // namespace

bool text_test_holds(text_op op, std::string_view value, std::string_view needle) noexcept {
  if (needle.size() > value.size()) return false;
  switch (op) {
    case text_op::starts_with: return equal_ci(value.substr(0, needle.size()), needle);
    case text_op::ends_with: return equal_ci(value.substr(value.size() - needle.size()), needle);
    case text_op::contains:
      for (std::size_t i = 0; i + needle.size() <= value.size(); ++i) {
        if (equal_ci(value.substr(i, needle.size()), needle)) return true;
      }
      return false;
  }
  return false;
}

cell_kind subject_kind(const model& m, subject_ref s) noexcept {
  if (s.of == subject_ref::kind::field) {
    switch (m.fields[s.index].type) {
      case field_type::boolean: return cell_kind::boolean;
      case field_type::integer:
      case field_type::duration: return cell_kind::integer;
      case field_type::number: return cell_kind::number;
      case field_type::string: return cell_kind::string;
      case field_type::tags: return cell_kind::tags;
      case field_type::enumeration: return cell_kind::enumeration;
    }
    return cell_kind::boolean;
  }
  const output_def& o = m.outputs[s.index];
  if (o.policy == hit_policy::collect) return cell_kind::tags;
  switch (o.type) {
    case output_type::flag: return cell_kind::boolean;
    case output_type::enumeration: return cell_kind::enumeration;
    case output_type::string: return cell_kind::string;
    case output_type::integer: return cell_kind::integer;
  }
  return cell_kind::boolean;
}

std::uint32_t subject_enum_size(const model& m, subject_ref s) noexcept {
  const std::uint32_t e = s.of == subject_ref::kind::field ? m.fields[s.index].enum_index
                                                           : m.outputs[s.index].enum_index;
  if (e == no_index || e >= m.enums.size()) return 0;
  return static_cast<std::uint32_t>(m.enums[e].members.size());
}

std::uint32_t symbol_table::intern(std::string_view text) {
  auto [it, inserted] = ids_.try_emplace(std::string(text), static_cast<std::uint32_t>(symbols_.size()));
  if (inserted) symbols_.emplace_back(text);
  return it->second;
}

cell atom_cell(const model& m, const atom& a, bool negated, symbol_table& symbols) {
  cell c;
  c.subject = a.subject;
  c.kind = subject_kind(m, a.subject);
  const std::uint32_t enum_size = subject_enum_size(m, a.subject);
  const bool collect_enum = c.kind == cell_kind::tags && a.subject.of == subject_ref::kind::output &&
                            m.outputs[a.subject.index].type == output_type::enumeration;
  set_full(c, enum_size);

  // The id of a tag (or collect value) as the cell names it.
  auto tag_id = [&](const scalar& v) -> std::uint32_t {
    if (collect_enum) {
      const auto* i = std::get_if<std::int64_t>(&v);
      return i ? static_cast<std::uint32_t>(*i) : 0;
    }
    const auto* s = std::get_if<std::string>(&v);
    return symbols.intern(s ? std::string_view(*s) : std::string_view{});
  };
  auto text_of = [](const scalar& v) -> std::string {
    const auto* s = std::get_if<std::string>(&v);
    return s ? *s : std::string{};
  };

  // Equality and order: the set of present values a single value compares true with.
  auto values_for = [&](atom_op op, const scalar& v, cell& into) {
    switch (c.kind) {
      case cell_kind::boolean: {
        const auto* b = std::get_if<bool>(&v);
        const std::uint8_t bit = (b && *b) ? 0b10 : 0b01;
        into.booleans = static_cast<std::uint8_t>(into.booleans | bit);
        break;
      }
      case cell_kind::integer: {
        std::vector<int_range> r = int_ranges(op, v);
        into.ints.insert(into.ints.end(), r.begin(), r.end());
        break;
      }
      case cell_kind::number: {
        std::vector<real_range> r = real_ranges(op, as_double(v));
        into.reals.insert(into.reals.end(), r.begin(), r.end());
        break;
      }
      case cell_kind::enumeration: {
        const auto* i = std::get_if<std::int64_t>(&v);
        const std::int64_t k = i ? *i : 0;
        for (std::uint32_t x = 0; x < enum_size; ++x) {
          const auto xi = static_cast<std::int64_t>(x);
          bool ok = false;
          switch (op) {
            case atom_op::eq: ok = xi == k; break;
            case atom_op::lt: ok = xi < k; break;
            case atom_op::le: ok = xi <= k; break;
            case atom_op::gt: ok = xi > k; break;
            case atom_op::ge: ok = xi >= k; break;
            default: break;
          }
          if (ok) into.members.push_back(x);
        }
        break;
      }
      case cell_kind::string: {
        if (!into.one_of) into.one_of.emplace();
        into.one_of->push_back(text_of(v));
        break;
      }
      case cell_kind::tags: break;
    }
  };
  // A union of single-value comparisons (`==`, `in`, `<`...), starting from nothing.
  auto union_of = [&](atom_op op, bool complemented) {
    cell u = c;
    u.booleans = 0;
    u.ints.clear();
    u.reals.clear();
    u.members.clear();
    for (const scalar& v : a.values) values_for(op, v, u);
    normalize(u.ints);
    normalize(u.reals);
    sort_unique(u.members);
    if (u.one_of) sort_unique(*u.one_of);
    if (complemented) {
      complement_present(u, enum_size);
    } else {
      settle(u);
    }
    c = std::move(u);
  };

  switch (a.op) {
    case atom_op::truthy:
      c.booleans = 0b10;
      break;
    case atom_op::eq:
    case atom_op::in:
    case atom_op::lt:
    case atom_op::le:
    case atom_op::gt:
    case atom_op::ge:
      union_of(a.op == atom_op::in ? atom_op::eq : a.op, false);
      break;
    case atom_op::ne:
    case atom_op::not_in:
      // Present and equal to none of the values; still false on a missing value.
      union_of(atom_op::eq, true);
      break;
    case atom_op::contains:
    case atom_op::starts_with:
    case atom_op::ends_with: {
      const text_op op = a.op == atom_op::contains      ? text_op::contains
                         : a.op == atom_op::starts_with ? text_op::starts_with
                                                        : text_op::ends_with;
      c.tests.push_back({op, a.values.empty() ? std::string{} : text_of(a.values.front()), false});
      break;
    }
    case atom_op::has:
    case atom_op::has_all:
      for (const scalar& v : a.values) c.required.push_back(tag_id(v));
      sort_unique(c.required);
      break;
    case atom_op::has_any: {
      std::vector<std::uint32_t> group;
      for (const scalar& v : a.values) group.push_back(tag_id(v));
      sort_unique(group);
      if (group.size() == 1) c.required = std::move(group); else c.any_of.push_back(std::move(group));
      break;
    }
    case atom_op::is_missing:
      set_none(c);
      c.accepts_missing = true;
      break;
    case atom_op::is_present:
      break;
  }
  settle(c);
  if (negated) {
    c.accepts_missing = !c.accepts_missing;
    complement_present(c, enum_size);
  }
  return c;
}

void intersect(cell& into, const cell& other) {
  into.accepts_missing = into.accepts_missing && other.accepts_missing;
  if (!other.accepts_present) into.accepts_present = false;
  if (!into.accepts_present) {
    set_none(into);
    return;
  }
  into.booleans = static_cast<std::uint8_t>(into.booleans & other.booleans);
  into.ints = intersect(into.ints, other.ints);
  into.reals = intersect(into.reals, other.reals);
  {
    std::vector<std::uint32_t> both;
    std::set_intersection(into.members.begin(), into.members.end(), other.members.begin(),
                          other.members.end(), std::back_inserter(both));
    into.members = std::move(both);
  }
  if (other.one_of) {
    if (into.one_of) {
      std::vector<std::string> both;
      std::set_intersection(into.one_of->begin(), into.one_of->end(), other.one_of->begin(),
                            other.one_of->end(), std::back_inserter(both));
      into.one_of = std::move(both);
    } else {
      into.one_of = other.one_of;
    }
  }
  into.none_of.insert(into.none_of.end(), other.none_of.begin(), other.none_of.end());
  for (const text_test& t : other.tests) {
    if (std::find(into.tests.begin(), into.tests.end(), t) == into.tests.end()) into.tests.push_back(t);
  }
  into.required.insert(into.required.end(), other.required.begin(), other.required.end());
  into.forbidden.insert(into.forbidden.end(), other.forbidden.begin(), other.forbidden.end());
  into.any_of.insert(into.any_of.end(), other.any_of.begin(), other.any_of.end());
  into.not_all_of.insert(into.not_all_of.end(), other.not_all_of.begin(), other.not_all_of.end());
  settle(into);
}

}  // namespace triage::detail
